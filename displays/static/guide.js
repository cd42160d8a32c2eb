/* guide.js — the service guide's search answers as one types (the form works without it),
 * and the checklist's print button. No framework: a debounced fetch and a list redrawn. */
(function () {
  "use strict";
  const printButton = document.getElementById("print-now");
  if (printButton) printButton.addEventListener("click", () => window.print());

  // 远程取号: a ticket from home that waits as "remote" until the phone's QR is scanned at
  // a kiosk; its page says when it is time to come.
  const remote = document.getElementById("remote");
  if (remote) remote.addEventListener("click", async () => {
    remote.disabled = true;
    try {
      const answer = await Hallq.api("POST", `/api/halls/${remote.dataset.hall}/tickets`, {
        service: remote.dataset.service, remote: true, request_id: Hallq.requestId("remote"),
      });
      location.href = `/t/${answer.token}`;
    } catch (e) {
      const box = document.getElementById("remote-error");
      const error = e.error || { message_zh: "网络故障，请重试", message_en: "network problem; please try again" };
      box.replaceChildren(Hallq.both(error.message_zh, error.message_en));
      box.hidden = false;
      remote.disabled = false;
    }
  });

  const main = document.getElementById("guide");
  const input = document.getElementById("q");
  const results = document.getElementById("results");
  if (!main || !input || !results) return;
  const hall = main.dataset.hall;
  // The server's zone list, shown again when the box is emptied (if that is what came first).
  const zoneList = input.defaultValue ? null : results.innerHTML;
  let timer = null, asked = 0;

  function item(hit) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.className = "result";
    a.href = `/halls/${encodeURIComponent(hall)}/guide/${encodeURIComponent(hit.service)}`;
    const zh = document.createElement("span"); zh.className = "result-name"; zh.lang = "zh-CN"; zh.textContent = hit.name_zh;
    const en = document.createElement("span"); en.className = "result-en"; en.lang = "en"; en.textContent = hit.name_en;
    a.append(zh, en);
    li.append(a);
    return li;
  }

  function show(hits) {
    if (!hits.length) {
      const p = document.createElement("p");
      p.className = "card empty";
      p.append(Hallq.both("没有找到相关事项，请换个词试试", "Nothing found; try another word"));
      results.replaceChildren(p);
      return;
    }
    const ol = document.createElement("ol");
    ol.className = "results card";
    ol.append(...hits.map(item));
    results.replaceChildren(ol);
  }

  async function ask(query) {
    const mine = ++asked;  // answers can arrive out of order; only the latest is drawn
    const url = `/api/halls/${encodeURIComponent(hall)}/guide?q=${encodeURIComponent(query)}`;
    try {
      const response = await fetch(url);
      if (!response.ok || mine !== asked) return;
      const body = await response.json();
      if (mine === asked) show(body.results);
    } catch (e) { /* offline: the form still submits */ }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const query = input.value.trim().slice(0, 50);
    const address = query ? `?q=${encodeURIComponent(query)}` : location.pathname;
    history.replaceState(null, "", address);
    if (!query && zoneList !== null) { asked++; results.innerHTML = zoneList; return; }
    timer = setTimeout(() => ask(query), 120);
  });
})();
