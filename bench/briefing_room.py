"""
One briefing through one real Janus, with real browsers: the briefing room page (static/live/room.js)
of the chair and N-1 communes in headless Chromium (fake camera 640x480 and microphone), each page
publishing VP8 simulcast and subscribing as the page decides; all RTP goes through Janus.

Janus, the Chromium pages and socat relays run in a private network namespace with 127.0.0.2 on a
veth (tests/live/netns.py, JANUS.md §6.2/§10); the portal (uvicorn) and a Celery worker run on
loopback in the main namespace. Nothing else is contacted. Run as root:

    .venv/bin/python bench/briefing_room.py [--sites 18] [--window 20] [--floor-repeats 10] [--chromium 3]

With `--chromium N` only the chair and N-1 communes are Chromium room pages; the other communes are
light bridge points (bench/room_bots.py: aiortc in one process, a pre-encoded VP8 320x240 + Opus clip
sent without re-encoding, the chair's and holder's video on their link's layer, every site's audio,
counted not decoded). Their RTP goes through Janus like a page's; a 2-core machine cannot run 18
Chromium pages and measure anything else (all 18 in Chromium is `--chromium 18`, the default).

What it measures and prints:

1. Two runs in the same invocation, each over a `--window`-second measured window with the floor given
   to one commune (so every commune receives the chair's and the holder's video and audio):
   (a) layers by link: a third of the communes on satellite/4G (layer 0), the rest on fibre (layer 2);
   (b) baseline: every commune on fibre (layer 2).
   Per run: Janus's CPU (utime+stime from /proc/<pid>/stat over the window, % of one core), the
   machine's busy % (/proc/stat) and load average, and per site the download in kbit/s from the page's
   getStats (transport bytesReceived of all its PeerConnections; video and audio inbound-rtp apart),
   the width of the chair's picture it decodes, and inbound packets lost. Ratios (a)/(b).
2. "Give the floor" → the holder's audio arriving at another commune's page: from the moment the
   `floor/give/` API call returns to the first getStats poll (every 20 ms, in the page) where the
   holder's audio bytesReceived grows; `--floor-repeats` turns (take, give to the next commune).
   p50/p95 (target < 500 ms). When that commune is a bot (`--chromium 1`: only the chair in
   Chromium, which leaves the machine room to breathe at 18 sites), the arrival of the holder's first
   audio RTP packet at it, timed in the bot.
3. Briefings per Janus: derived from (1) (one briefing's Janus CPU → briefings per core); this 2-core
   machine cannot hold a second briefing of browser publishers, see the printed note.

Page console errors and page exceptions are captured and printed at the end. The script stops by
itself (bounded waits), and removes its namespace and every process it started.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from live_common import ENV, ROOT, make_district, make_meeting, make_user, percentiles, setup_django, wait_answering

# Every PeerConnection a page creates, so that the bench can read its transport stats (room.js exposes
# only per-feed figures). Installed before any page script runs; adapter.js and janus.js wrap it.
INIT_SCRIPT = """
(() => {
  const Orig = window.RTCPeerConnection;
  if (!Orig) return;
  window.__benchPCs = [];
  class BenchPC extends Orig {
    constructor(...args) { super(...args); window.__benchPCs.push(this); }
  }
  window.RTCPeerConnection = BenchPC;
})();
"""

PAGE_STATS = """
async () => {
  const out = {rx: 0, tx: 0, video_in: 0, audio_in: 0, lost: 0, received: 0, out_video: [], at: Date.now()};
  out.pcs = (window.__benchPCs || []).map((pc) => pc.connectionState).join(",");
  out.status = (document.getElementById("call-status") || {}).textContent || "";
  out.videos_in_dom = document.querySelectorAll("video").length;
  for (const pc of window.__benchPCs || []) {
    if (pc.connectionState !== "connected") continue;
    const report = await pc.getStats();
    report.forEach((s) => {
      if (s.type === "transport") { out.rx += s.bytesReceived || 0; out.tx += s.bytesSent || 0; }
      if (s.type === "inbound-rtp") {
        if (s.kind === "video") out.video_in += s.bytesReceived || 0; else out.audio_in += s.bytesReceived || 0;
        out.lost += s.packetsLost || 0;
        out.received += s.packetsReceived || 0;
      }
      if (s.type === "outbound-rtp" && s.kind === "video") {
        out.out_video.push({rid: s.rid || "", width: s.frameWidth || 0, bytes: s.bytesSent || 0});
      }
    });
  }
  out.room = await window.liveRoom.stats();
  return out;
}
"""

# In-page watcher for the floor latency: polls the room's own stats every 20 ms and notes the wall
# clock (Date.now(), the same clock as Python's time.time()) when the feed's audio bytes first grow.
WATCH_START = """
async (feed) => {
  const bytes = async () => ((await window.liveRoom.stats()).audio[String(feed)] || {}).bytes || 0;
  const base = await bytes();
  const watch = {base, hit: null, polls: 0};
  window.__benchWatch = watch;
  watch.timer = setInterval(async () => {
    watch.polls++;
    if (watch.hit === null && (await bytes()) > watch.base) { watch.hit = Date.now(); clearInterval(watch.timer); }
  }, 20);
  return base;
}
"""

CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class Portal:
    """uvicorn (subprocess) and a Celery worker, on the bench database and Redis."""

    def __init__(self, folder: Path) -> None:
        from tests.janus_server import free_port

        self.port = free_port()
        self.folder = folder
        self.web: subprocess.Popen | None = None
        self.worker = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        from tests.live.conftest import Worker

        env = {**os.environ, **ENV}
        self.web = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "portal.asgi:application", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning"],
            cwd=ROOT, env=env, start_new_session=True,
            stdout=(self.folder / "uvicorn.log").open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_answering(self.url, self.web, timeout=30)
        from portal.celery import app

        app.control.purge()
        self.worker = Worker(self.folder / "worker.log")
        self.worker.start()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        if self.web is not None and self.web.poll() is None:
            os.killpg(self.web.pid, signal.SIGTERM)
            try:
                self.web.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.web.pid, signal.SIGKILL)


def janus_in_namespace(namespace, portal: Portal, folder: Path):
    """A Janus from the project's config in `namespace` (ICE on its veth only), posting its events to the
    portal, its API ports relayed to loopback; started and answering."""
    from tests.janus_server import JanusProcess
    from tests.live.netns import HOST_ADDRESS

    janus = JanusProcess(
        folder=folder / "janus",
        events_url=f"{portal.url}/api/janus/events/",
        netns=namespace.name,
        nat_extra=f'ice_enforce_list = "{namespace.veth}"',
        interface=HOST_ADDRESS,
    )
    janus.folder.mkdir()
    relays = folder / "relays"
    relays.mkdir()
    namespace.relay_in(portal.port, relays)
    for port in (janus.http_port, janus.admin_port, janus.ws_port):
        namespace.relay_out(port, relays)
    janus.start()
    janus.wait_ready(20)
    return janus


def cookie_for(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


class ChairApi:
    """The chair's API calls over HTTP to the portal (session cookie + CSRF token), as its page makes them."""

    def __init__(self, base: str, cookie: str, page_url: str) -> None:
        import httpx

        name, value = cookie.split("=", 1)
        self.http = httpx.Client(base_url=base, cookies={name: value}, timeout=15)
        html = self.http.get(page_url).text
        self.csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def post(self, path: str, body: dict | None = None):
        response = self.http.post(path, json=body or {}, headers={"X-CSRFToken": self.csrf})
        if response.status_code >= 300:
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
        return response


