/*
 * The readiness board updates itself: it listens on the meeting's websocket (the live board's) for
 * `readiness` messages, each carrying whole rows (colour, checklist, test call), and redraws those rows.
 * Once connected (and after every reconnect) it reloads the rows from the page: a change made between
 * the page's rendering and the connection, or while disconnected, sent no message this page heard.
 * Like the live board it knows when its updates stopped (live/freshness.js: the socket's heartbeat):
 * the badge says it is not up to date and the rows are reloaded once a period meanwhile; when updates
 * resume, or a heartbeat was missed (a `readiness` message may have been lost with it), the rows are
 * reloaded again.
 */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("readiness-config").textContent);
  const L = JSON.parse(document.getElementById("readiness-labels").textContent);
  const tbody = document.getElementById("readiness-rows");
  const conn = document.getElementById("conn");
  let socket = null;
  let retry = 0;
  let reloads = 0;

  function mark(value) { return value ? "✔" : "–"; }

  function applyRow(row) {
    const tr = tbody.querySelector(`tr[data-site="${row.bridge_point_id}"]`);
    if (!tr) return;
    tr.dataset.colour = row.colour;
    const dot = tr.querySelector('[data-field="colour"]');
    dot.className = "readiness-dot readiness-" + row.colour;
    dot.title = L[row.colour] || row.colour;
    for (const name of ["camera_ok", "microphone_ok", "display_ok", "link_ok", "media_received"]) {
      const cell = tr.querySelector(`[data-field="${name}"]`);
      if (cell) cell.textContent = mark(row[name]);
    }
    const test = tr.querySelector('[data-field="test_call"]');
    if (test) test.textContent = row.test_call || "–";
  }

  async function reloadRows() {
    try {
      const response = await fetch(location.href, { credentials: "same-origin" });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("readiness-rows");
      if (fresh) {
        tbody.replaceChildren(...fresh.children);
        reloads += 1;
      }
    } catch (error) {
      // The next reconnect or period tries again.
    }
  }

  function isOpen() {
    return socket && socket.readyState === WebSocket.OPEN;
  }

  function showConnection() {
    if (!isOpen()) return; // onclose says it is reconnecting
    window.liveFreshness.badge(conn, freshness.stale, L);
  }

  const freshness = window.liveFreshness({
    beat: config.heartbeat_ms,
    isOpen,
    onStale: showConnection,
    onFresh: () => { reloadRows(); showConnection(); },
    catchUp: reloadRows,
  });

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + config.ws);
    socket.onopen = () => {
      retry = 0;
      freshness.reset();
      showConnection();
      reloadRows();
    };
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "heartbeat") {
        const wasStale = freshness.stale;
        const gap = freshness.heard();
        // A heartbeat missed but not yet stale: a readiness message may have been lost with it.
        if (!wasStale && gap > 1.5 * freshness.beat) reloadRows();
      } else if (message.type === "readiness") {
        freshness.heard();
        message.data.rows.forEach(applyRow);
      }
    };
    socket.onclose = (event) => {
      conn.textContent = L.reconnecting;
      conn.className = "badge text-bg-warning";
      conn.dataset.state = "reconnecting";
      if (event.code === 4403 || event.code === 4401) return;
      setTimeout(connect, Math.min(10000, 1000 * 2 ** retry++));
    };
  }

  window.liveReadiness = { get stale() { return freshness.stale; }, get reloads() { return reloads; } };
  connect();
})();
