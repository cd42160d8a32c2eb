/* book.js — 预约: service → day → slot (free places live over slots:{hall}) → phone → booked. */
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const root = $("book");
  const hall = root.dataset.hall;
  let service = root.dataset.service || "", day = "", start = "", slots = [];
  let clockSkew = 0;  // the server's clock minus this phone's: "over" is the hall's time
  const STORE = "hallq-bookings";

  const hhmm = (iso) => iso.slice(11, 16);
  const bi = (zh, en) => Hallq.both(zh, en);

  function pick(group, button) {
    for (const b of group.querySelectorAll("[role=radio]")) b.setAttribute("aria-checked", b === button ? "true" : "false");
  }

  function showError(error) {
    $("error").replaceChildren(bi(error.message_zh, error.message_en));
    $("error").hidden = false;
  }

  function drawSlots() {
    const box = $("slots");
    box.replaceChildren();
    const now = Date.now() + clockSkew;  // slots already over are not offered (the server refuses them too)
    for (const s of slots.filter((x) => Date.parse(x.end) > now)) {
      const b = document.createElement("button");
      b.type = "button"; b.className = "slot" + (s.free ? "" : " full");
      b.setAttribute("role", "radio"); b.setAttribute("aria-checked", s.start === start ? "true" : "false");
      b.disabled = !s.free; b.dataset.start = s.start;
      const t = document.createElement("span"); t.className = "time"; t.textContent = hhmm(s.start);
      const f = document.createElement("span"); f.className = "free";
      f.append(s.free ? bi(`余 ${s.free} 个`, `${s.free} left`) : bi("已约满", "full"));
      b.append(t, f);
      b.addEventListener("click", () => { start = s.start; pick(box, b); drawChosen(); });
      box.append(b);
    }
    $("no-slots").hidden = slots.some((s) => s.free > 0 && Date.parse(s.end) > now);
    if (start && !slots.some((s) => s.start === start && s.free > 0)) { start = ""; drawChosen(); }
  }

  function drawChosen() {
    $("confirm").hidden = !start;
    if (!start) return;
    const name = $("service").selectedOptions[0].textContent;
    $("chosen").textContent = `${name} · ${day} ${hhmm(start)}`;
  }

  async function loadSlots() {
    $("slot-box").hidden = !(service && day);
    if (!(service && day)) return;
    try {
      const answer = await Hallq.api("GET", `/api/halls/${hall}/appointments/slots?service=${encodeURIComponent(service)}&date=${day}`);
      slots = answer.slots;
      clockSkew = Date.parse(answer.now) - Date.now();
      drawSlots();
      $("error").hidden = true;
    } catch (e) { showError(e.error); }
  }

  $("service").addEventListener("change", () => {
    service = $("service").value; start = "";
    $("guide-link").hidden = !service;
    $("guide-href").href = `/halls/${hall}/guide/${service}`;
    drawChosen(); loadSlots();
  });
  for (const b of $("days").querySelectorAll("[data-date]")) {
    b.addEventListener("click", () => { day = b.dataset.date; start = ""; pick($("days"), b); drawChosen(); loadSlots(); });
  }
  if (service) { $("guide-link").hidden = false; $("guide-href").href = `/halls/${hall}/guide/${service}`; }
  const first = $("days").querySelector("[data-date]");
  if (first) first.click();

  $("confirm").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("submit").disabled = true;
    try {
      const answer = await Hallq.api("POST", `/api/halls/${hall}/appointments`, {
        request_id: Hallq.requestId("book"), service, start, phone: $("phone").value,
      });
      try {
        const kept = JSON.parse(localStorage.getItem(STORE) || "[]");
        if (!kept.includes(answer.token)) kept.unshift(answer.token);
        localStorage.setItem(STORE, JSON.stringify(kept.slice(0, 20)));
      } catch (e) { /* private mode: the booking page's address is the handle */ }
      location.href = answer.page_url;
    } catch (e) {
      showError(e.error || { message_zh: "网络故障，请重试", message_en: "network problem; please try again" });
      $("submit").disabled = false;
      loadSlots();
    }
  });

  // Free places stay live: every booking anywhere moves the counts at once.
  Hallq.live([{ channel: `slots:${hall}` }], (m) => {
    const days = m.type === "snapshot" ? (m.data.days || []) : m.type === "slots" ? [m.data] : [];
    for (const d of days) {
      if (d.date === day && d.services && d.services[service]) { slots = d.services[service]; drawSlots(); }
    }
  });
})();