def prepare(n_sites: int, prefix: str = "bench"):
    """A district (chair + n_sites-1 communes), a host user, one officer per commune, a scheduled meeting."""
    from accounts.roles import Role

    host_bp, sites = make_district(n_sites - 1, prefix=prefix)
    organiser = make_user(f"{prefix}-office", Role.OFFICE_STAFF)
    host_user = make_user(f"{prefix}-host", Role.HOST)
    officers = []
    for i, bp in enumerate(sites):
        user = make_user(f"{prefix}-officer-{i}", Role.COMMUNE_OFFICER)
        user.unit = bp.room.site.unit
        user.save(update_fields=["unit"])
        officers.append(user)
    meeting = make_meeting(host_bp, sites, organiser)
    return meeting, host_bp, sites, host_user, officers


def set_links(sites, satellite: set[int]) -> dict[int, str]:
    from sites.choices import LinkKind, LinkRole
    from sites.models import NetworkLink

    kinds = {}
    for i, bp in enumerate(sites):
        kind = (LinkKind.SATELLITE if i % 2 == 0 else LinkKind.MOBILE_4G) if i in satellite else LinkKind.FIBRE
        NetworkLink.objects.filter(bridge_point=bp, role=LinkRole.PRIMARY).update(kind=kind)
        kinds[bp.pk] = str(kind)
    return kinds


