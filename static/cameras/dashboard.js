// The live camera dashboard: a websocket to /ws/cameras/alerts/; on every camera event (an alert, or
// numbers changed otherwise) the page fetches its live part again from the server, so the cards and
// the tables always come from the same read. Ticked incidents stay ticked across a refresh.
(function () {
  "use strict";
  const live = document.getElementById("dashboard-live");
  const status = document.getElementById("live-status");
  if (!live) return;
  let delay = 1000;
  let timer = null;
  let running = false;
  let again = false;
  window.cameraDashboard = { refreshed: 0, connected: false };

  async function refresh() {
    if (running) { again = true; return; }
    running = true;
    try {
      const ticked = new Set(Array.from(live.querySelectorAll('input[name="incident"]:checked')).map((b) => b.value));
      const response = await fetch(live.dataset.url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } });
      if (response.ok) {
        live.innerHTML = await response.text();
        live.querySelectorAll('input[name="incident"]').forEach((box) => { box.checked = ticked.has(box.value); });
        if (window.cameraIncidentForms) window.cameraIncidentForms.refresh();
        window.cameraDashboard.refreshed += 1;
      }
    } finally {
      running = false;
      if (again) { again = false; schedule(); }
    }
  }

  function schedule() {
    // A sweep can take several cameras offline at once: one refresh for the burst.
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/cameras/alerts/`);
    socket.onopen = () => {
      delay = 1000;
      window.cameraDashboard.connected = true;
      status.className = "badge text-bg-success";
      status.textContent = status.dataset.labelLive;
    };
    socket.onmessage = (message) => {
      const event = JSON.parse(message.data);
      // The snapshot on (re)connecting catches up on whatever changed while the socket was closed.
      if (["cameras.snapshot", "camera.alert", "cameras.changed"].includes(event.type)) schedule();
    };
    socket.onclose = (event) => {
      window.cameraDashboard.connected = false;
      status.className = "badge text-bg-secondary";
      status.textContent = status.dataset.labelOff;
      if (event.code === 4401 || event.code === 4403) return;  // not allowed: do not retry
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
