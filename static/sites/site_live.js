// The live site page: a websocket to /ws/sites/<pk>/ says which section changed
// ({"type": "section.changed", "section": "<key>"}); the page fetches that section's HTML from the
// portal and swaps the block marked data-section="<key>". After a dropped connection it reconnects
// with backoff and refreshes every section, since changes may have been missed meanwhile.
(function () {
  "use strict";
  const script = document.currentScript;
  if (!script || !("WebSocket" in window)) return;
  const wsPath = script.dataset.wsPath;
  const sectionUrl = script.dataset.sectionUrl;
  const state = { connected: false, refreshed: 0 };
  window.siteLive = state;
  const busy = new Map(); // key -> true while fetching, "again" when another change came meanwhile
  let delay = 1000;
  let everOpened = false;

  function block(key) {
    return document.querySelector(`[data-section="${CSS.escape(key)}"]`);
  }

  async function refresh(key) {
    if (!block(key)) return; // not on this page (no right to it)
    if (busy.has(key)) { busy.set(key, "again"); return; }
    busy.set(key, true);
    try {
      const response = await fetch(sectionUrl.replace("__key__", encodeURIComponent(key)), {
        credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest" },
      });
      const current = block(key);
      if (response.ok && current) {
        const template = document.createElement("template");
        template.innerHTML = (await response.text()).trim();
        const fresh = template.content.querySelector("[data-section]");
        if (fresh && fresh.dataset.section === key) {
          current.replaceWith(fresh);
          state.refreshed += 1;
        }
      }
    } catch (error) {
      // Offline for a moment: the next change or reconnection refreshes the section.
    } finally {
      const again = busy.get(key) === "again";
      busy.delete(key);
      if (again) refresh(key);
    }
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}${wsPath}`);
    socket.onopen = () => {
      delay = 1000;
      state.connected = true;
      if (everOpened) document.querySelectorAll("[data-section]").forEach((el) => refresh(el.dataset.section));
      everOpened = true;
    };
    socket.onmessage = (message) => {
      let event;
      try { event = JSON.parse(message.data); } catch (error) { return; }
      if (event && event.type === "section.changed" && typeof event.section === "string") refresh(event.section);
    };
    socket.onclose = () => {
      state.connected = false;
      // A refused handshake (logged out, no right) also lands here, as code 1006: keep retrying,
      // slowly, with jitter so that many pages do not reconnect all at once after a restart.
      setTimeout(connect, delay + Math.random() * 500);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