class Site:
    def __init__(self, name: str, bp, page, feed: int, is_host: bool) -> None:
        self.name, self.bp, self.page, self.feed, self.is_host = name, bp, page, feed, is_host
        self.errors: list[str] = []
        self.link = "-"

    def stats(self) -> dict:
        return self.page.evaluate(PAGE_STATS)


class Bots:
    """bench/room_bots.py in the namespace: light sites that publish a clip and subscribe as a room page."""

    def __init__(self, namespace, clip: Path, log: Path) -> None:
        import json
        import queue
        import threading

        self.json = json
        self.process = namespace.popen(
            sys.executable, str(ROOT / "bench" / "room_bots.py"), f"--clip={clip}", inside=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log.open("wb"), text=True,
        )  # fmt: skip
        self.log = log
        self.events: queue.Queue = queue.Queue()
        self.claims: dict[str, object] = {}
        self.published: set[str] = set()
        self.subscribed: set[str] = set()
        self.heard: dict[str, float] = {}  # key → time (ms) of the watched feed's first audio packet
        self.errors: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def send(self, **command) -> None:
        self.process.stdin.write(self.json.dumps(command) + "\n")
        self.process.stdin.flush()

    def _read(self) -> None:
        for line in self.process.stdout:
            try:
                event = self.json.loads(line)
            except ValueError:
                continue
            kind, key = event.get("event"), event.get("key")
            if kind == "session":
                try:
                    self.claims[key](event["id"])
                    self.send(cmd="go", key=key)
                except Exception as exc:  # reported, the others go on
                    self.errors.append(f"{key}: claim: {exc}")
            elif kind == "published":
                self.published.add(key)
            elif kind == "subscribed":
                self.subscribed.add(key)
            elif kind == "heard":
                self.heard[key] = event["at"]
            elif kind == "error":
                self.errors.append(f"{key}: {event.get('detail')}")
                print(f"  bot {key}: {event.get('detail')}")
            else:
                self.events.put(event)

    def add(self, specs: list[dict], claims: dict[str, object]) -> None:
        self.claims.update(claims)
        self.send(cmd="add", bots=specs)

    def stats(self) -> dict:
        self.send(cmd="stats")
        event = self.events.get(timeout=30)
        at = time.time() * 1000
        return {key: {**value, "at": at} for key, value in event["bots"].items()}

    def wait(self, what: set[str], keys: set[str], timeout: float) -> set[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not keys <= what:
            time.sleep(0.2)
        return keys - what

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(Exception):
                self.send(cmd="quit")
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)


class BotSite(Site):
    """A commune played by a bot: its figures come from the bots' process."""

    def __init__(self, name: str, bp, feed: int, bots: Bots) -> None:
        super().__init__(name, bp, None, feed, is_host=False)
        self.bots = bots

    def stats(self) -> dict:  # one command answers for every bot: see snapshot()
        raise NotImplementedError


