/* hallq.js — what every page shares: the language toggle and the live connection.
 *
 * Hallq.live(subscriptions, onMessage, onState) keeps one WebSocket open to /ws,
 * subscribes to each {channel, token?}, remembers the last `seq` seen per channel and,
 * after any drop (network, server restart, a phone waking from sleep), reconnects with
 * back-off and resubscribes with `after` so the server sends what was missed or a fresh
 * snapshot. A watchdog reconnects when nothing (not even a heartbeat) arrives for 40 s.
 */
"use strict";

const Hallq = (() => {
  const LANG_KEY = "hallq-lang";

  function setLang(lang) {
    document.documentElement.classList.toggle("lang-en", lang === "en");
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    for (const b of document.querySelectorAll("[data-lang-toggle]")) {
      b.textContent = lang === "en" ? "中文" : "English";
    }
    try { localStorage.setItem(LANG_KEY, lang); } catch (e) { /* private mode */ }
  }

  function lang() {
    return document.documentElement.classList.contains("lang-en") ? "en" : "zh";
  }

  function initLang() {
    let saved = "zh";
    try { saved = localStorage.getItem(LANG_KEY) || "zh"; } catch (e) { /* ignore */ }
    setLang(saved);
    for (const b of document.querySelectorAll("[data-lang-toggle]")) {
      b.addEventListener("click", () => setLang(lang() === "en" ? "zh" : "en"));
    }
  }

  /* Text in both languages as DOM nodes: <span class="zh">…</span><span class="en">…</span> */
  function both(zh, en) {
    const f = document.createDocumentFragment();
    const a = document.createElement("span"); a.className = "zh"; a.textContent = zh;
    const b = document.createElement("span"); b.className = "en"; b.textContent = en;
    f.append(a, b);
    return f;
  }

  function setBoth(el, zh, en) {
    el.replaceChildren(both(zh, en));
  }

  function live(subscriptions, onMessage, onState) {
    const last = {};
    let ws = null, delay = 500, lastHeard = Date.now(), closedByUs = false, retry = null;
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
    const state = (s) => { if (onState) onState(s); };

    function connect() {
      // One socket at a time: a pending back-off and an "online" event must not both open one.
      if (retry !== null) { clearTimeout(retry); retry = null; }
      if (ws && ws.readyState <= 1) return;
      state("connecting");
      ws = new WebSocket(url);
      ws.onopen = () => {
        delay = 500;
        lastHeard = Date.now();
        for (const s of subscriptions) {
          const msg = { op: "subscribe", channel: s.channel };
          if (s.token) msg.token = s.token;
          if (last[s.channel] !== undefined) msg.after = last[s.channel];
          ws.send(JSON.stringify(msg));
        }
        state("live");
      };
      ws.onmessage = (event) => {
        lastHeard = Date.now();
        let m;
        try { m = JSON.parse(event.data); } catch (e) { return; }
        if (m.op === "error") { onMessage(m); return; }
        if (typeof m.seq === "number" && m.type !== "heartbeat") {
          last[m.channel] = Math.max(last[m.channel] || 0, m.seq);
        }
        onMessage(m);
      };
      ws.onclose = () => {
        state("offline");
        if (!closedByUs && retry === null) retry = setTimeout(connect, delay);
        delay = Math.min(delay * 2, 10000);
      };
      ws.onerror = () => { try { ws.close(); } catch (e) { /* ignore */ } };
    }

    function restart() {
      if (ws && ws.readyState <= 1) { try { ws.close(); } catch (e) { /* ignore */ } }
      else connect();
    }

    setInterval(() => { if (Date.now() - lastHeard > 40000) restart(); }, 5000);
    document.addEventListener("visibilitychange", () => {
      // A phone that slept may hold a dead socket that still looks open.
      if (!document.hidden && Date.now() - lastHeard > 20000) restart();
    });
    window.addEventListener("online", restart);
    connect();
    return { close: () => { closedByUs = true; if (ws) ws.close(); } };
  }

  async function api(method, path, body, token) {
    const headers = { "Content-Type": "application/json" };
    if (token) headers.Authorization = "Bearer " + token;
    const response = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) {
      const error = (data && data.error) || { code: "http_" + response.status, message_zh: "请求失败", message_en: "request failed" };
      const e = new Error(error.message_en);
      e.error = error; e.status = response.status;
      throw e;
    }
    return data;
  }

  function requestId(prefix) {
    const r = (crypto.randomUUID && crypto.randomUUID()) || (Date.now() + "-" + Math.random().toString(16).slice(2));
    return prefix + "-" + r;
  }

  document.addEventListener("DOMContentLoaded", initLang);
  return { live, api, both, setBoth, lang, setLang, requestId };
})();
