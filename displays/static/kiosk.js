/* kiosk.js — the self-service kiosk: area → service (or search) → materials and lane →
 * ticket with a QR code for the phone page. Idle screens go back to the start.
 */
"use strict";

(() => {
  const root = document.getElementById("kiosk");
  const hall = JSON.parse(root.dataset.hall);
  const lanes = JSON.parse(root.dataset.lanes);
  const $ = (id) => document.getElementById(id);
  const bi = Hallq.both;
  const TICKET_IDLE_S = 20, IDLE_S = 60;
  const screens = ["start", "zone", "service", "ticket"];

  let screen = "start", zone = null, service = null, lane = null, fromSearch = false;
  let waiting = {}; // service id -> people waiting, from the hall board
  let idleLeft = IDLE_S, busy = false;

  function el(tag, className, ...children) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    e.append(...children);
    return e;
  }

  function show(name) {
    screen = name;
    for (const s of screens) $(`screen-${s}`).hidden = s !== name;
    $("error").hidden = true;
    window.scrollTo(0, 0);
    resetIdle();
  }

  function showError(error) {
    $("error").replaceChildren(bi(error.message_zh, error.message_en));
    $("error").hidden = false;
  }

  // ---- start: areas and search ---------------------------------------------------------

  function zoneTiles() {
    $("zones").replaceChildren(...hall.zones.map((z) => {
      const count = hall.services.filter((s) => s.zone === z.id).length;
      const b = el("button", `tile zone zone-${z.id}`, el("b", "", bi(z.name_zh, z.name_en)),
        el("small", "", bi(`${count} 项业务`, `${count} services`)));
      b.type = "button";
      b.addEventListener("click", () => openZone(z));
      return b;
    }));
  }

  function serviceTile(s) {
    const b = el("button", "tile service", el("span", "prefix", s.prefix), el("b", "", bi(s.name_zh, s.name_en)),
      el("small", "wait", ""));
    b.type = "button";
    b.dataset.service = s.id;
    b.addEventListener("click", () => openService(s));
    return b;
  }

  function refreshCounts() {
    for (const tile of document.querySelectorAll(".tile.service")) {
      const n = waiting[tile.dataset.service];
      tile.querySelector(".wait").replaceChildren(n === undefined ? "" : bi(`等候 ${n} 人`, `${n} waiting`));
    }
  }

  function matches(s, query) {
    const haystack = [s.name_zh, s.name_en, s.id, ...s.keywords].join(" ").toLowerCase();
    return query.split(/\s+/).every((word) => haystack.includes(word));
  }

  function search() {
    const query = $("search").value.trim().toLowerCase();
    $("results").hidden = !query;
    $("zones-block").hidden = !!query;
    if (!query) return;
    const found = hall.services.filter((s) => matches(s, query));
    $("result-tiles").replaceChildren(...found.map(serviceTile));
    $("no-results").hidden = found.length > 0;
    refreshCounts();
  }

  function typeKey(key) {
    const input = $("search");
    if (key === "back") input.value = input.value.slice(0, -1);
    else if (key === "clear") input.value = "";
    else input.value += key;
    search();
  }

  // ---- a zone, a service ---------------------------------------------------------------------

  function openZone(z) {
    zone = z;
    fromSearch = false;
    $("zone-title").replaceChildren(bi(z.name_zh, z.name_en));
    $("service-tiles").replaceChildren(...hall.services.filter((s) => s.zone === z.id).map(serviceTile));
    refreshCounts();
    show("zone");
  }

  function materialLabel(text) { // "身份证 ID card" -> 身份证 / ID card
    const i = text.indexOf(" ");
    return i > 0 ? [text.slice(0, i), text.slice(i + 1)] : [text, text];
  }

  function openService(s) {
    service = s;
    fromSearch = screen === "start";
    $("service-title").replaceChildren(bi(s.name_zh, s.name_en));
    const n = waiting[s.id];
    $("service-facts").replaceChildren(
      n === undefined ? "" : bi(`当前等候 ${n} 人 · `, `${n} waiting now · `),
      bi(`每人办理约 ${s.mean_handling_min} 分钟`, `about ${s.mean_handling_min} min each`));
    $("materials").replaceChildren(...s.materials.map((m) => {
      const [zh, en] = materialLabel(m);
      const box = el("input");
      box.type = "checkbox";
      return el("label", "material", box, el("span", "", el("b", "", zh), el("small", "", en)));
    }));
    const offered = lanes.filter((l) => s.lanes.includes(l.id));
    lane = offered.some((l) => l.id === "blue") ? "blue" : offered[0].id;
    $("lanes").replaceChildren(...offered.map((l) => {
      const b = el("button", `lane lane-${l.id}`, el("b", "", bi(l.zh, l.en)), el("small", "", bi(l.hint_zh, l.hint_en)));
      b.type = "button";
      b.dataset.lane = l.id;
      b.setAttribute("aria-pressed", String(l.id === lane));
      b.addEventListener("click", () => {
        lane = l.id;
        for (const other of $("lanes").children) other.setAttribute("aria-pressed", String(other === b));
      });
      return b;
    }));
    show("service");
  }

  // ---- the ticket --------------------------------------------------------------------------

  async function issue(body) {
    const path = `/api/halls/${encodeURIComponent(hall.id)}/tickets`;
    try {
      return await Hallq.api("POST", path, body);
    } catch (e) {
      if (e.error) throw e;
      // No answer (network): the same request_id again cannot give a second ticket.
      await new Promise((r) => setTimeout(r, 1000));
      return Hallq.api("POST", path, body);
    }
  }

  async function take() {
    if (busy) return;
    busy = true;
    $("take").disabled = true;
    try {
      const body = { service: service.id, lane, channel: "kiosk", request_id: Hallq.requestId("kiosk") };
      const answer = await issue(body);
      let status = null;
      try { status = await Hallq.api("GET", answer.status_url); } catch (e) { status = null; }
      showTicket(answer, status);
    } catch (e) {
      showError(e.error || { code: "network", message_zh: "网络故障，请稍后再试或联系工作人员", message_en: "network problem; try again or ask the staff" });
    } finally {
      busy = false;
      $("take").disabled = false;
    }
  }

  function showTicket(answer, status) {
    const t = answer.ticket, s = hall.services.find((x) => x.id === t.service) || service;
    const l = lanes.find((x) => x.id === t.lane);
    $("t-number").textContent = t.number;
    $("t-service-zh").textContent = s.name_zh;
    $("t-service-en").textContent = s.name_en;
    $("t-lane").textContent = l ? `${l.zh} · ${l.en}` : t.lane;
    $("t-lane").className = `t-lane lane-${t.lane}`;
    const ahead = status && status.people_ahead !== null ? status.people_ahead : null;
    $("t-ahead").textContent = ahead === null ? "—" : String(ahead);
    const eta = status && status.eta;
    $("t-eta").textContent = eta
      ? `${Math.round(eta.p50_min)}–${Math.max(Math.ceil(eta.p90_min), Math.round(eta.p50_min))}`
      : "—";
    const url = `${location.origin}/t/${answer.token}`;
    $("t-qr").replaceChildren(HallqQR.svg(url, { title: "手机查看进度 follow on your phone" }));
    $("t-qr").dataset.url = url;
    const now = new Date();
    $("t-time").textContent = `${now.toLocaleDateString("zh-CN")} ${now.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" })}`;
    show("ticket");
  }

  // ---- remote tickets: a scanner types the phone's QR (its /t/{token} address) --------------

  async function confirmArrival(event) {
    event.preventDefault();
    const code = $("arrive-code").value.trim();
    $("arrive-code").value = "";
    if (code.includes("/b/")) { await checkIn(code.split("/b/").pop().split(/[?#]/)[0]); return; }
    const token = code.split("/t/").pop().split(/[?#]/)[0];
    if (!token) return;
    const kiosk = new URLSearchParams(location.search).get("kiosk") || `kiosk-${hall.id}`;
    const result = $("arrive-result");
    try {
      const t = await Hallq.api("POST", `/api/tickets/${encodeURIComponent(token)}/arrive`, { kiosk });
      result.replaceChildren(bi(`${t.number} 号已确认到达，前面还有 ${t.people_ahead} 人，请留意叫号`,
        `${t.number} confirmed: ${t.people_ahead} ahead; please listen for your number`));
      $("error").hidden = true;
    } catch (e) {
      showError(e.error || { code: "network", message_zh: "网络故障，请重试或联系工作人员", message_en: "network problem; try again or ask the staff" });
      result.replaceChildren();
    }
    result.hidden = !result.firstChild;
  }

  // ---- appointments: the booking page's QR checks the booking in (预约签到) ---------------

  async function checkIn(token) {
    const result = $("arrive-result");
    try {
      const { booking } = await Hallq.api("POST", `/api/appointments/${encodeURIComponent(token)}/check-in`);
      const t = booking.ticket;
      result.replaceChildren(bi(`预约已签到：${booking.service_zh}，您的号码 ${t.number}，请留意叫号`,
        `Booking checked in: ${booking.service_en}, your number is ${t.number}; please listen for it`));
      $("error").hidden = true;
    } catch (e) {
      showError(e.error || { code: "network", message_zh: "网络故障，请重试或联系工作人员", message_en: "network problem; try again or ask the staff" });
      result.replaceChildren();
    }
    result.hidden = !result.firstChild;
  }

  // ---- idle: back to the start --------------------------------------------------------------

  function resetIdle() {
    idleLeft = screen === "ticket" ? TICKET_IDLE_S : IDLE_S;
    renderCountdown();
  }

  function renderCountdown() {
    if (screen === "ticket") $("countdown").replaceChildren(bi(`${idleLeft} 秒后返回首页`, `Back to the start in ${idleLeft} s`));
  }

  function toStart() {
    $("search").value = "";
    $("keypad").hidden = true;
    $("keypad-toggle").setAttribute("aria-expanded", "false");
    search();
    show("start");
  }

  setInterval(() => {
    idleLeft -= 1;
    if (idleLeft <= 0) {
      if (screen !== "start" || $("search").value) toStart();
      else resetIdle();
    } else renderCountdown();
  }, 1000);
  for (const type of ["pointerdown", "keydown", "input"]) document.addEventListener(type, resetIdle, true);

  // ---- wiring ------------------------------------------------------------------------------

  $("search").addEventListener("input", search);
  $("keypad-toggle").addEventListener("click", () => {
    const pad = $("keypad");
    pad.hidden = !pad.hidden;
    $("keypad-toggle").setAttribute("aria-expanded", String(!pad.hidden));
  });
  for (const b of document.querySelectorAll("#keypad [data-key]")) b.addEventListener("click", () => typeKey(b.dataset.key));
  for (const b of document.querySelectorAll("[data-go]")) {
    b.addEventListener("click", () => {
      if (b.dataset.go === "back" && !fromSearch && zone) show("zone");
      else show("start");
    });
  }
  $("take").addEventListener("click", take);
  $("arrive-form").addEventListener("submit", confirmArrival);
  $("print").addEventListener("click", () => { resetIdle(); window.print(); });
  $("done").addEventListener("click", toStart);

  Hallq.live([{ channel: `display:${hall.id}` }], (m) => {
    if ((m.type === "snapshot" || m.type === "board") && m.data && m.data.services) {
      waiting = Object.fromEntries(m.data.services.map((s) => [s.service, s.waiting.green + s.waiting.yellow + s.waiting.blue]));
      refreshCounts();
    }
  }, (state) => document.body.classList.toggle("offline", state === "offline"));

  zoneTiles();
  show("start");
})();