def snapshot(sites: list[Site]) -> dict[str, dict]:
    """Every site's counters at one moment; bots share one call."""
    out, bots = {}, None
    for s in sites:
        if isinstance(s, BotSite):
            if bots is None:
                bots = s.bots.stats()
            raw = bots.get(s.name, {"rx": 0, "tx": 0, "lost": 0, "received": 0, "at": time.time() * 1000})
            out[s.name] = {**raw, "video_in": 0, "audio_in": 0, "out_video": [], "pcs": "aiortc", "status": "bot",
                           "room": {"video": {}}}  # fmt: skip
        else:
            out[s.name] = s.stats()
    return out


def wait_ready(sites: list[Site], host: Site, timeout: float) -> tuple[float, list[str]]:
    """Until the chair decodes every commune and every commune decodes the chair (or the timeout)."""
    started = time.monotonic()
    communes = [s for s in sites if not s.is_host]
    missing: list[str] = []
    while time.monotonic() - started < timeout:
        missing = []
        chair = host.page.evaluate("window.liveRoom.stats()")
        for s in communes:
            if chair["video"].get(str(s.feed), {}).get("frames", 0) < 3:
                missing.append(f"chair does not see {s.name}")
        for s in communes:
            if isinstance(s, BotSite):
                continue  # a bot's download is checked in the measured window
            room = s.page.evaluate("window.liveRoom.stats()")
            if room["video"].get(str(host.feed), {}).get("frames", 0) < 3:
                missing.append(f"{s.name} does not see the chair")
        if not missing:
            break
        time.sleep(1.0)
    return time.monotonic() - started, missing


def join_all(sites: list[Site], base: str, meeting_pk: int) -> None:
    for s in sites:
        if isinstance(s, BotSite):
            continue
        try:
            s.page.goto(f"{base}/live/meetings/{meeting_pk}/sites/{s.bp.pk}/", wait_until="load", timeout=60000)
            s.page.click("#btn-join", timeout=60000)
        except Exception as exc:  # an overloaded machine: the page is reported, the run goes on
            s.errors.append(f"join: {str(exc).splitlines()[0]}")
            print(f"  {s.name} could not join: {str(exc).splitlines()[0]}")
        time.sleep(0.3)  # stagger, as sites join a real briefing over a minute


def leave_all(sites: list[Site]) -> None:
    for s in sites:
        if isinstance(s, BotSite):
            continue
        try:
            s.page.evaluate("window.liveRoom.leave()")
        except Exception as exc:  # a page that died is reported, not fatal
            s.errors.append(f"leave: {exc}")
    time.sleep(3)


def rid(layer: dict) -> str:
    return layer["rid"]


