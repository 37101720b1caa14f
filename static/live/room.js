/*
 * The briefing room of a bridge point (b17–b20). One Janus session with up to three handles:
 *  - a publisher: this site's camera and microphone (simulcast video), with the id the portal gave it;
 *  - a multistream subscriber: the feeds this page plays (a commune: the chair, the floor holder, any
 *    shared screen and every site's audio; the chair: every site, video on the lowest layer);
 *  - a share publisher while this site shares a screen or window.
 * Before joining, the page tells the portal which Janus session it opened (`session` API): a join with
 * this site's id from any other session is refused as an impostor. The floor, the agenda item on screen
 * and every site's state come from the meeting's websocket (snapshot, then numbered deltas).
 * After any media failure the page rejoins by itself (2 s, 4 s … at most 30 s) and says what it is
 * doing; when the meeting ends it says so and stops.
 */
(function () {
  "use strict";
  const page = JSON.parse(document.getElementById("room-page").textContent);
  const L = JSON.parse(document.getElementById("room-labels").textContent);
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const $ = (id) => document.getElementById(id);
  const isHost = page.role === "host";

  let cfg = page.join; // null until the room is open
  let janus = null;
  let pub = null; // publisher handle
  let sub = null; // subscriber handle
  let share = null; // share publisher handle
  let localShare = null; // this site's shared screen, shown from the local track (not sent back by Janus)
  let wantIn = false;
  let ended = false;
  let retries = 0;
  let retryTimer = null;
  let watchdog = null;
  let audioOnly = localStorage.getItem("live-audio-only-" + page.bridge_point) === "1";

  // Janus's view: publishers in the room, by feed id → {display, streams: [{type, mid, disabled}]}.
  const publishers = new Map();
  // What the subscriber receives: sub mid → {feed, feedMid, type}; wanted "feed:mid" keys.
  const subStreams = new Map();
  let subscribed = new Set();
  let subBusy = false;
  let subDirty = false;
  const remoteStreams = new Map(); // sub mid → MediaStream
  const audioEls = new Map(); // sub mid → <audio>

  // The portal's view (websocket): rows by key, the room state, the meeting.
  const rows = new Map();
  let room = null;
  let meeting = null;
  let seq = null;
  let socket = null;
  let socketRetry = 0;

  //
  // Small helpers
  //

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "class") node.className = v;
      else if (k.startsWith("data-") || k.startsWith("aria-")) node.setAttribute(k, v);
      else node[k] = v;
    });
    children.flat().forEach((c) => c !== null && c !== undefined && node.append(c instanceof Node ? c : document.createTextNode(c)));
    return node;
  }

  function say(text, kind) {
    const status = $("call-status");
    status.textContent = text;
    status.className = "small text-" + (kind || "muted");
    status.dataset.kind = kind || "muted";
  }

  async function api(method, url, body) {
    const response = await fetch(url, {
      method,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    let data = null;
    try { data = await response.json(); } catch (e) { /* empty body */ }
    if (!response.ok) {
      const box = $("room-error");
      box.textContent = (data && (data.message || data.detail)) || response.statusText;
      box.hidden = false;
      setTimeout(() => { box.hidden = true; }, 6000);
    }
    return { ok: response.ok, status: response.status, data };
  }

  function time(iso) {
    // The portal's time zone, whatever the browser's clock says.
    return iso ? new Date(iso).toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: page.time_zone }) : "";
  }

  //
  // Who is who: board rows by feed and by bridge point
  //

  function rowByFeed(feed) {
    for (const row of rows.values()) if (row.feed === feed || row.share_feed === feed) return row;
    return null;
  }
  function rowByBridgePoint(id) {
    for (const row of rows.values()) if (row.bridge_point_id === id) return row;
    return null;
  }
  function hostRow() {
    for (const row of rows.values()) if (row.host) return row;
    return null;
  }
  function holderRow() {
    return room && room.floor ? rowByBridgePoint(room.floor.bridge_point_id) : null;
  }
  function shareFeeds() {
    const out = [];
    for (const row of rows.values()) if (row.share_feed && publishers.has(row.share_feed)) out.push(row.share_feed);
    if (localShare && cfg && !out.includes(cfg.share_id)) out.push(cfg.share_id);
    return out;
  }

  //
  // Joining and leaving
  //

  async function fetchConfig() {
    let response;
    try {
      response = await fetch(page.config_url, { credentials: "same-origin" });
    } catch (e) {
      return "offline";
    }
    if (response.status === 410) { meetingEnded(); return "ended"; }
    if (response.status === 403) return "forbidden";
    if (!response.ok) return "waiting";
    cfg = await response.json();
    return "ok";
  }

  function join() {
    wantIn = true;
    retries = 0;
    $("btn-join").hidden = true;
    $("btn-leave").hidden = false;
    connect();
  }

  function leave(message) {
    wantIn = false;
    clearTimeout(retryTimer);
    teardown();
    $("btn-join").hidden = ended || !cfg;
    $("btn-leave").hidden = true;
    if (message) say(message, "muted");
    renderControls();
  }

  function teardown() {
    clearTimeout(watchdog);
    $("mic-status").hidden = true;
    const old = janus;
    janus = pub = sub = share = null;
    publishers.clear();
    subStreams.clear();
    subscribed = new Set();
    subBusy = subDirty = false;
    remoteStreams.clear();
    audioEls.forEach((a) => a.remove());
    audioEls.clear();
    if (old) {
      try { old.destroy({ notifyDestroyed: false }); } catch (e) { /* already gone */ }
    }
    renderStage();
  }

  function retryLater(reason) {
    if (!wantIn || ended) return;
    teardown();
    const delay = Math.min(30000, 2000 * 2 ** retries++);
    say(L.reconnecting.replace("%(reason)s", reason || "").replace("%(seconds)s", Math.round(delay / 1000)), "warning");
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, delay);
  }

  async function connect() {
    if (!wantIn || ended) return;
    say(L.connecting, "muted");
    const got = await fetchConfig();
    if (got === "ended") return;
    if (got === "forbidden") { leave(L.forbidden); return; }
    if (got !== "ok") { retryLater(got === "waiting" ? L.room_not_open : L.offline); return; }
    Janus.init({
      debug: false,
      dependencies: Janus.useDefaultDependencies(),
      callback: () => {
        const session = new Janus({
          server: cfg.server,
          token: cfg.token,
          iceServers: cfg.ice_servers || [],
          success: () => claimThenJoin(session),
          error: (error) => { if (janus === session || !janus) retryLater(String(error)); },
          destroyed: () => {},
        });
        janus = session;
      },
    });
  }

  async function claimThenJoin(session) {
    if (janus !== session) return;
    const claim = await api("POST", page.session_url, { session_id: session.getSessionId() });
    if (claim.status === 410) { meetingEnded(); return; }
    if (!claim.ok) { retryLater(L.error); return; }
    session.attach({
      plugin: "janus.plugin.videoroom",
      success: (handle) => {
        pub = handle;
        joinAs(handle, cfg.id);
      },
      error: (error) => retryLater(String(error)),
      onmessage: onPublisherMessage,
      onlocaltrack: (track, on) => {
        if (track.kind !== "video") return;
        $("local-video").srcObject = on ? new MediaStream([track]) : null;
      },
      iceState: (state) => { if (state === "failed") retryLater(L.ice_failed); },
      webrtcState: (on, reason) => {
        if (on) {
          retries = 0;
          clearTimeout(watchdog);
          say(L.publishing, "success");
        } else if (wantIn && !ended) {
          retryLater(reason || L.hangup);
        }
      },
    });
    // A join that never gets media up (a silent failure) is retried too.
    clearTimeout(watchdog);
    watchdog = setTimeout(() => retryLater(L.no_media), 25000);
  }

  // Join as a publisher with an id the portal gave this site (its camera's, or its shared screen's).
  function joinAs(handle, id) {
    handle.send({ message: {
      request: "join", ptype: "publisher", room: cfg.room, id, display: cfg.display, pin: cfg.pin, token: cfg.token,
    } });
  }

  function publish() {
    const tracks = [{ type: "audio", capture: true, recv: false }, { type: "video", capture: true, recv: false, simulcast: true }];
    pub.createOffer({
      tracks,
      success: (jsep) => pub.send({ message: { request: "configure", audio: true, video: true, bitrate: cfg.bitrate }, jsep }),
      error: (error) => { say(L.no_camera + ": " + (error.message || error), "danger"); },
    });
  }

  function onPublisherMessage(msg, jsep) {
    const event = msg.videoroom;
    if (msg.error) {
      retryLater(msg.error);
    } else if (event === "joined") {
      say(L.joined, "info");
      notePublishers(msg.publishers);
      publish();
    } else if (event === "destroyed") {
      // The meeting ended, or the room is being created again after a media server restart.
      fetchConfig().then((got) => { if (got !== "ended") retryLater(L.room_restarting); });
    } else if (event === "event") {
      if (msg.publishers) notePublishers(msg.publishers);
      if (msg.unpublished !== undefined) dropPublisher(msg.unpublished);
      if (msg.leaving !== undefined && msg.leaving !== "ok") dropPublisher(msg.leaving);
      if (msg.moderation && String(msg.id) === String(cfg.id)) {
        const mic = $("mic-status");
        mic.textContent = msg.moderation === "muted" ? L.mic_muted : L.unmuted;
        mic.className = "badge " + (msg.moderation === "muted" ? "text-bg-secondary" : "text-bg-success");
        mic.hidden = false;
      }
      if (msg.leaving === "ok" && msg.reason === "kicked") {
        fetchConfig().then((got) => {
          if (got !== "ended") { leave(); say(L.kicked, "danger"); }
        });
      }
    }
    if (jsep) pub.handleRemoteJsep({ jsep });
  }

  function notePublishers(list) {
    (list || []).forEach((p) => publishers.set(p.id, { display: p.display, streams: p.streams || [] }));
    updateSubscriptions();
  }

  function dropPublisher(id) {
    if (!publishers.delete(id)) return;
    updateSubscriptions();
  }

  //
  // The subscriber: what this page plays
  //

  function wantedStreams() {
    const host = hostRow();
    const holder = holderRow();
    const shares = new Set(shareFeeds());
    const wanted = [];
    for (const [feed, info] of publishers) {
      if (feed === cfg.id || feed === cfg.share_id) continue;
      for (const stream of info.streams) {
        if (stream.disabled) continue;
        if (stream.type === "audio") {
          wanted.push({ feed, mid: stream.mid });
        } else if (stream.type === "video") {
          const take = isHost || shares.has(feed) || (host && feed === host.feed)
            || (!audioOnly && holder && feed === holder.feed);
          if (take) wanted.push({ feed, mid: stream.mid });
        }
      }
    }
    return wanted;
  }

  function updateSubscriptions() {
    if (!janus || !cfg) return;
    const wanted = wantedStreams();
    const keys = new Set(wanted.map((s) => s.feed + ":" + s.mid));
    if (!sub) {
      if (!wanted.length || subBusy) return;
      subBusy = true;
      subscribed = keys;
      janus.attach({
        plugin: "janus.plugin.videoroom",
        success: (handle) => {
          sub = handle;
          handle.send({ message: { request: "join", ptype: "subscriber", room: cfg.room, pin: cfg.pin, token: cfg.token, streams: wanted } });
        },
        error: (error) => { subBusy = false; retryLater(String(error)); },
        onmessage: onSubscriberMessage,
        onremotetrack: onRemoteTrack,
        iceState: (state) => { if (state === "failed") retryLater(L.ice_failed); },
        webrtcState: (on, reason) => { if (!on && wantIn && !ended && sub) retryLater(reason || L.hangup); },
      });
      return;
    }
    if (subBusy) { subDirty = true; return; }
    const add = wanted.filter((s) => !subscribed.has(s.feed + ":" + s.mid));
    const remove = [...subscribed].filter((k) => !keys.has(k)).map((k) => {
      const [feed, mid] = k.split(":");
      return { feed: Number(feed), mid };
    });
    if (!add.length && !remove.length) return;
    subBusy = true;
    subscribed = keys;
    const message = { request: "update" };
    if (add.length) message.subscribe = add;
    if (remove.length) message.unsubscribe = remove;
    sub.send({ message });
  }

  function onSubscriberMessage(msg, jsep) {
    const event = msg.videoroom;
    if (msg.error) {
      // e.g. a feed left between our decision and Janus's answer: decide again.
      subBusy = false;
      setTimeout(updateSubscriptions, 500);
      return;
    }
    if ((event === "attached" || event === "updated") && msg.streams) {
      subStreams.clear();
      msg.streams.forEach((s) => {
        if (s.active !== false && s.feed_id) subStreams.set(s.mid, { feed: s.feed_id, feedMid: s.feed_mid, type: s.type });
      });
    }
    if (jsep) {
      sub.createAnswer({
        jsep,
        tracks: [{ type: "data" }],
        success: (answer) => {
          sub.send({ message: { request: "start" }, jsep: answer });
          afterSubscriberChange();
        },
        error: (error) => { subBusy = false; retryLater(String(error)); },
      });
    } else if (event === "updated" || event === "attached") {
      afterSubscriberChange();
    }
  }

  function afterSubscriberChange() {
    subBusy = false;
    chooseLayers();
    renderStage();
    if (subDirty) { subDirty = false; updateSubscriptions(); }
  }

  // Simulcast: each video stream on the layer that fits this site's link; the chair's grid on the lowest.
  function chooseLayers() {
    if (!sub) return;
    const shares = new Set(shareFeeds());
    const streams = [];
    subStreams.forEach((s, mid) => {
      if (s.type !== "video") return;
      const layer = isHost && !shares.has(s.feed) ? 0 : cfg.layer;
      streams.push({ mid, substream: layer, temporal: 2 });
    });
    if (streams.length) sub.send({ message: { request: "configure", streams } });
  }

  function onRemoteTrack(track, mid, on) {
    if (!on) {
      remoteStreams.delete(mid);
      const audio = audioEls.get(mid);
      if (audio) { audio.remove(); audioEls.delete(mid); }
      renderStage();
      return;
    }
    const stream = new MediaStream([track]);
    remoteStreams.set(mid, stream);
    if (track.kind === "audio") {
      const audio = el("audio", { autoplay: true });
      audio.dataset.mid = mid;
      audio.srcObject = stream;
      $("room-audio").append(audio);
      audioEls.set(mid, audio);
      audio.play().catch(() => say(L.click_for_sound, "warning"));
    }
    renderStage();
  }

  function videoOf(feed) {
    for (const [mid, s] of subStreams) {
      if (s.feed === feed && s.type === "video" && remoteStreams.has(mid)) return remoteStreams.get(mid);
    }
    return null;
  }

  //
  // Sharing a screen or window (b19)
  //

  function shareAllowed() {
    if (!cfg || !room) return false;
    if (isHost) return true;
    return room.share_by_floor && room.floor && room.floor.bridge_point_id === page.bridge_point;
  }

  // The screen is captured at once, inside the click (browsers allow getDisplayMedia only then), and
  // handed to janus.js as a track once the share publisher has joined.
  let shareTrack = null;
  let sharePending = false;
  async function startShare() {
    if (!janus || share || sharePending) return;
    sharePending = true;
    let track;
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      track = stream.getVideoTracks()[0];
    } catch (error) {
      sharePending = false;
      say(L.share_failed + ": " + (error.message || error), "warning");
      return;
    }
    sharePending = false;
    if (!janus) { track.stop(); return; }
    shareTrack = track;
    track.addEventListener("ended", stopShare); // the browser's own "Stop sharing"
    localShare = new MediaStream([track]);
    renderStage();
    janus.attach({
      plugin: "janus.plugin.videoroom",
      success: (handle) => {
        share = handle;
        joinAs(handle, cfg.share_id);
        renderControls();
      },
      error: (error) => { say(L.share_failed + ": " + error, "warning"); stopShare(); },
      onmessage: (msg, jsep) => {
        if (msg.videoroom === "joined" && shareTrack) {
          share.createOffer({
            tracks: [{ type: "screen", capture: shareTrack, recv: false }],
            success: (offer) => share.send({ message: { request: "configure", audio: false, video: true }, jsep: offer }),
            error: (error) => { say(L.share_failed + ": " + (error.message || error), "warning"); stopShare(); },
          });
        } else if (msg.error || (msg.leaving === "ok")) {
          stopShare();
        }
        if (jsep && share) share.handleRemoteJsep({ jsep });
      },
      webrtcState: (on) => { if (!on && share) stopShare(); },
      iceState: (state) => { if (state === "failed" && share) stopShare(); },
    });
    renderControls();
  }

  // Unpublish first (Janus tells everyone at once), then detach the handle and release the capture.
  function stopShare() {
    const handle = share;
    const track = shareTrack;
    share = null;
    shareTrack = null;
    localShare = null;
    const release = () => {
      if (handle) { try { handle.detach(); } catch (e) { /* gone */ } }
      if (track) track.stop();
    };
    if (handle) {
      try {
        handle.send({ message: { request: "unpublish" }, success: release, error: release });
      } catch (e) {
        release();
      }
    } else {
      release();
    }
    renderStage();
    renderControls();
  }

  //
  // The meeting's websocket: board rows, floor, agenda, status
  //

  // A heartbeat comes every few seconds by the road the updates take, with the room's delta number.
  // Without one for three periods the page says its view is not up to date and asks for a snapshot
  // each period; when they come back (or a number shows deltas were lost) it resyncs (live/freshness.js).
  const connText = $("conn").textContent;

  function socketOpen() {
    return socket && socket.readyState === WebSocket.OPEN;
  }

  function resync() {
    if (socketOpen()) socket.send(JSON.stringify({ type: "resync" }));
  }

  function showStale(on) {
    const badge = $("conn");
    badge.textContent = on ? L.stale : connText;
    badge.hidden = !on;
    badge.dataset.state = on ? "stale" : "live";
  }

  const freshness = window.liveFreshness({
    beat: page.heartbeat_ms,
    isOpen: socketOpen,
    paused: () => ended,
    onStale: () => showStale(true),
    onFresh: () => { showStale(false); resync(); },
    catchUp: resync,
  });

  function connectSocket() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + page.ws);
    socket.onopen = () => { socketRetry = 0; freshness.reset(); showStale(false); };
    socket.onmessage = (event) => applyMessage(JSON.parse(event.data));
    socket.onclose = (event) => {
      seq = null;
      if (ended || event.code === 4403 || event.code === 4401) return;
      $("conn").textContent = connText;
      $("conn").dataset.state = "reconnecting";
      $("conn").hidden = false;
      setTimeout(connectSocket, Math.min(10000, 1000 * 2 ** socketRetry++));
    };
  }

  // T-60 (b8): the portal asks the room pages left open at untested bridge points for a test call.
  let autoTest = false;
  function autoTestCall(ids) {
    if (!ids.includes(page.bridge_point) || !cfg || wantIn || ended || !meeting || meeting.status !== "scheduled") return;
    const key = `live-test-call-${page.bridge_point}-${cfg.room}`;
    if (Date.now() - Number(localStorage.getItem(key) || 0) < 10 * 60 * 1000) return; // once in ten minutes
    localStorage.setItem(key, String(Date.now()));
    join();
    autoTest = true;
    say(L.auto_test, "info");
    setTimeout(() => {
      if (autoTest && wantIn && meeting && meeting.status === "scheduled") leave(L.auto_test_done);
      autoTest = false;
    }, 30000);
  }

  function applyMessage(message) {
    const data = message.data;
    if (message.type === "test_call") { autoTestCall(data.bridge_points || []); return; }
    if (message.type === "heartbeat") {
      const wasStale = freshness.stale;
      freshness.heard();
      if (!wasStale && seq !== null && data.seq > seq) resync(); // deltas were lost
      return;
    }
    if (message.type === "delta") freshness.heard();
    if (message.type === "snapshot") {
      rows.clear();
      data.participants.forEach((p) => rows.set(String(p.key), p));
      meeting = data.meeting;
      room = data.room;
      seq = data.seq;
    } else if (message.type === "delta" && data.meeting) {
      meeting = data.meeting;
      socket.send(JSON.stringify({ type: "resync" }));
    } else if (message.type === "delta") {
      if (seq !== null && data.seq <= seq) return;
      if (seq === null || data.seq !== seq + 1) { socket.send(JSON.stringify({ type: "resync" })); return; }
      seq = data.seq;
      data.participants.forEach((p) => rows.set(String(p.key), p));
      if (data.room) room = data.room;
    }
    // The room moved to another media server (the one it was on stopped answering): join it now, not
    // at the end of the current back-off; the join configuration names the new server.
    if (room && cfg && room.server_id && cfg.server_id && room.server_id !== cfg.server_id && wantIn && !ended) followMove();
    if (meeting && (meeting.status === "ended" || meeting.status === "cancelled")) meetingEnded();
    if (meeting && meeting.status === "live" && cfg && !wantIn && !ended && page.auto_join) join();
    updateSubscriptions();
    if (share && !shareAllowed()) stopShare();
    render();
  }

  let movedTo = null;
  function followMove() {
    if (movedTo === room.server_id) return; // already on the way there
    movedTo = room.server_id;
    retries = 0;
    clearTimeout(retryTimer);
    teardown();
    say(L.server_moved, "warning");
    connect();
  }

  function meetingEnded() {
    if (ended) return;
    ended = true;
    wantIn = false;
    clearTimeout(retryTimer);
    teardown();
    stopShare();
    $("btn-join").hidden = true;
    $("btn-leave").hidden = true;
    $("room-waiting").hidden = true;
    say(L.ended, "secondary");
    $("ended-banner").hidden = false;
    if (socket) socket.close();
    render();
  }

  //
  // Rendering
  //

  // Panels are rebuilt only when what they show changed, so a button is never pulled from under a click.
  const drawn = {};
  function changed(name, value) {
    const key = JSON.stringify(value);
    if (drawn[name] === key) return false;
    drawn[name] = key;
    return true;
  }

  function render() {
    renderHeader();
    renderStage();
    renderControls();
    if (isHost && room) {
      if (changed("floor", [room.floor, room.requests, room.mode, room.share_by_floor, room.alerts, meeting && meeting.status])) renderFloorPanel();
      if (changed("agenda", [room.agenda, room.agenda_current])) renderAgendaPanel();
    }
  }

  function renderHeader() {
    const item = room && room.agenda.find((a) => a.id === room.agenda_current);
    $("agenda-current").textContent = item ? `${item.number}. ${item.title}` : L.no_agenda_item;
    const holder = room && room.floor;
    $("floor-current").textContent = holder ? L.floor_holder.replace("%(name)s", holder.name) : "";
    $("floor-current").hidden = !holder;
    const recording = $("mode-badge");
    if (room) {
      recording.textContent = room.mode === "moderated" ? L.mode_moderated : L.mode_open;
      recording.hidden = false;
    }
  }

  // A tile is described first and its <video> made only by place(), when what it shows changed: every
  // <video> with a stream holds one of the page's few media players, even if it is thrown away.
  function tile(feed, label, extraClass) {
    const row = feed ? rowByFeed(feed) : null;
    const stream = feed && cfg && feed === cfg.share_id ? localShare : feed ? videoOf(feed) : null;
    const box = el("div", { class: "room-tile " + (extraClass || ""), "data-feed": String(feed || "") });
    box.stream = stream;
    if (!stream) {
      const empty = !row || row.state === "not_connected" ? L.not_connected : row.state === "publishing" ? L.no_video : L.connecting_short;
      box.append(el("div", { class: "room-tile-empty" }, feed || row ? empty : L.no_video));
    }
    const badges = el("div", { class: "room-tile-label" }, el("span", { class: "name" }, label));
    if (row) {
      if (row.talking) box.classList.add("talking");
      if (row.audio_muted) badges.append(el("span", { class: "badge text-bg-dark ms-1" }, L.muted));
      if (row.quality) badges.append(el("span", { class: "badge ms-1 text-bg-" + ({ good: "success", fair: "warning", poor: "danger" }[row.quality]) }, L[row.quality]));
    }
    box.append(badges);
    return box;
  }

  function release(node) {
    if (node) node.querySelectorAll("video").forEach((video) => { video.srcObject = null; });
  }

  // Keep a playing <video> when re-rendering: replace a tile only when what it shows changed.
  function place(container, node) {
    const old = container.firstElementChild;
    if (old && old.dataset.feed === node.dataset.feed && (old.stream || null) === (node.stream || null)) {
      old.className = node.className;
      old.querySelector(".room-tile-label").replaceWith(node.querySelector(".room-tile-label"));
      return;
    }
    if (node.stream) {
      const video = el("video", { autoplay: true, playsInline: true, muted: true });
      video.srcObject = node.stream;
      node.prepend(video);
    }
    release(old);
    container.replaceChildren(node);
  }

  function renderStage() {
    if (isHost) { renderGrid(); return; }
    const host = hostRow();
    const holder = holderRow();
    const shares = shareFeeds();
    const shared = shares.length ? shares[0] : null;
    const main = shared || (host && host.feed);
    const mainLabel = shared ? L.shared_by.replace("%(name)s", (rowByFeed(shared) || {}).name || "") : (host ? host.name : L.chair);
    place($("stage-main"), tile(main, mainLabel, "main"));
    const side = $("stage-side");
    const sideTiles = [];
    if (shared && host) sideTiles.push([host.feed, host.name]);
    if (holder && holder.feed !== cfg?.id) sideTiles.push([holder.feed, L.speaking.replace("%(name)s", holder.name)]);
    const keep = new Map([...side.children].map((c) => [c.dataset.key, c]));
    const wraps = sideTiles.map(([feed, label]) => {
      const wrap = keep.get(String(feed)) || el("div", { class: "mb-2", "data-key": String(feed) });
      keep.delete(String(feed));
      place(wrap, tile(feed, label, "side"));
      return wrap;
    });
    keep.forEach(release);
    side.replaceChildren(...wraps);
  }

  function renderGrid() {
    const grid = $("room-grid");
    const keep = new Map([...grid.children].map((c) => [c.dataset.key, c]));
    const order = [...rows.values()].filter((r) => !r.host);
    const nodes = order.map((row) => {
      const wrap = keep.get(String(row.key)) || el("div", { class: "room-grid-cell", "data-key": String(row.key) });
      keep.delete(String(row.key));
      const label = row.name + (room && room.floor && room.floor.bridge_point_id === row.bridge_point_id ? " · " + L.has_floor : "");
      place(wrap, tile(row.state === "not_connected" ? null : row.feed, label, row.invited ? "" : "intruder"));
      const emptyText = wrap.firstElementChild.querySelector(".room-tile-empty");
      if (row.state === "not_connected" && emptyText) emptyText.textContent = L.not_connected;
      const tileNode = wrap.firstElementChild;
      // The board's controls on each tile: give the floor, mute or unmute, drop.
      const live = page.operate && meeting && meeting.status === "live";
      const inRoom = row.state !== "not_connected" && typeof row.key === "number";
      const holds = room && room.floor && room.floor.bridge_point_id === row.bridge_point_id;
      const actions = [];
      if (live && row.bridge_point_id && !holds) {
        actions.push(["give", L.give_floor, () => api("POST", page.api + "floor/give/", { bridge_point_id: row.bridge_point_id })]);
      }
      if (live && inRoom) {
        actions.push(["mute", row.audio_muted ? L.unmute : L.mute,
          () => api("POST", `${page.api}participants/${row.key}/mute/`, { mute: !row.audio_muted })]);
        actions.push(["drop", L.drop, () => { if (confirm(L.confirm_drop)) api("POST", `${page.api}participants/${row.key}/drop/`); }]);
      }
      const signature = actions.map((a) => a[0] + a[1]).join("|");
      const bar = tileNode.querySelector(".room-tile-actions");
      if (!bar || bar.dataset.signature !== signature) {
        if (bar) bar.remove();
        if (actions.length) {
          const node = el("div", { class: "room-tile-actions", "data-signature": signature },
            actions.map(([name, label, handler]) => Object.assign(
              el("button", { class: "btn btn-sm btn-light", "data-action": name, type: "button" }, label),
              { onclick: handler })));
          tileNode.append(node);
        }
      }
      return wrap;
    });
    keep.forEach(release);
    grid.replaceChildren(...nodes);
    const shares = shareFeeds();
    const shareBox = $("stage-share");
    if (shares.length) {
      shareBox.hidden = false;
      place(shareBox, tile(shares[0], L.shared_by.replace("%(name)s", (rowByFeed(shares[0]) || {}).name || ""), "main"));
    } else {
      shareBox.hidden = true;
      release(shareBox);
      shareBox.replaceChildren();
    }
  }

  function renderControls() {
    const live = meeting && meeting.status === "live";
    const request = $("btn-floor");
    if (request) {
      const mine = room && room.requests.find((r) => r.bridge_point_id === page.bridge_point);
      const holding = room && room.floor && room.floor.bridge_point_id === page.bridge_point;
      request.hidden = !live || ended || holding;
      request.textContent = mine ? L.withdraw : L.request_floor;
      request.dataset.state = mine ? "waiting" : "none";
      $("floor-mine").textContent = holding ? L.you_have_floor : mine ? L.request_waiting.replace("%(time)s", time(mine.requested_at)) : "";
    }
    const shareBtn = $("btn-share");
    shareBtn.hidden = !wantIn || ended || !shareAllowed();
    shareBtn.textContent = share ? L.stop_share : L.share;
    const audioBtn = $("btn-audio-only");
    if (audioBtn) {
      audioBtn.setAttribute("aria-pressed", String(audioOnly));
      audioBtn.classList.toggle("active", audioOnly);
    }
    const endBtn = $("btn-end");
    if (endBtn) endBtn.hidden = !live;
    const startBtn = $("btn-start");
    if (startBtn) startBtn.hidden = !(meeting && meeting.status === "scheduled");
    const recording = $("recording-badge");
    if (recording) recording.hidden = !(meeting && meeting.recording);
  }

  function renderFloorPanel() {
    const holder = room && room.floor;
    $("floor-holder").replaceChildren(holder
      ? el("div", { class: "d-flex align-items-center gap-2" },
          el("strong", {}, holder.name), el("small", { class: "text-muted" }, time(holder.started_at)),
          page.operate ? Object.assign(el("button", { class: "btn btn-sm btn-outline-danger ms-auto", "data-action": "take" }, L.take_floor),
            { onclick: () => api("POST", page.api + "floor/take/") }) : "")
      : el("span", { class: "text-muted" }, L.nobody_has_floor));
    const list = $("floor-requests");
    const items = (room ? room.requests : []).map((r, i) => {
      const li = el("li", { class: "list-group-item d-flex align-items-center gap-2", "data-bridge-point": String(r.bridge_point_id) },
        el("span", { class: "badge text-bg-secondary" }, String(i + 1)),
        el("div", { class: "me-auto" }, el("div", {}, r.name), el("small", { class: "text-muted" }, [time(r.requested_at), r.agenda ? " · " + r.agenda : ""].join(""))));
      if (page.operate) {
        li.append(Object.assign(el("button", { class: "btn btn-sm btn-success", "data-action": "give" }, L.give_floor),
          { onclick: () => api("POST", page.api + "floor/give/", { bridge_point_id: r.bridge_point_id }) }));
        li.append(Object.assign(el("button", { class: "btn btn-sm btn-outline-secondary", "data-action": "decline", title: L.decline }, "×"),
          { onclick: () => api("POST", page.api + "floor/decline/", { turn_id: r.id }) }));
      }
      return li;
    });
    list.replaceChildren(...(items.length ? items : [el("li", { class: "list-group-item text-muted" }, L.no_requests)]));
    const mode = $("floor-mode");
    if (mode && room) {
      mode.checked = room.mode === "moderated";
      $("share-by-floor").checked = room.share_by_floor;
    }
    const alerts = $("room-alerts");
    alerts.hidden = !(room && room.alerts.length);
    if (room) alerts.replaceChildren(...room.alerts.map((a) => el("div", {}, L.impostor.replace("%(name)s", a.target) + " · " + time(a.at))));
  }

  function renderAgendaPanel() {
    const list = $("agenda-list");
    if (!room) return;
    list.replaceChildren(...room.agenda.map((a) => {
      const current = a.id === room.agenda_current;
      const item = el(page.operate ? "button" : "div", {
        class: "list-group-item list-group-item-action" + (current ? " active" : ""),
        "data-item": String(a.id),
      }, el("span", { style: `padding-left:${a.depth}rem` }, `${a.number}. ${a.title}`));
      if (page.operate) {
        item.type = "button";
        item.onclick = () => api("POST", page.api + "agenda/", { item_id: a.id });
      }
      return item;
    }));
    const next = $("btn-agenda-next");
    if (next) {
      const index = room.agenda.findIndex((a) => a.id === room.agenda_current);
      const following = room.agenda[index + 1];
      next.disabled = !following;
      next.onclick = () => following && api("POST", page.api + "agenda/", { item_id: following.id });
    }
  }

  //
  // Wiring
  //

  $("btn-join").onclick = () => { autoTest = false; join(); };
  $("btn-leave").onclick = () => leave(L.left);
  $("btn-share").onclick = () => (share ? stopShare() : startShare());
  $("btn-fullscreen").onclick = () => {
    const stage = $("room-stage");
    if (document.fullscreenElement) document.exitFullscreen();
    else if (stage.requestFullscreen) stage.requestFullscreen();
  };
  if ($("btn-audio-only")) {
    $("btn-audio-only").onclick = () => {
      audioOnly = !audioOnly;
      localStorage.setItem("live-audio-only-" + page.bridge_point, audioOnly ? "1" : "0");
      updateSubscriptions();
      renderControls();
    };
  }
  if ($("btn-floor")) {
    $("btn-floor").onclick = () => {
      const waiting = $("btn-floor").dataset.state === "waiting";
      api(waiting ? "DELETE" : "POST", page.floor_url);
    };
  }
  if ($("floor-mode")) {
    const setMode = () => api("POST", page.api + "floor/mode/", {
      mode: $("floor-mode").checked ? "moderated" : "open", share_by_floor: $("share-by-floor").checked,
    });
    $("floor-mode").onchange = setMode;
    $("share-by-floor").onchange = setMode;
  }
  if ($("btn-end")) $("btn-end").onclick = () => { if (confirm(L.confirm_end)) api("POST", page.api + "end/"); };
  if ($("btn-start")) {
    $("btn-start").onclick = async () => {
      // A start the portal wants confirmed (the room booking is not approved, the recordings' disk is
      // full) says why; the host decides, once for each thing asked.
      const body = {};
      for (;;) {
        const answer = await api("POST", page.api + "start/", body);
        const ask = !answer.ok && answer.status === 409 && answer.data && answer.data.extra && answer.data.extra.confirm;
        if (!ask || body[answer.data.extra.confirm] || !confirm(answer.data.message)) break;
        $("room-error").hidden = true;
        body[answer.data.extra.confirm] = true;
      }
    };
  }

  // Until the room opens (an hour before the start) the page asks now and then and offers the button.
  async function waitForRoom(delay) {
    const got = await fetchConfig();
    if (got === "ok") {
      $("room-waiting").hidden = true;
      $("btn-join").hidden = wantIn;
      if (page.auto_join && meeting && meeting.status === "live") join();
      return;
    }
    if (got === "ended" || got === "forbidden") return;
    setTimeout(() => waitForRoom(Math.min(30000, delay * 2)), delay);
  }
  if (!cfg && !page.ended) setTimeout(() => waitForRoom(3000), 3000);
  if (page.ended) meetingEnded(); else connectSocket();

  // For tests and the operator's console: what this page receives, per feed.
  async function stats() {
    const out = { video: {}, audio: {} };
    const pc = sub && sub.webrtcStuff && sub.webrtcStuff.pc;
    if (!pc) return out;
    const report = await pc.getStats();
    report.forEach((s) => {
      if (s.type !== "inbound-rtp") return;
      const info = subStreams.get(s.mid);
      if (!info) return;
      if (s.kind === "video") out.video[info.feed] = { frames: s.framesDecoded || 0, width: s.frameWidth || 0 };
      else out.audio[info.feed] = { bytes: s.bytesReceived || 0, energy: s.totalAudioEnergy || 0 };
    });
    return out;
  }
  window.liveRoom = {
    join, leave, stats, startShare, stopShare, get autoTest() { return autoTest; },
    get rows() { return rows; }, get room() { return room; }, get publishers() { return publishers; }, get stale() { return freshness.stale; },
    get janusSession() { return janus && janus.getSessionId(); }, get ended() { return ended; },
    get sharing() { return !!share || sharePending; },
  };
})();
