/* booking.js — one booking: when, status, check in on arrival (or at a kiosk by its QR),
 * cancel; once checked in, the ticket number and a link to its live page. */
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const root = $("booking");
  if (!root) return;
  const token = root.dataset.token;
  let booking = JSON.parse(root.dataset.booking);
  const bi = (zh, en) => Hallq.both(zh, en);
  const STATUS = {
    booked: ["已预约", "Booked"], checked_in: ["已签到", "Checked in"],
    cancelled: ["已取消", "Cancelled"], no_show: ["未按时签到", "Missed"],
  };
  const hhmm = (iso) => iso.slice(11, 16);

  function render() {
    $("when").textContent = `${booking.date} ${hhmm(booking.start)}–${hhmm(booking.end)}`;
    const [zh, en] = STATUS[booking.status] || [booking.status, booking.status];
    $("status").replaceChildren(bi(zh, en));
    const open = booking.status === "booked" || booking.status === "no_show";
    $("check-in-box").hidden = !open;
    $("cancel-box").hidden = booking.status !== "booked";
    if (open) {
      const from = hhmm(booking.check_in_from), until = hhmm(booking.check_in_priority_until);
      $("check-in-hint").replaceChildren(bi(
        `${from} 起可签到；${until} 前签到优先叫号，之后按普通号排队`,
        `Check in from ${from}; by ${until} you are called first, later you queue as a walk-in`));
      if (!$("qr").firstChild) $("qr").replaceChildren(HallqQR.svg(location.origin + "/b/" + token, { title: "签到 check in" }));
    }
    const t = booking.ticket;
    $("ticket-box").hidden = !t;
    if (t) { $("ticket-number").textContent = t.number; $("ticket-link").href = t.page_url; }
  }

  function showError(error) {
    $("error").replaceChildren(bi(error.message_zh, error.message_en));
    $("error").hidden = false;
  }

  async function act(method, path) {
    try {
      booking = (await Hallq.api(method, path)).booking;
      $("error").hidden = true;
      render();
    } catch (e) {
      showError(e.error || { message_zh: "网络故障，请重试", message_en: "network problem; please try again" });
    }
  }

  $("check-in").addEventListener("click", () => act("POST", `/api/appointments/${encodeURIComponent(token)}/check-in`));
  $("cancel").addEventListener("click", () => {
    if (confirm("确定取消这个预约吗？ · Cancel this booking?")) act("DELETE", `/api/appointments/${encodeURIComponent(token)}`);
  });
  render();

  // Reminders (the day before, an hour before) arrive on the booking's own channel.
  Hallq.live([{ channel: `booking:${token}` }], (m) => {
    if (m.type !== "reminder") return;
    $("reminder").replaceChildren(bi(m.data.text_zh, m.data.text_en));
    $("reminder").hidden = false;
  });
})();
