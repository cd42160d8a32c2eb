/* mine.js — my bookings: those booked on this phone (tokens kept in the browser), and a
 * look-up by number that shows when, not the power to change. */
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const hall = $("mine").dataset.hall;
  const bi = (zh, en) => Hallq.both(zh, en);
  const STATE = { booked: ["已预约", "booked"], checked_in: ["已签到", "checked in"], cancelled: ["已取消", "cancelled"], no_show: ["未签到", "missed"] };

  function item(b, href) {
    const li = document.createElement("li");
    const [zh, en] = STATE[b.status] || [b.status, b.status];
    const text = bi(`${b.service_zh} · ${b.date} ${b.start.slice(11, 16)} · `, `${b.service_en} · ${b.date} ${b.start.slice(11, 16)} · `);
    const state = document.createElement("span"); state.className = "state"; state.append(bi(zh, en));
    if (href) { const a = document.createElement("a"); a.href = href; a.append(text, state); li.append(a); } else li.append(text, state);
    return li;
  }

  async function here() {
    let tokens = [];
    try { tokens = JSON.parse(localStorage.getItem("hallq-bookings") || "[]"); } catch (e) { tokens = []; }
    const list = $("here");
    for (const token of tokens) {
      try {
        const { booking } = await Hallq.api("GET", `/api/appointments/${encodeURIComponent(token)}`);
        if (booking.hall === hall) list.append(item(booking, `/b/${token}`));
      } catch (e) { /* a booking that no longer exists */ }
    }
    $("none-here").hidden = list.children.length > 0;
  }

  $("lookup").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const answer = await Hallq.api("POST", `/api/halls/${hall}/appointments/mine`, { phone: $("phone").value });
      $("found").replaceChildren(...answer.bookings.map((b) => item(b, null)));
      if (!answer.bookings.length) $("found").replaceChildren(Object.assign(document.createElement("li"), { textContent: "没有预约 · No bookings" }));
      $("error").hidden = true;
    } catch (e) {
      $("error").replaceChildren(bi(e.error.message_zh, e.error.message_en));
      $("error").hidden = false;
    }
  });
  here();
})();
