/* screen.js — the hall's big screen: now calling, last calls, waiting counts, voice.
 *
 * Every call (live, or missed and resumed after a drop) goes into the last-calls list at
 * once and into one announcement queue, played one at a time: a chime with a flash, then
 * the call in Chinese and English, twice, by the browser's own offline voices when it has
 * them. For tests: window.hallqAnnouncements (texts, pushed as each starts),
 * window.hallqAnnouncing, and window.hallqAnnouncementLog ({text, start, end}, ms).
 */
"use strict";

(() => {
  const data = JSON.parse(document.getElementById("screen-data").textContent);
  const $ = (id) => document.getElementById(id);
  const LANES = ["green", "yellow", "blue"];
  const RECENT = 8, FRESH_MS = 8000, CHIME_MS = 1200, GAP_MS = 300;
  const known = new Set();
  const recent = [];
  const queue = [];
  let busy = false, current = null, freshTimer = 0, audio = null;
  window.hallqAnnouncements = [];
  window.hallqAnnouncementLog = [];
  window.hallqAnnouncing = false;

  const keyOf = (c) => c.number + "|" + c.window + "|" + c.at;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const nameOf = (c) => {
    const s = data.services[c.service] || { zh: "", en: "" };
    return { zh: c.name_zh || s.zh, en: c.name_en || s.en };
  };
  const texts = (c) => ({
    zh: "请 " + c.number + " 号到 " + c.window + " 号窗口办理",
    en: "Ticket " + c.number + ", please go to window " + c.window,
  });

  /* ---- waiting counts ---------------------------------------------------------------- */
  function renderBoard(board) {
    const zones = {};
    for (const s of board.services || []) {
      const row = document.querySelector('tr[data-service="' + CSS.escape(s.service) + '"]');
      const total = (zones[s.zone] = zones[s.zone] || { green: 0, yellow: 0, blue: 0 });
      for (const lane of LANES) {
        const n = (s.waiting && s.waiting[lane]) || 0;
        total[lane] += n;
        if (row) setCount(row.querySelector('[data-lane="' + lane + '"]'), n);
      }
    }
    for (const table of document.querySelectorAll("table.zone")) {
      const total = zones[table.dataset.zone] || {};
      for (const lane of LANES) setCount(table.querySelector('thead [data-lane="' + lane + '"]'), total[lane] || 0);
    }
  }

  function setCount(cell, n) {
    if (!cell) return;
    cell.textContent = String(n);
    cell.classList.toggle("zero", n === 0);
  }

  /* ---- calls --------------------------------------------------------------------------- */
  function addCall(c, announce) {
    const k = keyOf(c);
    if (known.has(k)) return;
    known.add(k);
    recent.unshift(c);
    if (recent.length > RECENT) recent.length = RECENT;
    renderRecent();
    if (announce) { queue.push(c); pump(); }
  }

  function renderRecent() {
    const list = $("recent-list");
    list.replaceChildren(...recent.map((c) => {
      const li = document.createElement("li");
      if (current && keyOf(c) === keyOf(current)) li.className = "current";
      const num = document.createElement("span"); num.className = "r-num"; num.textContent = c.number;
      const win = document.createElement("span"); win.className = "r-win";
      Hallq.setBoth(win, "→ " + c.window + " 号窗口", "→ window " + c.window);
      const svc = document.createElement("span"); svc.className = "r-svc";
      const n = nameOf(c);
      Hallq.setBoth(svc, n.zh, n.en);
      li.append(num, win, svc);
      if (c.recall) {
        const tag = document.createElement("span"); tag.className = "r-recall";
        Hallq.setBoth(tag, "重呼", "recall");
        li.append(tag);
      }
      return li;
    }));
  }

  function showNow(c, highlight) {
    current = c;
    $("now-call").hidden = false;
    $("now-idle").hidden = true;
    $("now-number").textContent = c.number;
    $("now-window-zh").textContent = c.window;
    $("now-window-en").textContent = c.window;
    const n = nameOf(c);
    Hallq.setBoth($("now-service"), n.zh, n.en);
    fit();
    renderRecent();
    if (!highlight) return;
    $("now").classList.add("fresh");
    clearTimeout(freshTimer);
    freshTimer = setTimeout(() => $("now").classList.remove("fresh"), FRESH_MS);
  }

  /* The call in its largest size that fits the panel (numbers and languages differ). */
  function fit() {
    const box = $("now-call"), inner = $("now-fit");
    inner.style.setProperty("--fit", "1");
    const room = box.clientWidth - 40, need = inner.offsetWidth;
    if (need > room && room > 0) inner.style.setProperty("--fit", (room / need).toFixed(3));
  }
  new MutationObserver(fit).observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });

  /* A board or snapshot lists the last calls: any we never heard of (a gap in what we were
   * sent) are missed calls. Checked a moment later, so the batch's own call messages,
   * which follow its board, come first and keep their details. */
  function reconcileSoon(board) {
    setTimeout(() => {
      const missed = (board.last_calls || []).filter((c) => !known.has(keyOf(c)));
      for (const c of missed.reverse()) addCall(c, true);
    }, 800);
  }

  /* ---- announcements --------------------------------------------------------------------- */
  async function pump() {
    if (busy) return;
    busy = true;
    try {
      while (queue.length) {
        const c = queue.shift();
        const t = texts(c);
        const entry = { text: t.zh + " / " + t.en, number: c.number, window: c.window, start: performance.now(), end: 0 };
        window.hallqAnnouncing = true;
        window.hallqAnnouncements.push(entry.text);
        window.hallqAnnouncementLog.push(entry);
        showNow(c, true);
        try { await announce(c, queue.length < 3 ? 2 : 1); } catch (e) { /* never stall */ }
        entry.end = performance.now();
        window.hallqAnnouncing = false;
        await sleep(GAP_MS);
      }
    } finally {
      busy = false;
      window.hallqAnnouncing = false;
    }
  }

  async function announce(c, times) {
    chime();
    await sleep(CHIME_MS);
    const voices = offlineVoices();
    if (!voices.zh && !voices.en) return;
    const t = texts(c);
    const spelt = c.number.split("").join(" ");
    for (let i = 0; i < times; i++) {
      if (voices.zh) await speak(t.zh.replace(c.number, spelt), voices.zh);
      if (voices.en) await speak(t.en.replace(c.number, spelt), voices.en);
    }
  }

  function offlineVoices() {
    const found = { zh: null, en: null };
    if (!("speechSynthesis" in window)) return found;
    for (const v of speechSynthesis.getVoices()) {
      if (!v.localService) continue;  // network voices do not work offline
      const lang = (v.lang || "").toLowerCase();
      if (!found.zh && lang.startsWith("zh")) found.zh = v;
      if (!found.en && lang.startsWith("en")) found.en = v;
    }
    return found;
  }

  function speak(text, voice) {
    return new Promise((resolve) => {
      const u = new SpeechSynthesisUtterance(text);
      u.voice = voice; u.lang = voice.lang; u.rate = 0.9;
      const timer = setTimeout(() => { speechSynthesis.cancel(); resolve(); }, 3000 + text.length * 300);
      u.onend = u.onerror = () => { clearTimeout(timer); resolve(); };
      speechSynthesis.speak(u);
    });
  }

  function chime() {
    const now = $("now");
    now.classList.remove("flash");
    void now.offsetWidth;  // restart the animation
    now.classList.add("flash");
    setTimeout(() => now.classList.remove("flash"), CHIME_MS);
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
      const t0 = audio.currentTime + 0.02;
      for (const [freq, at] of [[784, 0], [587, 0.5]]) {
        const osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, t0 + at);
        gain.gain.exponentialRampToValueAtTime(0.5, t0 + at + 0.03);
        gain.gain.exponentialRampToValueAtTime(0.0001, t0 + at + 0.65);
        osc.connect(gain).connect(audio.destination);
        osc.start(t0 + at);
        osc.stop(t0 + at + 0.7);
      }
    } catch (e) { /* no audio device: the flash still shows */ }
  }

  /* ---- clock, options, live ------------------------------------------------------------ */
  function formats(zone) {
    const tz = { timeZone: zone };
    return {
      zh: new Intl.DateTimeFormat("zh-CN", { ...tz, year: "numeric", month: "long", day: "numeric", weekday: "long" }),
      en: new Intl.DateTimeFormat("en-GB", { ...tz, weekday: "short", day: "numeric", month: "short", year: "numeric" }),
      time: new Intl.DateTimeFormat("en-GB", { ...tz, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }),
    };
  }
  let fmt;
  try { fmt = formats(data.timezone); } catch (e) { fmt = formats(undefined); }
  function tick() {
    const now = new Date();
    Hallq.setBoth($("screen-date"), fmt.zh.format(now), fmt.en.format(now));
    $("screen-clock").textContent = fmt.time.format(now);
    setTimeout(tick, 1000 - (now.getTime() % 1000) + 5);
  }

  const query = new URLSearchParams(location.search);
  const notice = query.get("notice");
  if (notice) $("notice").textContent = notice;
  const lang = query.get("lang");
  if (lang === "en" || lang === "zh") document.addEventListener("DOMContentLoaded", () => Hallq.setLang(lang));

  if ("speechSynthesis" in window) speechSynthesis.getVoices();  // some browsers load them lazily
  renderBoard(data.board);
  const initial = (data.board.last_calls || []).slice().reverse();
  for (const c of initial) addCall(c, false);
  if (initial.length) showNow(initial[initial.length - 1], false);
  tick();

  Hallq.live(
    [{ channel: "display:" + data.hall }],
    (m) => {
      if (m.type === "snapshot" || m.type === "board") { renderBoard(m.data); reconcileSoon(m.data); }
      else if (m.type === "called") addCall(m.data, true);
    },
    (state) => {
      if (state === "offline") document.body.classList.add("offline");
      else if (state === "live" && document.body.classList.contains("offline")) {
        document.body.classList.remove("offline");
        refresh();
      }
    },
  );

  /* After a drop the resumed messages bring every missed call, but not always the board
   * (none is published while no screen listens): ask for the current one as well. */
  async function refresh() {
    try {
      const board = await Hallq.api("GET", "/api/halls/" + encodeURIComponent(data.hall) + "/board");
      renderBoard(board);
      reconcileSoon(board);
    } catch (e) { /* the next board message will do */ }
  }
})();
