/*
 * Live room board: a websocket gives a snapshot, then numbered deltas. A gap in the numbers asks for
 * a new snapshot; a dropped socket reconnects by itself (1 s, 2 s, 4 s … at most 10 s) and resyncs.
 * A heartbeat comes every few seconds by the road the deltas take, with the room's delta number:
 * without one for three periods the badge says the board is not up to date (and a snapshot is asked
 * for each period meanwhile: live/freshness.js); a number ahead of the board's means deltas were lost:
 * resync.
 */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("board-config").textContent);
  const L = JSON.parse(document.getElementById("board-labels").textContent);
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const tbody = document.getElementById("board-rows");
  const conn = document.getElementById("conn");
  const statusBadge = document.getElementById("meeting-status");
  const errorBox = document.getElementById("board-error");
  const startBtn = document.getElementById("btn-start");
  const endBtn = document.getElementById("btn-end");

  const rows = new Map();
  let meeting = null;
  let roomState = null;
  let seq = null;
  let socket = null;
  let retry = 0;

  const STATE_CLASS = { not_connected: "secondary", connecting: "warning", connected: "info", publishing: "success" };
  const QUALITY_CLASS = { good: "success", fair: "warning", poor: "danger" };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "class") node.className = v;
      else if (k.startsWith("data-")) node.setAttribute(k, v);
      else node[k] = v;
    });
    children.flat().forEach((c) => node.append(c instanceof Node ? c : document.createTextNode(c)));
    return node;
  }

  function badge(text, kind) {
    return el("span", { class: "badge text-bg-" + kind }, text);
  }

  function time(iso) {
    // The portal's time zone, whatever the browser's: a time on the board is the district's local time.
    return iso ? new Date(iso).toLocaleTimeString("vi-VN", {
      hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, timeZone: config.time_zone,
    }) : "–";
  }

  async function act(url, body) {
    errorBox.hidden = true;
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body || {}),
      credentials: "same-origin",
    });
    if (!response.ok) {
      let data = {};
      try { data = await response.json(); } catch (e) { /* not JSON */ }
      const message = data.message || response.statusText;
      // A start the portal wants confirmed (the room booking is not approved) says why; the host decides.
      if (response.status === 409 && data.extra && data.extra.confirm && !(body && body[data.extra.confirm])) {
        if (confirm(message)) return act(url, { ...(body || {}), [data.extra.confirm]: true });
      }
      errorBox.textContent = message;
      errorBox.hidden = false;
    }
  }

  function renderRow(p) {
    const name = el("td", {}, p.name);
    if (p.host) name.append(" ", badge(L.host, "primary"));
    if (!p.invited) name.append(" ", badge(L.not_invited, "danger"));
    const audio = p.state === "not_connected" ? "–"
      : p.audio_muted ? badge(L.muted, "dark") : p.talking ? badge(L.talking, "success") : L.silent;
    const quality = p.quality
      ? [badge(L[p.quality], QUALITY_CLASS[p.quality]), " ", el("small", { class: "text-muted" },
          `${p.bitrate_kbps} ${L.kbps} · ${p.loss_pct}% ${L.loss}`)]
      : "–";
    const tr = el("tr", { "data-key": String(p.key), "data-state": p.state, "data-muted": String(p.audio_muted) },
      name,
      el("td", {}, badge(L[p.state] || p.state, STATE_CLASS[p.state] || "secondary")),
      el("td", { class: "audio" }, audio),
      el("td", {}, quality),
      el("td", { class: "small" }, time(p.changed_at)));
    if (config.operate) {
      const cell = el("td", { class: "text-end text-nowrap" });
      if (p.state !== "not_connected" && typeof p.key === "number" && meeting && meeting.status === "live") {
        const mute = el("button", { class: "btn btn-sm btn-outline-dark me-1", "data-action": "mute" },
          p.audio_muted ? L.unmute : L.mute);
        mute.onclick = () => act(`${config.api}participants/${p.key}/mute/`, { mute: !p.audio_muted });
        const drop = el("button", { class: "btn btn-sm btn-outline-danger", "data-action": "drop" }, L.drop);
        drop.onclick = () => { if (confirm(L.confirm_drop)) act(`${config.api}participants/${p.key}/drop/`); };
        cell.append(mute, drop);
      }
      tr.append(cell);
    }
    return tr;
  }

  // Participants the portal refused (another site's name or id, an unclaimed session): kicked and listed.
  function renderAlerts() {
    const box = document.getElementById("board-alerts");
    const alerts = (roomState && roomState.alerts) || [];
    box.hidden = !alerts.length;
    box.replaceChildren(...alerts.map((a) => el("div", {}, L.impostor.replace("%(name)s", a.target) + " · " + time(a.at))));
  }

  // Moves to another media server (the one the meeting was on stopped answering), the latest first.
  function renderMoves() {
    const box = document.getElementById("board-moves");
    const moves = (roomState && roomState.moves) || [];
    box.hidden = !moves.length;
    box.replaceChildren(...moves.map((m) => el("div", {}, L.moved.replace("%(name)s", m.target) + " · " + time(m.at))));
  }

  function render() {
    renderAlerts();
    renderMoves();
    tbody.replaceChildren(...[...rows.values()].map(renderRow));
    if (meeting) {
      statusBadge.textContent = L["status_" + meeting.status] || meeting.status;
      statusBadge.className = "badge text-bg-" + (meeting.status === "live" ? "success" : "secondary");
      if (startBtn) startBtn.hidden = meeting.status !== "scheduled";
      if (endBtn) endBtn.hidden = meeting.status !== "live";
      const recording = document.getElementById("recording-badge");
      if (recording) recording.hidden = !meeting.recording;
      const recordSwitch = document.getElementById("record-switch");
      if (recordSwitch) {
        recordSwitch.hidden = meeting.status !== "scheduled";
        document.getElementById("record-toggle").checked = !!meeting.record;
      }
    }
  }

  function isOpen() {
    return socket && socket.readyState === WebSocket.OPEN;
  }

  function resync() {
    if (isOpen()) socket.send(JSON.stringify({ type: "resync" }));
  }

  function showConnection() {
    if (!isOpen()) return; // onclose says it is reconnecting
    window.liveFreshness.badge(conn, freshness.stale, L);
  }

  const freshness = window.liveFreshness({
    beat: config.heartbeat_ms,
    isOpen,
    onStale: showConnection,
    onFresh: () => { resync(); showConnection(); }, // updates resumed: catch up with what was missed
    catchUp: resync, // the rows from the database meanwhile, once a period
  });

  function apply(message) {
    const data = message.data;
    if (message.type === "heartbeat") {
      const wasStale = freshness.stale;
      freshness.heard();
      if (!wasStale && seq !== null && data.seq > seq) resync(); // deltas were lost (a quiet room after an outage)
      return;
    }
    if (message.type === "delta") freshness.heard();
    if (message.type === "snapshot") {
      rows.clear();
      data.participants.forEach((p) => rows.set(String(p.key), p));
      meeting = data.meeting;
      roomState = data.room;
      seq = data.seq;
    } else if (message.type === "delta" && data.meeting) {
      // The meeting itself changed (started, room created, ended): rows may have been re-keyed, and a
      // meeting whose room does not exist yet sends the change unnumbered (seq 0). Show the new status
      // now and take a fresh snapshot.
      meeting = data.meeting;
      socket.send(JSON.stringify({ type: "resync" }));
    } else if (message.type === "delta") {
      if (seq !== null && data.seq <= seq) return; // already contained in the snapshot
      if (seq === null || data.seq !== seq + 1) {
        socket.send(JSON.stringify({ type: "resync" })); // a gap: something was lost
        return;
      }
      seq = data.seq;
      data.participants.forEach((p) => rows.set(String(p.key), p));
      if (data.room) roomState = data.room;
    }
    render();
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + config.ws);
    socket.onopen = () => {
      retry = 0;
      freshness.reset();
      showConnection();
    };
    socket.onmessage = (event) => apply(JSON.parse(event.data));
    socket.onclose = (event) => {
      conn.textContent = L.reconnecting;
      conn.className = "badge text-bg-warning";
      conn.dataset.state = "reconnecting";
      seq = null;
      if (event.code === 4403 || event.code === 4401) return; // not allowed: do not hammer the server
      const delay = Math.min(10000, 1000 * 2 ** retry++);
      setTimeout(connect, delay);
    };
  }

  if (startBtn) startBtn.onclick = () => act(`${config.api}start/`);
  if (endBtn) endBtn.onclick = () => { if (confirm(L.confirm_end)) act(`${config.api}end/`); };
  const recordToggle = document.getElementById("record-toggle");
  if (recordToggle) recordToggle.onchange = () => act(`${config.api}recording/`, { record: recordToggle.checked });
  window.liveBoard = { rows, get seq() { return seq; }, get socket() { return socket; }, get stale() { return freshness.stale; } };
  connect();
})();