def measure(label: str, sites: list[Site], host: Site, janus_pid: int, window: float) -> dict:
    """One measured window: Janus CPU, machine CPU, each page's download."""
    before = snapshot(sites)
    cpu0, mach0, t0 = proc_cpu_seconds(janus_pid), machine_cpu(), time.monotonic()
    time.sleep(window)
    cpu1, mach1, t1 = proc_cpu_seconds(janus_pid), machine_cpu(), time.monotonic()
    load = Path("/proc/loadavg").read_text().split()[:3]
    rows = []
    now = snapshot(sites)
    for s in sites:
        after = now[s.name]
        first = before[s.name]
        seconds = max(0.001, (after["at"] - first["at"]) / 1000)
        chair_width = after["room"]["video"].get(str(host.feed), {}).get("width", 0) if not s.is_host else 0
        rows.append({
            "site": s.name,
            "link": s.link,
            "rx": (after["rx"] - first["rx"]) * 8 / 1000 / seconds,
            "tx": (after["tx"] - first["tx"]) * 8 / 1000 / seconds,
            "video": (after["video_in"] - first["video_in"]) * 8 / 1000 / seconds,
            "audio": (after["audio_in"] - first["audio_in"]) * 8 / 1000 / seconds,
            "lost": after["lost"] - first["lost"],
            "received": after["received"] - first["received"],
            "chair_width": chair_width,
            "videos": sum(1 for v in after["room"]["video"].values() if v.get("frames")),
            "out": ",".join(f"{o['rid'] or '-'}:{o['width']}" for o in sorted(after["out_video"], key=rid)),
            "pcs": after["pcs"],
            "status": after["status"],
        })  # fmt: skip
    busy = (mach1[0] - mach0[0]) / max(1, mach1[1] - mach0[1]) * 100 * os.cpu_count()
    result = {
        "label": label,
        "janus_cpu": (cpu1 - cpu0) / (t1 - t0) * 100,
        "machine_busy": busy,
        "load": load,
        "rows": rows,
    }
    print(f"\n== {label}: {window:.0f} s window ==")
    print(f"{'site':<14} {'link':<10} {'down kbit/s':>11} {'video':>8} {'audio':>7} {'up kbit/s':>9} "
          f"{'chair w':>7} {'videos':>6} {'lost/recv':>12}  sent layers (rid:width)")  # fmt: skip
    for r in rows:
        print(
            f"{r['site']:<14} {r['link']:<10} {r['rx']:>11.0f} {r['video']:>8.0f} {r['audio']:>7.0f} {r['tx']:>9.0f} "
            f"{r['chair_width']:>7} {r['videos']:>6} {r['lost']:>5}/{r['received']:<6}  {r['out']}"
            f"  [PCs {r['pcs']}; page says: {r['status'][:60]}]"
        )
    communes = [r for r in rows if r["site"] != host.name]
    for kind in sorted({r["link"] for r in communes}):
        group = [r["rx"] for r in communes if r["link"] == kind]
        print(f"communes on {kind:<10}: n={len(group)} mean download {sum(group) / len(group):.0f} kbit/s")
    result["total_down"] = sum(r["rx"] for r in rows)
    result["commune_down"] = sum(r["rx"] for r in communes) / max(1, len(communes))
    result["lost"] = sum(r["lost"] for r in rows)
    result["received"] = sum(r["received"] for r in rows)
    print(
        f"total download of all pages {result['total_down']:.0f} kbit/s; inbound packets lost "
        f"{result['lost']} of {result['received']}"
    )
    print(
        f"Janus CPU {result['janus_cpu']:.1f} % of one core; machine busy {busy:.0f} % of one core "
        f"({os.cpu_count()} cores); load average {' '.join(load)}"
    )
    return result


def bot_floor_latency(api: ChairApi, meeting_pk: int, observer: BotSite, holders: list[Site], repeats: int):
    """Give the floor → the first RTP packet of the holder's audio at a bot observer (no polling)."""
    base = f"/api/live/meetings/{meeting_pk}/floor/"
    samples, from_call = [], []
    for i in range(repeats):
        holder = holders[i % len(holders)]
        api.post(base + "take/")
        time.sleep(1.5)  # muted in Janus by the take; nothing of the holder's is on its way any more
        observer.bots.heard.pop(observer.name, None)
        observer.bots.send(cmd="watch", key=observer.name, feed=holder.feed)
        time.sleep(0.3)
        called = time.time()
        api.post(base + "give/", {"bridge_point_id": holder.bp.pk})
        returned = time.time()
        deadline = time.monotonic() + 5
        while observer.name not in observer.bots.heard and time.monotonic() < deadline:
            time.sleep(0.005)
        hit = observer.bots.heard.get(observer.name)
        if hit is None:
            print(f"  turn {i + 1}: {holder.name}: no audio at {observer.name} within 5 s")
            continue
        samples.append(hit - returned * 1000)
        from_call.append(hit - called * 1000)
        api_ms = 1000 * (returned - called)
        print(f"  turn {i + 1}: {holder.name}: API {api_ms:.0f} ms, audio after return {samples[-1]:.0f} ms")
    if from_call:
        print(f"from the call:   {percentiles(from_call)}")
    return samples


