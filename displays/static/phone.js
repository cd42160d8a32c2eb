/* phone.js — a resident's ticket, live over `ticket:{token}`.
 *
 * Status, people ahead and the wait band update as the queue moves; when the ticket is
 * called, a full-screen "please go to window N" with a beep and a vibration; cancel while
 * waiting (confirmed first); a rating after service (sent to the hall, and remembered on
 * the phone so it is not asked twice); a large-text mode. A remote ticket (远程取号) shows
 * "waiting remotely", then a large "come now" banner, and a QR for the kiosk to confirm arrival. Screen readers hear changes (polite) and the call
 * (assertive). For tests: window.hallqAlerts counts the call alerts.
 */
"use strict";

(() => {
  const data = JSON.parse(document.getElementById("phone-data").textContent);
  const $ = (id) => document.getElementById(id);
  const LARGE_KEY = "hallq-large-text";
  const LANES = { green: ["绿色通道", "Green lane"], yellow: ["黄色通道", "Business lane"], blue: ["普通", "Regular"] };
  const COME_NOW = ["请现在前往大厅，并在取号机扫码确认到达", "Please come to the hall now and scan at a kiosk to confirm"];
  const STATUS = {
    remote: () => ["远程排队中", "Waiting remotely"],
    lapsed: () => ["远程号已失效：未在时限内到厅确认", "Remote ticket lapsed: arrival was not confirmed in time"],
    waiting: () => ["排队中", "Waiting"],
    called: (w) => ["请到 " + w + " 号窗口", "Please go to window " + w],
    serving: (w) => ["正在 " + w + " 号窗口办理", "Being served at window " + w],
    done: () => ["办理完成", "Done"],
    no_show: () => ["已过号，请到咨询台", "Missed — please ask at the information desk"],
    parked: () => ["暂缓办理：补齐材料后请回到窗口", "On hold: come back to the window with the missing documents"],
    cancelled: () => ["已取消", "Cancelled"],
  };
  const ratingKey = (t) => "hallq-rating:" + t.issued_at.slice(0, 10) + ":" + t.number;
  let ticket = null, lastAlert = { window: null, at: 0 }, audio = null;
  window.hallqAlerts = 0;

  const store = {
    get: (k) => { try { return localStorage.getItem(k); } catch (e) { return null; } },
    set: (k, v) => { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } },
  };

  function eta(t) {
    if (!t.eta) return null;
    const lo = Math.max(1, Math.round(t.eta.p50_min));
    const hi = Math.max(lo, Math.round(t.eta.p90_min));
    const band = lo === hi ? String(lo) : lo + "–" + hi;
    return ["约 " + band + " 分钟", "about " + band + " min"];
  }

  function summary(t) {
    const e = eta(t);
    if (t.status === "remote" && t.come_now) return COME_NOW;
    if (t.status === "lapsed") return ["如仍需办理，请重新取号", "Take a new ticket if you still need the service"];
    if (t.status === "waiting" && t.people_ahead === 0) return ["您是下一位，请留意叫号", "You are next — please listen for your number"];
    if (t.status === "waiting" || t.status === "remote") {
      return ["前面还有 " + t.people_ahead + " 人" + (e ? "，" + e[0] : ""),
        t.people_ahead + (t.people_ahead === 1 ? " person" : " people") + " ahead" + (e ? ", " + e[1] : "")];
    }
    if (t.status === "called") return ["轮到您了！请到 " + t.window + " 号窗口", "It's your turn! Please go to window " + t.window];
    if (t.status === "done") return ["办理完成，欢迎为本次服务评分", "All done — please rate our service"];
    if (t.status === "cancelled") return ["号票已取消；如仍需办理，请重新取号", "Ticket cancelled; take a new one if you still need the service"];
    return (STATUS[t.status] || (() => [t.status, t.status]))(t.window);
  }

  function render(t) {
    const before = ticket;
    ticket = t;
    document.body.dataset.status = t.status;
    $("number").textContent = t.number;
    $("ticket").className = "ticket lane-" + t.lane;
    Hallq.setBoth($("lane"), ...(LANES[t.lane] || [t.lane, t.lane]));
    Hallq.setBoth($("status"), ...(STATUS[t.status] || (() => [t.status, t.status]))(t.window));
    const waiting = t.status === "waiting" || t.status === "remote";
    renderRemote(t);
    $("facts").hidden = !waiting;
    if (waiting) {
      $("ahead").textContent = String(t.people_ahead);
      const e = eta(t);
      if (e) Hallq.setBoth($("eta"), e[0], e[1]); else $("eta").textContent = "—";
    }
    const said = summary(t);
    if ($("summary").textContent !== said.join("")) Hallq.setBoth($("summary"), said[0], said[1]);
    $("cancel-box").hidden = !waiting;
    if (!waiting) $("cancel-confirm").hidden = true;
    const rated = store.get(ratingKey(t)) !== null;
    $("rating").hidden = t.status !== "done" || rated;
    $("thanks").hidden = t.status !== "done" || !rated;
    if (t.status === "called" && (!before || before.status !== "called" || before.window !== t.window)) {
      callAlert(t.window);
    }
    if (t.status !== "called") $("your-turn").hidden = true;
  }

  function renderRemote(t) {
    const remote = t.status === "remote";
    $("remote-box").hidden = !remote;
    $("remote-box").classList.toggle("come-now", remote && t.come_now);
    if (!remote) return;
    const said = t.come_now ? COME_NOW : STATUS.remote();
    if ($("remote-banner").textContent !== said.join("")) Hallq.setBoth($("remote-banner"), said[0], said[1]);
    $("remote-deadline").hidden = !t.lapse_at;
    if (t.lapse_at) {
      const hm = new Date(t.lapse_at).toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false });
      Hallq.setBoth($("remote-deadline"), "请于 " + hm + " 前扫码确认，逾时作废", "Confirm by " + hm + ", or the ticket lapses");
    }
    if (!$("remote-qr").firstChild && typeof HallqQR !== "undefined") {
      $("remote-qr").replaceChildren(HallqQR.svg(location.origin + "/t/" + data.token, { title: "取号机扫码确认到达 scan at a kiosk" }));
    }
  }

  /* ---- the call --------------------------------------------------------------------- */
  function callAlert(window_, recall) {
    const now = Date.now();
    if (!recall && lastAlert.window === window_ && now - lastAlert.at < 5000) return;
    lastAlert = { window: window_, at: now };
    window.hallqAlerts += 1;
    Hallq.setBoth($("your-turn-text"), "请到 " + window_ + " 号窗口", "Please go to window " + window_);
    $("your-turn-number").textContent = ticket.number;
    $("your-turn").hidden = false;
    $("your-turn-ok").focus();
    Hallq.setBoth($("alert-live"), "轮到您了，请到 " + window_ + " 号窗口", "It's your turn. Please go to window " + window_);
    if (navigator.vibrate) { try { navigator.vibrate([400, 150, 400, 150, 400]); } catch (e) { /* not allowed */ } }
    beep();
  }

  function unlockAudio() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
    } catch (e) { audio = null; }
  }

  function beep() {
    unlockAudio();  // phones may still refuse without a tap; the screen and vibration remain
    if (!audio) return;
    const t0 = audio.currentTime + 0.02;
    for (let i = 0; i < 3; i++) {
      const osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, t0 + i * 0.35);
      gain.gain.exponentialRampToValueAtTime(0.6, t0 + i * 0.35 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + i * 0.35 + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start(t0 + i * 0.35);
      osc.stop(t0 + i * 0.35 + 0.3);
    }
  }

  /* ---- actions ---------------------------------------------------------------------- */
  $("your-turn-ok").addEventListener("click", () => { $("your-turn").hidden = true; $("status").focus(); });
  $("cancel").addEventListener("click", () => {
    $("cancel-confirm").hidden = false;
    $("cancel-yes").focus();
  });
  $("cancel-no").addEventListener("click", () => { $("cancel-confirm").hidden = true; $("cancel").focus(); });
  $("cancel-yes").addEventListener("click", async () => {
    $("cancel-yes").disabled = true;
    $("cancel-error").hidden = true;
    try {
      render(await Hallq.api("DELETE", "/api/tickets/" + encodeURIComponent(data.token)));
    } catch (e) {
      const err = e.error || { message_zh: "网络不通，请稍后再试", message_en: "No connection; please try again" };
      Hallq.setBoth($("cancel-error"), err.message_zh, err.message_en);
      $("cancel-error").hidden = false;
    } finally {
      $("cancel-yes").disabled = false;
    }
  });

  $("stars").addEventListener("change", () => {
    const chosen = Number(new FormData($("rating")).get("stars") || 0);
    for (const label of $("stars").querySelectorAll("label")) {
      label.classList.toggle("on", Number(label.querySelector("input").value) <= chosen);
    }
    $("rate").disabled = chosen === 0;
  });
  $("rating").addEventListener("submit", async (event) => {
    event.preventDefault();
    const stars = Number(new FormData($("rating")).get("stars") || 0);
    if (!stars) return;
    const comment = $("comment").value.trim();
    $("rate").disabled = true;
    try {
      await Hallq.api("POST", "/api/tickets/" + encodeURIComponent(data.token) + "/rating", { rating: stars, comment });
    } catch (e) {
      // Already rated (409) counts as done; anything else is shown, and may be retried.
      if (!(e.error && e.error.code === "illegal_transition")) {
        const err = (e.error || { message_zh: "提交失败，请重试", message_en: "could not send; please try again" });
        Hallq.setBoth($("rate-error"), err.message_zh, err.message_en);
        $("rate-error").hidden = false;
        $("rate").disabled = false;
        return;
      }
    }
    store.set(ratingKey(ticket), JSON.stringify({ stars, comment, at: new Date().toISOString() }));
    render(ticket);
    $("thanks").focus();
  });

  function setLarge(on) {
    document.documentElement.classList.toggle("large-text", on);
    $("large-toggle").setAttribute("aria-pressed", on ? "true" : "false");
    store.set(LARGE_KEY, on ? "1" : "0");
  }
  $("large-toggle").addEventListener("click", () => setLarge(!document.documentElement.classList.contains("large-text")));
  setLarge(store.get(LARGE_KEY) === "1");
  for (const kind of ["pointerdown", "keydown"]) document.addEventListener(kind, unlockAudio, { once: true });

  /* ---- live ------------------------------------------------------------------------- */
  render(data.ticket);
  Hallq.live(
    [{ channel: "ticket:" + data.token }],
    (m) => {
      if (m.type === "ticket") render(m.data);
      else if (m.type === "called" && m.data.number === ticket.number) callAlert(m.data.window, m.data.recall);
    },
    (state) => {
      if (state === "offline") document.body.classList.add("offline");
      else if (state === "live") document.body.classList.remove("offline");
    },
  );
})();
