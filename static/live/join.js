/*
 * A bridge point's join page: janus.js publishes the room's camera and microphone into the meeting's
 * video room with the site's own token and the room pin (no Janus secret is ever on this page).
 * The same button runs the test call before the start. The checklist saves itself on every change.
 */
(function () {
  "use strict";
  const L = JSON.parse(document.getElementById("join-labels").textContent);
  // null until the room is open (then fetched by waitForRoom).
  let cfg = JSON.parse(document.getElementById("join-config").textContent);
  const status = document.getElementById("call-status");
  const joinBtn = document.getElementById("btn-join");
  const leaveBtn = document.getElementById("btn-leave");
  const video = document.getElementById("local-video");
  const checklist = document.getElementById("checklist");
  let janus = null;
  let handle = null;
  // True while the site wants to be in the room: a lost connection (network, media server restart)
  // is then retried by itself, 2 s, 4 s … at most 15 s apart, until the host drops it or it leaves.
  let wantIn = false;
  let retries = 0;
  let retryTimer = null;

  function say(text, kind) {
    status.textContent = text;
    status.className = "ms-2 text-" + (kind || "muted");
  }

  if (checklist) {
    const csrf = checklist.querySelector("input[name=csrfmiddlewaretoken]").value;
    checklist.addEventListener("change", async () => {
      const body = {};
      checklist.querySelectorAll("input[type=checkbox]").forEach((box) => { body[box.name] = box.checked; });
      const response = await fetch(checklist.dataset.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
      if (response.ok) {
        const data = await response.json();
        document.getElementById("readiness-colour").className = "readiness-dot readiness-" + data.colour;
      }
    });
  }

  function leave() {
    wantIn = false;
    clearTimeout(retryTimer);
    teardown();
    joinBtn.hidden = false;
    leaveBtn.hidden = true;
  }

  function teardown() {
    const old = janus;
    janus = handle = null;
    if (old) old.destroy({ notifyDestroyed: false });
  }

  function retryLater(reason) {
    teardown();
    if (!wantIn) return;
    const delay = Math.min(15000, 2000 * 2 ** retries++);
    say(L.error + ": " + reason + " (" + Math.round(delay / 1000) + " s)", "warning");
    retryTimer = setTimeout(connect, delay);
  }

  function publish() {
    handle.createOffer({
      tracks: [
        { type: "audio", capture: true, recv: false },
        { type: "video", capture: true, recv: false },
      ],
      success: (jsep) => handle.send({ message: { request: "configure", audio: true, video: true, bitrate: cfg.bitrate }, jsep }),
      error: (error) => say(L.error + ": " + error, "danger"),
    });
  }

  function onMessage(msg, jsep) {
    const event = msg.videoroom;
    if (msg.error) {
      retryLater(msg.error); // e.g. the room is being recreated after a media server restart
    } else if (event === "joined") {
      retries = 0;
      say(L.joined, "info");
      publish();
    } else if (event === "destroyed") {
      say(L.closed, "muted");
      leave();
    } else if (event === "event") {
      if (msg.moderation && String(msg.id) === String(cfg.id)) say(msg.moderation === "muted" ? L.muted : L.unmuted, "warning");
      if (msg.leaving === "ok" && msg.reason === "kicked") { say(L.kicked, "danger"); leave(); }
    }
    if (jsep) handle.handleRemoteJsep({ jsep });
  }

  function join() {
    joinBtn.hidden = true;
    leaveBtn.hidden = false;
    wantIn = true;
    retries = 0;
    connect();
  }

  function connect() {
    say(L.connecting);
    Janus.init({
      debug: false,
      dependencies: Janus.useDefaultDependencies(),
      callback: () => {
        janus = new Janus({
          server: cfg.server,
          token: cfg.token,
          iceServers: [],
          success: () => janus.attach({
            plugin: "janus.plugin.videoroom",
            success: (pluginHandle) => {
              handle = pluginHandle;
              handle.send({ message: {
                request: "join", ptype: "publisher", room: cfg.room, id: cfg.id,
                display: cfg.display, pin: cfg.pin, token: cfg.token,
              } });
            },
            error: (error) => say(L.error + ": " + error, "danger"),
            onmessage: onMessage,
            onlocaltrack: (track, on) => {
              if (track.kind !== "video" || !on) return;
              video.srcObject = new MediaStream([track]);
            },
            webrtcState: (on) => {
              if (on) {
                retries = 0;
                say(L.publishing, "success");
              } else if (wantIn) {
                say(L.left, "muted"); // after a kick or the end, keep the message that explains it
              }
            },
          }),
          error: (error) => retryLater(error),
        });
      },
    });
  }

  // The room opens an hour before the start, or when the host starts the meeting: a page opened
  // earlier asks every few seconds and offers the button as soon as its site's place exists.
  const WAIT_MS = 3000;
  async function waitForRoom() {
    try {
      const response = await fetch(joinBtn.dataset.configUrl, { credentials: "same-origin" });
      if (response.ok) {
        cfg = await response.json();
        document.getElementById("room-waiting").hidden = true;
        joinBtn.hidden = false;
        return;
      }
    } catch (error) {
      // The portal is unreachable for a moment: ask again.
    }
    setTimeout(waitForRoom, WAIT_MS);
  }

  if (!cfg) setTimeout(waitForRoom, WAIT_MS);
  joinBtn.onclick = join;
  leaveBtn.onclick = () => { say(L.left); leave(); };
  window.liveJoin = { join, leave };
})();
