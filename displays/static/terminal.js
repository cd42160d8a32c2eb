/* terminal.js — a window's terminal: log in, act on the ticket at the counter, stay live.
 *
 * The view comes from the server only (the `window:{hall}:{n}` channel and each action's
 * answer); buttons are enabled from it, but the server decides: a refusal is shown with
 * its message in both languages. One command at a time: every button waits while one is
 * in flight, and each command carries a fresh request_id.
 */
"use strict";

(() => {
  const root = document.getElementById("terminal");
  const hall = JSON.parse(root.dataset.hall);
  const lanes = JSON.parse(root.dataset.lanes);
  const windowNo = Number(root.dataset.window);
  const $ = (id) => document.getElementById(id);
  const bi = Hallq.both;
  const SESSION_KEY = "hallq-staff";
  const PARKED_KEY = `hallq-parked-${hall.id}-${windowNo}`;
  const services = Object.fromEntries(hall.services.map((s) => [s.id, s]));
  const laneOf = Object.fromEntries(lanes.map((l) => [l.id, l]));

  const RULES = {
    overdue: ["超过保障时限", "past the lane's guaranteed wait"],
    appointment: ["预约时段", "appointment slot"],
    requeued: ["转办/回队优先", "transferred or returned first"],
    aging: ["等候时间×通道权重", "wait time × lane weight"],
    issue_order: ["取号顺序", "order of issue"],
    specific: ["指定叫号", "called by number"],
  };
  const EVENTS = {
    TicketIssued: ["取号", "issued"], TicketCalled: ["叫号", "called"],
    TicketRecalled: ["重呼", "recalled"], TicketMarkedNoShow: ["过号", "no-show"],
    TicketReinstated: ["恢复", "reinstated"], ServiceStarted: ["开始办理", "started"],
    TicketTransferred: ["转办", "transferred"], TicketParked: ["容缺挂起", "parked"],
    TicketReturned: ["回到队列", "returned"],
  };
  const WINDOW_STATUS = { open: ["开放中", "open"], paused: ["暂停", "paused"], closed: ["已关闭", "closed"] };
  const TICKET_STATUS = { called: ["已叫号", "called"], serving: ["办理中", "serving"] };

  let session = null; // {token, username, role}
  let view = null;
  let busy = false;
  let live = null;

  function el(tag, className, ...children) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    e.append(...children);
    return e;
  }

  function ruleText(rule) {
    if (!rule) return bi("—", "—");
    const fallback = rule.startsWith("fallback:");
    const name = fallback ? rule.slice(9) : rule;
    const [zh, en] = RULES[name] || [name, name];
    return fallback ? bi(`兼办：${zh}`, `other skill: ${en}`) : bi(zh, en);
  }

  const time = (iso) => new Date(iso).toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" });

  function serviceName(id) {
    const s = services[id];
    return s ? bi(s.name_zh, s.name_en) : bi(id, id);
  }

  // The history's notes are written in English for the log; say them in both languages.
  const NOTES = {
    TicketCalled: [/^rule (\S+?)(?:: (.*))?$/, (m) => [ruleText(m[1]), m[2] ? "：" + m[2] : ""]],
    TicketIssued: [/^(\S+), (\w+) lane, (\w+)(?:, slot (.*))?$/, (m) => {
      const lane = laneOf[m[2]] || { zh: m[2], en: m[2] };
      const slot = m[4] ? bi(` · 预约 ${time(m[4])}`, ` · slot ${time(m[4])}`) : "";
      return [serviceName(m[1]), " · ", bi(lane.zh, lane.en), " · ", bi(CHANNELS[m[3]] || m[3], m[3]), slot];
    }],
    TicketTransferred: [/^to (\S+)(?: window (\d+))?(, at the front)?(?:: (.*))?$/, (m) => [
      bi("转至 ", "to "), serviceName(m[1]), m[2] ? bi(` · ${m[2]} 号窗口`, ` · window ${m[2]}`) : "",
      m[3] ? bi("，排最前", ", at the front") : "", m[4] ? "：" + m[4] : ""]],
    TicketParked: [/^missing (.*); until (.*)$/, (m) => [bi(`缺：${m[1]}；${time(m[2])} 前补齐`, `missing ${m[1]}; until ${time(m[2])}`)]],
    TicketMarkedNoShow: [/^automatic after recalls$/, () => [bi("多次重呼后自动过号", "automatic after recalls")]],
  };
  const CHANNELS = { kiosk: "取号机", mobile: "手机", appointment: "预约", staff: "窗口代取" };

  function noteOf(line) {
    const [pattern, say] = NOTES[line.event] || [];
    const m = pattern && pattern.exec(line.note || "");
    const f = document.createDocumentFragment();
    f.append(...(m ? say(m) : [line.note || ""]));
    return f;
  }

  // ---- errors ------------------------------------------------------------------------

  function errorBox() {
    const open = document.querySelector("dialog[open]");
    return open ? open.querySelector("[data-error]") : $("error");
  }

  function showError(error) {
    const box = errorBox();
    box.replaceChildren(el("strong", "", bi(error.message_zh, error.message_en)), el("small", "code", ` (${error.code})`));
    box.hidden = false;
  }

  function clearErrors() {
    for (const box of document.querySelectorAll(".error-box")) box.hidden = true;
  }

  // ---- rendering -----------------------------------------------------------------------

  function render(v) {
    view = v;
    const [zh, en] = WINDOW_STATUS[v.status] || [v.status, v.status];
    const chip = $("window-status");
    chip.replaceChildren(bi(zh, en));
    chip.dataset.status = v.status;
    $("pause-reason").textContent = v.status === "paused" && v.pause_reason ? v.pause_reason : "";
    const assigned = $("assigned");
    assigned.replaceChildren(bi("主办：", "Serving: "));
    v.services.forEach((s, i) => { if (i) assigned.append("、"); assigned.append(serviceName(s)); });
    if (v.staff) assigned.append(" · ", bi(`工作人员 ${v.staff}`, `staff ${v.staff}`));

    const cur = v.current;
    $("current").hidden = !cur;
    $("current-empty").hidden = !!cur;
    if (cur) {
      const number = $("cur-number");
      number.textContent = cur.number;
      number.className = `cur-number lane-${cur.lane}`;
      $("cur-service").replaceChildren(serviceName(cur.service));
      const lane = laneOf[cur.lane];
      const laneChip = $("cur-lane");
      laneChip.className = `lane-chip lane-${cur.lane}`;
      laneChip.replaceChildren(lane ? bi(lane.zh, lane.en) : bi(cur.lane, cur.lane));
      const [szh, sen] = TICKET_STATUS[cur.status] || [cur.status, cur.status];
      $("cur-status").replaceChildren(bi(szh, sen));
      $("cur-status").dataset.status = cur.status;
      const wait = $("cur-wait");
      wait.replaceChildren();
      if (cur.waited_min !== null) wait.append(bi(`已等候 ${cur.waited_min} 分钟`, `waited ${cur.waited_min} min`));
      if (cur.called_at) wait.append(" · ", bi(`叫号于 ${time(cur.called_at)}`, `called at ${time(cur.called_at)}`));
      $("cur-history").replaceChildren(...cur.history.map((line) => {
        const [ezh, een] = EVENTS[line.event] || [line.event, line.event];
        const where = line.window ? bi(` · ${line.window} 号窗口`, ` · window ${line.window}`) : "";
        return el("li", `ev-${line.event}`, el("time", "", time(line.at)), el("b", "", bi(ezh, een)), where,
          el("span", "note", noteOf(line)));
      }));
    }
    $("last-rule").replaceChildren(ruleText(v.last_rule));

    const rows = v.skills.map((s) => {
      const counts = v.waiting[s] || { green: 0, yellow: 0, blue: 0 };
      const name = el("td", "", serviceName(s));
      if (!v.services.includes(s)) name.append(" ", el("span", "tag", bi("兼办", "backup")));
      const row = el("tr", v.services.includes(s) ? "assigned" : "", name,
        ...["green", "yellow", "blue"].map((l) => el("td", `n lane-${l}${counts[l] ? " some" : ""}`, String(counts[l]))));
      row.dataset.service = s;
      return row;
    });
    $("waiting").replaceChildren(...rows);
    updateButtons();
  }

  function parked() {
    try { return JSON.parse(sessionStorage.getItem(PARKED_KEY)) || []; } catch (e) { return []; }
  }

  function setParked(list) { sessionStorage.setItem(PARKED_KEY, JSON.stringify(list)); }

  function allowed(action) {
    if (!view) return false;
    const cur = view.current, st = view.status, called = cur && cur.status === "called";
    const serving = cur && cur.status === "serving";
    switch (action) {
      case "open": return st === "closed";
      case "close": return st !== "closed" && !cur;
      case "pause": return st !== "closed";
      case "call-next": return st === "open" && !cur;
      case "recall": case "no-show": case "start": return !!called;
      case "finish": case "transfer": return !!serving;
      case "park": return !!(called || serving);
      case "return": return !!called || parked().length > 0;
      default: return false;
    }
  }

  function updateButtons() {
    for (const b of document.querySelectorAll("[data-action]")) {
      if (b.tagName === "BUTTON") b.disabled = busy || !allowed(b.dataset.action);
    }
    for (const b of document.querySelectorAll("dialog button[type=submit]")) b.disabled = busy;
    const paused = view && view.status === "paused";
    $("pause-label").replaceChildren(paused ? bi("恢复", "Resume") : bi("暂停", "Pause"));
  }

  // ---- commands --------------------------------------------------------------------------

  async function send(action, body) {
    if (busy) return false;
    busy = true;
    updateButtons();
    try {
      const path = `/api/halls/${encodeURIComponent(hall.id)}/windows/${windowNo}/${action}`;
      const answer = await Hallq.api("POST", path, { request_id: Hallq.requestId(`w${windowNo}-${action}`), ...body }, session.token);
      clearErrors();
      render(answer);
      return true;
    } catch (e) {
      if (e.status === 401) { logout(); showError(e.error); return false; }
      showError(e.error || { code: "network", message_zh: "网络错误，请重试", message_en: "network error; please try again" });
      return false;
    } finally {
      busy = false;
      updateButtons();
    }
  }

  function openDialog(id, fill) {
    const dlg = $(id);
    dlg.querySelector("form").reset();
    dlg.querySelector("[data-error]").hidden = true;
    for (const f of dlg.querySelectorAll("[data-fill=number]")) f.textContent = view.current ? view.current.number : "";
    if (fill) fill(dlg);
    dlg.showModal();
  }

  function checkItem(type, name, value, label) {
    const input = el("input");
    Object.assign(input, { type, name, value });
    return el("label", "", input, el("span", "", label));
  }

  function materialLabel(text) { // "身份证 ID card" -> zh "身份证", en "ID card"
    const i = text.indexOf(" ");
    return i > 0 ? bi(text.slice(0, i), text.slice(i + 1)) : bi(text, text);
  }

  function parkUntilText(form) {
    const minutes = Number(form.elements.minutes.value) || 0;
    const until = new Date(Date.now() + minutes * 60000);
    $("park-until").replaceChildren(bi(`补齐期限：${time(until)} 前`, `deadline: before ${time(until)}`));
  }

  const OPENERS = {
    finish: () => openDialog("dlg-finish"),
    transfer: () => openDialog("dlg-transfer"),
    park: () => openDialog("dlg-park", (dlg) => {
      const s = view.current && services[view.current.service];
      $("park-materials").replaceChildren(...(s ? s.materials : []).map((m) => checkItem("checkbox", "missing", m, materialLabel(m))));
      parkUntilText(dlg.querySelector("form"));
    }),
    return: () => openDialog("dlg-return", () => {
      const choices = [];
      if (view.current && view.current.status === "called") {
        choices.push(checkItem("radio", "ticket", view.current.number, bi(`${view.current.number}（当前号）`, `${view.current.number} (at the counter)`)));
      }
      for (const p of parked()) {
        choices.push(checkItem("radio", "ticket", p.number, bi(`${p.number} 容缺挂起，${time(p.until)} 前`, `${p.number} parked, until ${time(p.until)}`)));
      }
      $("return-choices").replaceChildren(...choices);
      const first = $("return-choices").querySelector("input");
      if (first) first.checked = true;
    }),
    pause: () => {
      if (view.status === "paused") send("resume", {});
      else openDialog("dlg-pause");
    },
  };

  // Buttons are disabled where an action makes no sense, but the server is the judge:
  // a click on an enabled button always asks it.
  function act(action) {
    if (busy || !session || !view) return;
    clearErrors();
    if (OPENERS[action]) OPENERS[action]();
    else send(action, {});
  }

  const FORMS = {
    finish: (f) => {
      const body = {};
      if (f.elements.rating.value) body.rating = Number(f.elements.rating.value);
      if (f.elements.result.value.trim()) body.result = f.elements.result.value.trim();
      return ["finish", body];
    },
    transfer: (f) => {
      const body = {};
      if (f.elements.to_service.value) body.to_service = f.elements.to_service.value;
      if (f.elements.to_window.value) body.to_window = Number(f.elements.to_window.value);
      if (f.elements.front.checked) body.placement = "front";
      if (f.elements.note.value.trim()) body.note = f.elements.note.value.trim();
      return ["transfer", body];
    },
    park: (f) => {
      const missing = [...f.querySelectorAll("input[name=missing]:checked")].map((i) => i.value);
      if (f.elements.other.value.trim()) missing.push(f.elements.other.value.trim());
      const minutes = Number(f.elements.minutes.value) || 0;
      return ["park", { missing, until: new Date(Date.now() + minutes * 60000).toISOString() }];
    },
    return: (f) => {
      const typed = f.elements.ticket_other.value.trim().toUpperCase();
      const picked = f.querySelector("input[name=ticket]:checked");
      return ["return", { ticket: typed || (picked ? picked.value : "") }];
    },
    pause: (f) => {
      const preset = f.querySelector("input[name=preset]:checked");
      const parts = [preset ? preset.value : "", f.elements.reason.value.trim()].filter(Boolean);
      return ["pause", { reason: parts.join("：") }];
    },
  };

  async function submitDialog(form) {
    const [action, body] = FORMS[form.dataset.action](form);
    const number = view.current ? view.current.number : null;
    const ok = await send(action, body);
    if (!ok) return;
    if (action === "park" && number) {
      setParked([...parked().filter((p) => p.number !== number), { number, until: body.until }]);
    } else if (action === "return") {
      setParked(parked().filter((p) => p.number !== body.ticket));
    }
    form.closest("dialog").close();
    updateButtons();
  }

  // ---- session and live channel ----------------------------------------------------------

  function showLoggedIn() {
    $("login").hidden = true;
    $("desk").hidden = false;
    $("logout").hidden = false;
    const who = $("who");
    who.hidden = false;
    who.textContent = session.username;
    if (live) live.close();
    live = Hallq.live([{ channel: `window:${hall.id}:${windowNo}`, token: session.token }], onMessage, onState);
    updateButtons(); // held until the window's snapshot arrives: a press before it would do nothing
  }

  function logout() {
    if (live) { live.close(); live = null; }
    session = null;
    view = null;
    sessionStorage.removeItem(SESSION_KEY);
    $("login").hidden = false;
    $("desk").hidden = true;
    $("logout").hidden = true;
    $("who").hidden = true;
    onState("idle");
    for (const d of document.querySelectorAll("dialog[open]")) d.close();
  }

  function onMessage(m) {
    if (m.op === "error") {
      const [en, zh] = (m.message || "").split(" / ");
      const error = { code: m.code, message_zh: zh || "无法订阅窗口：" + en, message_en: en };
      if (m.code === "unauthorized") {
        logout();
        error.message_zh = "登录已失效，请重新登录";
        error.message_en = "your session has expired; please log in again";
      }
      showError(error);
      return;
    }
    if (m.type === "snapshot" && m.data) render(m.data);
  }

  function onState(state) {
    const s = $("live-state");
    s.dataset.state = state;
    const text = { live: ["● 实时", "● live"], connecting: ["连接中…", "connecting…"], offline: ["离线", "offline"] }[state];
    s.replaceChildren(text ? bi(...text) : "");
    document.body.classList.toggle("offline", state === "offline");
  }

  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target, button = form.querySelector("button");
    if (button.disabled) return;
    button.disabled = true;
    try {
      const answer = await Hallq.api("POST", "/api/login", { username: form.elements.username.value, password: form.elements.password.value });
      session = { token: answer.token, role: answer.role, username: form.elements.username.value };
      sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
      form.reset();
      clearErrors();
      showLoggedIn();
    } catch (e) {
      showError(e.error || { code: "network", message_zh: "网络错误，请重试", message_en: "network error; please try again" });
    } finally {
      button.disabled = false;
    }
  });
  $("logout").addEventListener("click", () => { clearErrors(); logout(); });

  for (const b of document.querySelectorAll("button[data-action]")) {
    b.addEventListener("click", () => { b.blur(); act(b.dataset.action); });
  }
  for (const form of document.querySelectorAll("dialog form")) {
    form.addEventListener("submit", (event) => { event.preventDefault(); submitDialog(form); });
    form.querySelector("[data-cancel]").addEventListener("click", () => form.closest("dialog").close());
  }
  document.querySelector("#dlg-park form").addEventListener("input", (e) => parkUntilText(e.currentTarget));

  const KEYS = {};
  for (const b of document.querySelectorAll("button[data-key]")) KEYS[b.dataset.key] = b;
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || event.repeat) return;
    if (document.querySelector("dialog[open]") || !session) return;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName)) return;
    const button = KEYS[event.key.toLowerCase()];
    if (!button) return;
    event.preventDefault(); // Space must not also press a focused button
    if (!button.disabled) act(button.dataset.action);
  });

  document.addEventListener("keyup", (event) => { // nor on its release
    if (event.key === " " && session && !document.querySelector("dialog[open]") &&
        !/^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName)) event.preventDefault();
  });

  try { session = JSON.parse(sessionStorage.getItem(SESSION_KEY)); } catch (e) { session = null; }
  if (session && session.token) showLoggedIn();
  else logout();
})();
