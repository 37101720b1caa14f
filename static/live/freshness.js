/*
 * Does a live page still get its updates? Shared by the live board, the room page and the readiness
 * board, which all listen on the meeting's websocket. A heartbeat comes every `beat` ms by the road the
 * updates take (the channel layer): when Redis is down the socket stays open but nothing arrives.
 * Without a heartbeat or an update for three periods the page is stale: `onStale()` once (the badge
 * says so), then `catchUp()` once a period meanwhile (the rows from the database); the first heartbeat
 * or update after that calls `onFresh()` (badge back, catch up once more).
 *
 *   const freshness = window.liveFreshness({ beat, isOpen, onStale, onFresh, catchUp, paused });
 *   freshness.heard()  // a heartbeat or an update arrived; answers how long since the previous one (ms)
 *   freshness.reset()  // the socket (re)opened: fresh from now
 *   freshness.stale    // true while stale
 *   window.liveFreshness.badge(conn, stale, L)  // the connection badge: L.stale (red) or L.online (green)
 */
(function () {
  "use strict";
  window.liveFreshness = function (options) {
    const beat = options.beat || 5000;
    const noop = () => {};
    const onStale = options.onStale || noop;
    const onFresh = options.onFresh || noop;
    const catchUp = options.catchUp || noop;
    const paused = options.paused || (() => false);
    let lastLive = Date.now();
    let stale = false;

    setInterval(() => {
      if (paused() || !options.isOpen() || Date.now() - lastLive < 3 * beat) return;
      if (!stale) {
        stale = true;
        onStale();
      }
      catchUp();
      lastLive = Date.now() - 2 * beat; // the next catch-up one period from now
    }, 1000);

    return {
      beat,
      heard() {
        const now = Date.now();
        const gap = now - lastLive;
        lastLive = now;
        if (stale) {
          stale = false;
          onFresh();
        }
        return gap;
      },
      reset() {
        stale = false;
        lastLive = Date.now();
      },
      get stale() { return stale; },
    };
  };

  window.liveFreshness.badge = function (conn, stale, labels) {
    conn.textContent = stale ? labels.stale : labels.online;
    conn.className = "badge text-bg-" + (stale ? "danger" : "success");
    conn.dataset.state = stale ? "stale" : "live";
  };
})();