def floor_latency(api: ChairApi, meeting_pk: int, observer: Site, holders: list[Site], repeats: int) -> list[float]:
    """Give the floor → the holder's audio grows at the observer's page (in-page poll every 20 ms)."""
    if isinstance(observer, BotSite):
        return bot_floor_latency(api, meeting_pk, observer, holders, repeats)
    base = f"/api/live/meetings/{meeting_pk}/floor/"
    samples, from_call = [], []
    for i in range(repeats):
        holder = holders[i % len(holders)]
        api.post(base + "take/")
        # Wait until the holder's audio at the observer has stopped (muted in Janus), at most 5 s.
        last, still_since, deadline = -1, time.monotonic(), time.monotonic() + 5
        while time.monotonic() < deadline:
            now = observer.page.evaluate("window.liveRoom.stats()")["audio"].get(str(holder.feed), {}).get("bytes", 0)
            if now != last:
                last, still_since = now, time.monotonic()
            elif time.monotonic() - still_since > 0.5:
                break
            time.sleep(0.1)
        observer.page.evaluate(WATCH_START, holder.feed)
        called = time.time()
        api.post(base + "give/", {"bridge_point_id": holder.bp.pk})
        returned = time.time()
        hit = None
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            hit = observer.page.evaluate("window.__benchWatch.hit")
            if hit is not None:
                break
            time.sleep(0.05)
        if hit is None:
            observer.page.evaluate("clearInterval(window.__benchWatch.timer)")
            print(f"  turn {i + 1}: {holder.name}: no audio at {observer.name} within 5 s")
            continue
        samples.append(hit - returned * 1000)
        from_call.append(hit - called * 1000)
        print(
            f"  turn {i + 1}: {holder.name}: API {1000 * (returned - called):.0f} ms, "
            f"audio after return {samples[-1]:.0f} ms"
        )
        time.sleep(0.5)
    if from_call:
        print(f"from the call:   {percentiles(from_call)}")
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=18, help="chair + communes (default 18)")
    parser.add_argument("--window", type=float, default=20, help="measured seconds per run")
    parser.add_argument("--floor-repeats", type=int, default=10)
    parser.add_argument("--ready-timeout", type=float, default=120)
    parser.add_argument("--chromium", type=int, default=0, help="Chromium pages (chair first); the rest are bots")
    args = parser.parse_args()
    args.chromium = args.chromium or args.sites
    if os.geteuid() != 0:
        sys.exit("run as root (network namespace)")
    # SIGTERM (e.g. `timeout`) ends the run through the cleanup below, as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    setup_django()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # ORM calls next to Playwright's sync loop

    from live.models import VideoRoom
    from tests.browser import CHROMIUM_ARGS, page_as
    from tests.live.conftest import media_server_for
    from tests.live.netns import Namespace

    meeting, host_bp, commune_bps, host_user, officers = prepare(args.sites)
    folder = Path(tempfile.mkdtemp(prefix="bench-briefing-"))
    namespace = Namespace()
    portal = Portal(folder)
    janus = bots = None
    playwright = browser = None
    started = time.monotonic()
    console: list[str] = []
    try:
        namespace.create()
        portal.start()
        janus = janus_in_namespace(namespace, portal, folder)
        janus_pid = janus.process.pid
        comm = Path(f"/proc/{janus_pid}/comm").read_text().strip()
        print(f"Janus pid {janus_pid} ({comm}) in namespace {namespace.name}; portal {portal.url}")
        media_server_for(janus, name="bench")

        # The chair starts the meeting over the API; the worker creates the room in Janus.
        api = ChairApi(portal.url, cookie_for(host_user), f"/live/meetings/{meeting.pk}/sites/{host_bp.pk}/")
        api.post(f"/api/live/meetings/{meeting.pk}/start/")
        deadline = time.monotonic() + 30
        while not VideoRoom.objects.filter(meeting=meeting, status="active").exists():
            if time.monotonic() > deadline:
                raise RuntimeError("the room was not created")
            time.sleep(0.2)
        room = VideoRoom.objects.get(meeting=meeting)
        feeds = {s.bridge_point_id: s.janus_id for s in room.participants.all()}
        print(f"room {room.room_id} active, floor mode {room.floor_mode}, {len(feeds)} participants")

        wrapper = folder / "chromium-in-netns"
        wrapper.write_text(f'#!/bin/sh\nexec ip netns exec {namespace.name} /usr/bin/chromium "$@"\n')
        wrapper.chmod(0o755)
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(
            executable_path=str(wrapper),
            args=[*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                  "--autoplay-policy=no-user-gesture-required"],
        )  # fmt: skip
        sites: list[Site] = []
        everyone = [("chair", host_bp, host_user)] + [
            (f"commune-{i:02d}", bp, officer) for i, (bp, officer) in enumerate(zip(commune_bps, officers, strict=True))
        ]
        if args.chromium < len(everyone):
            from room_bots import make_clip

            clip = folder / "clip.webm"
            make_clip(clip)
            bots = Bots(namespace, clip, folder / "bots.log")
        for name, bp, _user in everyone[args.chromium :]:
            sites.append(BotSite(name, bp, feeds[bp.pk], bots))
        for name, bp, user in reversed(everyone[: args.chromium]):
            page = page_as(browser, portal.url, cookie_for(user), viewport={"width": 960, "height": 600})
            page.context.add_init_script(INIT_SCRIPT)
            site = Site(name, bp, page, feeds[bp.pk], is_host=bp.pk == host_bp.pk)

            def on_console(message, site=site):
                if message.type == "error":
                    console.append(f"{site.name}: console: {message.text[:300]}")

            page.on("console", on_console)
            page.on("pageerror", lambda exc, site=site: console.append(f"{site.name}: pageerror: {exc}"))
            sites.insert(0, site)
        host = sites[0]
        bot_sites = [s for s in sites if isinstance(s, BotSite)]
        if bots is not None:
            specs, claims = [], {}
            for s, officer in zip(sites, [host_user, *officers], strict=True):
                if not isinstance(s, BotSite):
                    continue
                site_api = ChairApi(portal.url, cookie_for(officer), f"/live/meetings/{meeting.pk}/sites/{s.bp.pk}/")
                site_base = f"/api/live/meetings/{meeting.pk}/sites/{s.bp.pk}/"
                config = site_api.http.get(site_base + "join/").json()
                specs.append({"key": s.name, "ws": f"ws://127.0.0.1:{janus.ws_port}", **config})
                claims[s.name] = lambda sid, a=site_api, b=site_base: a.post(b + "session/", {"session_id": sid})
            bots.add(specs, claims)
            missing = bots.wait(bots.published, {s.name for s in bot_sites}, 60)
            print(f"{len(bot_sites) - len(missing)} of {len(bot_sites)} bots publish; not: {sorted(missing) or '-'}")
        communes = sites[1:]
        holder = communes[1] if len(communes) > 1 else communes[0]

        results = {}
        third = set(range(0, len(communes), 3))  # every third commune on satellite/4G
        for key, label, satellite in (
            ("a", "(a) layers by link: a third satellite/4G (layer 0), the rest fibre (layer 2)", third),
            ("b", "(b) baseline: everyone fibre (layer 2)", set()),
        ):
            kinds = set_links(commune_bps, satellite)
            for s in communes:
                s.link = kinds[s.bp.pk]
            host.link = "host"
            if bots is not None:
                from live.selectors import site_layer

                for s in bot_sites:
                    bots.send(cmd="layer", key=s.name, layer=site_layer(s.bp.pk))
            if results:
                leave_all(sites)
            join_started = time.monotonic()
            join_all(sites, portal.url, meeting.pk)
            took, missing = wait_ready(sites, host, args.ready_timeout)
            print(f"\n{label}: all pages joined in {time.monotonic() - join_started:.1f} s (ready wait {took:.1f} s)")
            for line in missing:
                print(f"  NOT READY: {line}")
            api.post(f"/api/live/meetings/{meeting.pk}/floor/give/", {"bridge_point_id": holder.bp.pk})
            if bots is not None:  # as a room page does when the floor changes: the holder's video too
                time.sleep(1)
                bots.subscribed.clear()
                bots.send(cmd="subscribe", chair=host.feed, holder=holder.feed)
                missing = bots.wait(bots.subscribed, {s.name for s in bot_sites}, 60)
                if missing:
                    print(f"  bots not subscribed: {sorted(missing)}")
            time.sleep(5)  # the holder's video reaches every commune; layers settle
            results[key] = measure(label, sites, host, janus_pid, args.window)
            api.post(f"/api/live/meetings/{meeting.pk}/floor/take/")

        a, b = results["a"], results["b"]
        print("\n== (a) layers by link versus (b) everyone high ==")
        print(f"Janus CPU:              {a['janus_cpu']:.1f} % vs {b['janus_cpu']:.1f} % "
              f"(ratio {a['janus_cpu'] / max(0.01, b['janus_cpu']):.2f})")  # fmt: skip
        print(f"total download:         {a['total_down']:.0f} vs {b['total_down']:.0f} kbit/s "
              f"(ratio {a['total_down'] / max(1, b['total_down']):.2f})")  # fmt: skip
        print(f"mean commune download:  {a['commune_down']:.0f} vs {b['commune_down']:.0f} kbit/s "
              f"(ratio {a['commune_down'] / max(1, b['commune_down']):.2f})")  # fmt: skip
        sat_a = [r["rx"] for r in a["rows"] if r["link"] in ("satellite", "4g")]
        low_sites = {x["site"] for x in a["rows"] if x["link"] in ("satellite", "4g")}
        same_b = [r["rx"] for r in b["rows"] if r["site"] in low_sites]
        if sat_a and same_b:
            print(f"satellite/4G communes:  {sum(sat_a) / len(sat_a):.0f} kbit/s in (a) vs the same sites on "
                  f"fibre in (b) {sum(same_b) / len(same_b):.0f} kbit/s (ratio "
                  f"{sum(sat_a) / max(1, sum(same_b)):.2f})")  # fmt: skip

        how = "its first RTP packet at a bot" if isinstance(communes[0], BotSite) else "in-page poll 20 ms"
        print(f"\n== (2) give the floor → the holder's audio at {communes[0].name} "
              f"({args.floor_repeats} turns, {how}) ==")  # fmt: skip
        samples = floor_latency(api, meeting.pk, communes[0], communes[1:] or communes, args.floor_repeats)
        if samples:
            print(f"after the API returned: {percentiles(samples)} (target p95 < 500 ms)")

        per_briefing = max(a["janus_cpu"], b["janus_cpu"])
        print("\n== (3) briefings per Janus ==")
        print(
            f"one briefing of {len(sites)} sites costs Janus {per_briefing:.1f} % of one core (the heavier run); "
            f"linear extrapolation: ~{100 / max(0.1, per_briefing):.0f} briefings per core before Janus saturates "
            f"a core (not measured: a second briefing needs {len(sites)} more Chromium publishers, and the "
            f"{len(sites)} here already keep the {os.cpu_count()} cores "
            f"{a['machine_busy'] / os.cpu_count():.0f} % busy)"
        )
        log = (janus.folder / "janus.log").read_text(errors="replace")
        warnings = [line for line in log.splitlines() if re.search(r"\[(ERR|WARN)\]", line)]
        print(f"Janus log: {len(warnings)} ERR/WARN lines")
        for line in warnings[-10:]:
            print(f"  {line[:200]}")
    finally:
        print(f"\nconsole errors / page exceptions: {len(console)}, distinct:")
        for line, count in Counter(re.sub(r"\d{6,}", "<n>", line) for line in console).most_common(30):
            print(f"  {count:>6} × {line}")
        for s in locals().get("sites", []):
            for line in s.errors:
                print(f"  {s.name}: {line}")
        if browser is not None:
            with contextlib.suppress(Exception):
                browser.close()
        if playwright is not None:
            playwright.stop()
        if bots is not None:
            bots.stop()
            for line in bots.errors:
                print(f"  bots: {line[:300]}")
            print("bots' stderr (last lines):", *bots.log.read_text(errors="replace").splitlines()[-15:], sep="\n  ")
        if janus is not None:
            janus.stop()
        portal.stop()
        namespace.destroy()
        print(f"run took {time.monotonic() - started:.0f} s; namespace and processes removed")


if __name__ == "__main__":
    main()
