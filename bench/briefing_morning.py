"""
Load test of a briefing morning, on PostgreSQL, with the production-style server (uvicorn, several
workers), everything on 127.0.0.1:

- the demo district (seed_demo) plus a live briefing of 17 communes and the district hall: 18 room pages
  and 3 boards on its websocket;
- Janus's events at an 18-site briefing's rate: media statistics for every site's audio and video each
  second (grouped in one POST, as the sample event handler does) and a talking / stopped-talking event
  every TALK_GAP seconds, whose event → board latency is measured;
- the camera sweep (the demo's loopback cameras, answered by the camera simulator) every SWEEP_EVERY s;
- Locust office users browsing and booking, in steps (bench/locustfile.py).

First the boards' latency with no load (QUIET seconds), then each Locust step. Prints, per step,
requests per second, p50/p95, errors and the boards' event → screen p95, and the step at which the
office users' p95 crosses 200 ms.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/briefing_morning.py \
        [--workers 3] [--steps 10,20,30,40,50] [--step-seconds 30] [--quiet 30]

The database is emptied first. Locust runs from var/locust-venv (made from requirements-bench.txt if
missing).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from live_common import ENV, ROOT, make_district, make_meeting, make_user, setup_django

EMITTER = "janus-briefing"
LOCUST_VENV = ROOT / "var" / "locust-venv"
TALK_GAP = 0.5  # seconds between talking events (speakers change, people interject)
STATS_EVERY = 1.0  # Janus's media statistics: one per m-line per second
SWEEP_EVERY = 15  # seconds between camera sweeps (production: CAMERA_PROBE_INTERVAL_SECONDS)
OFFICE_USERS = 50


def prepare() -> dict:
    from django.core.management import call_command
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from accounts.models import User
    from accounts.services import user_set_roles
    from live import services
    from live.models import MediaServer, VideoRoom
    from meetings.models import Meeting
    from sites.models import Room

    call_command("seed_demo", verbosity=0)
    host, sites = make_district(17)
    organiser = make_user("briefing-office", "office_staff")
    chair = make_user("briefing-host", "host")
    meeting = make_meeting(host, sites, organiser, title="Giao ban sáng thứ Hai", status=Meeting.Status.LIVE)
    server = MediaServer.objects.create(name="briefing", server_name=EMITTER, api_url="http://127.0.0.1:1/janus")
    room = services.room_prepare(meeting=meeting)
    # On this bench's Janus (the demo data has servers of its own, which placement may have chosen).
    VideoRoom.objects.filter(pk=room.pk).update(status=VideoRoom.Status.ACTIVE, server=server)
    states = list(room.participants.order_by("pk"))
    for i, state in enumerate(states):  # every site joined and publishing, its session claimed
        state.session_id = state.claimed_session_id = 50_000 + i
        state.handle_id = 60_000 + i
        state.state = state.State.PUBLISHING
        state.save(update_fields=["session_id", "claimed_session_id", "handle_id", "state"])
    users = []
    for i in range(OFFICE_USERS):
        user = User.objects.create_user(username=f"office-{i:02d}", password="bench-pw-12345")
        user_set_roles(user=user, roles=["office_staff"])
        users.append([user.username, "bench-pw-12345"])
    client = Client()
    client.force_login(chair)
    from django.conf import settings

    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    pages = ["/"]
    for name, kwargs in (
        ("meetings:meeting_list", {}),
        ("meetings:booking_list", {}),
        ("meetings:booking_calendar", {}),
        ("sites:site_list", {}),
        ("cameras:dashboard", {}),
        ("notifications:notification_list", {}),
        ("meetings:meeting_detail", {"pk": meeting.pk}),
    ):
        try:
            pages.append(reverse(name, kwargs=kwargs))
        except NoReverseMatch:
            print(f"(no page {name})")
    rooms = list(Room.objects.filter(is_bookable=True).values_list("pk", flat=True)) or [host.room_id]
    return {
        "meeting": meeting.pk,
        "room_id": room.room_id,
        "sites": [(s.janus_id, s.session_id, s.handle_id, s.pk) for s in states],
        "cookie": cookie,
        "users": users,
        "pages": pages,
        "rooms": rooms,
    }


def wait_http(url: str, seconds: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while True:
        try:
            httpx.get(url, timeout=5)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


class Live:
    """The boards' websockets and Janus's events, in the driver's event loop; latencies by time."""

    def __init__(self, data: dict, port: int) -> None:
        self.data, self.port = data, port
        self.samples: list[tuple[float, float]] = []  # (wall time of the event, ms to a board)
        # (participant row, talking) → (event number, wall time, perf_counter) of the last talking event
        self.sent: dict[tuple[int, bool], tuple[int, float, float]] = {}
        self.seen: set[tuple[int, int]] = set()  # (board, event number) already timed
        self.errors = 0
        self.deltas = 0  # received by the boards
        self.results: dict[str, int] = {}  # the event endpoint's counts (applied, ignored, …), summed

    async def socket(self, board: int | None, ready: list[int]) -> None:
        import websockets

        url = f"ws://127.0.0.1:{self.port}/ws/live/meetings/{self.data['meeting']}/"
        headers = {"Cookie": self.data["cookie"]}
        async with websockets.connect(
            url, additional_headers=headers, origin=f"http://127.0.0.1:{self.port}", max_queue=None
        ) as ws:
            await ws.recv()
            ready[0] += 1
            async for raw in ws:
                message = json.loads(raw)
                if board is None or message["type"] != "delta":
                    continue
                self.deltas += 1
                # The first delta showing the site as the event left it (any delta: a statistics delta
                # sent after the event carries the new talking state as well).
                for row in message["data"]["participants"]:
                    sent = self.sent.get((row["key"], row["talking"]))
                    if sent is not None and (board, sent[0]) not in self.seen:
                        self.seen.add((board, sent[0]))
                        self.samples.append((sent[1], (time.perf_counter() - sent[2]) * 1000))

    async def run(self, stop: asyncio.Event) -> None:
        import httpx

        ready = [0]
        # 3 boards (timed), 18 room pages
        sockets = [asyncio.create_task(self.socket(i if i < 3 else None, ready)) for i in range(21)]
        while ready[0] < 21:
            await asyncio.sleep(0.1)
        token = base64.b64encode(f"{ENV['JANUS_EVENTS_USER']}:{ENV['JANUS_EVENTS_PASSWORD']}".encode()).decode()
        headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}", headers=headers, timeout=30) as http:
            stats = asyncio.create_task(self.statistics(http, stop))
            await self.talking(http, stop)
            await stats
        for task in sockets:
            task.cancel()

    def event(self, kind: int, site: list[int], body: dict, subtype: int | None = None) -> dict:
        session_id, handle_id = site[1], site[2]
        event = {
            "emitter": EMITTER,
            "type": kind,
            "timestamp": int(time.time() * 1e6),
            "session_id": session_id,
            "handle_id": handle_id,
            "event": body,
        }
        if subtype is not None:
            event["subtype"] = subtype
        return event

    async def post(self, http, events: list[dict]) -> dict | None:
        try:
            response = await http.post("/api/janus/events/", content=json.dumps(events))
            response.raise_for_status()
            result = response.json()
            for key, value in result.items():
                self.results[key] = self.results.get(key, 0) + value
            return result
        except Exception as exc:
            self.errors += 1
            print(f"Janus event POST failed: {exc!r}")
            return None

    async def talking(self, http, stop: asyncio.Event) -> None:
        """One site starts or stops talking every TALK_GAP s."""
        sites, n = self.data["sites"], 0
        while not stop.is_set():
            site = sites[n % len(sites)]
            talking = (n // len(sites)) % 2 == 0
            name = "talking" if talking else "stopped-talking"
            body = {
                "plugin": "janus.plugin.videoroom",
                "data": {"videoroom": name, "room": self.data["room_id"], "id": site[0]},
            }
            self.sent.pop((site[3], not talking), None)
            self.sent[(site[3], talking)] = (n, time.time(), time.perf_counter())
            await self.post(http, [self.event(64, site, body)])
            n += 1
            await asyncio.sleep(TALK_GAP)

    async def statistics(self, http, stop: asyncio.Event) -> None:
        """Every second, audio and video statistics of every site, grouped in one POST."""
        counters = 0
        while not stop.is_set():
            counters += 1
            events = [
                self.event(
                    32,
                    site,
                    {"mid": mid, "packets-received": counters * 50, "lost": 0, "bytes-received-lastsec": kbps * 125},
                    subtype=3,
                )
                for site in self.data["sites"]
                for mid, kbps in (("0", 32), ("1", 600))
            ]
            await self.post(http, events)
            await asyncio.sleep(STATS_EVERY)


def p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--steps", default="10,20,30,40,50", help="office users at each step")
    parser.add_argument("--step-seconds", type=int, default=30)
    parser.add_argument("--quiet", type=int, default=30, help="seconds of board latency with no load first")
    args = parser.parse_args()
    if not ENV["DATABASE_URL"].startswith("postgres"):
        sys.exit("Set BENCH_DATABASE_URL to a PostgreSQL database (it is emptied).")

    setup_django()
    data = prepare()
    print(f"data ready: {len(data['users'])} office users, {len(data['pages'])} pages, {len(data['sites'])} sites")

    from tests.janus_server import free_port

    port = free_port()
    env = {**os.environ, **ENV, "DJANGO_DEBUG": "false"}
    procs: list[subprocess.Popen] = []

    def start(cmd: list[str]) -> subprocess.Popen:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
        procs.append(proc)
        return proc

    # As deploy/systemd/portal-web.service runs it.
    start(
        [sys.executable, "-m", "uvicorn", "portal.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(args.workers), "--no-server-header", "--lifespan", "off", "--log-level", "warning"]
    )  # fmt: skip
    start([sys.executable, "manage.py", "camera_simulator"])
    sweep = (
        "import time, django; django.setup()\n"
        "from cameras.services import camera_health_sweep\n"
        f"while True:\n    print('camera sweep:', camera_health_sweep(), flush=True); time.sleep({SWEEP_EVERY})\n"
    )
    start([sys.executable, "-c", sweep])
    try:
        wait_http(f"http://127.0.0.1:{port}/accounts/login/")
        if not (LOCUST_VENV / "bin" / "locust").exists():
            subprocess.run([sys.executable, "-m", "venv", str(LOCUST_VENV)], check=True)
            pip = LOCUST_VENV / "bin" / "pip"
            subprocess.run([pip, "install", "-q", "-r", ROOT / "requirements-bench.txt"], check=True)
        asyncio.run(run(args, data, port, start))
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(15)


async def run(args, data: dict, port: int, start) -> None:
    live = Live(data, port)
    stop = asyncio.Event()
    live_task = asyncio.create_task(live.run(stop))
    await asyncio.sleep(args.quiet)
    quiet_end = time.time()
    steps = [int(s) for s in args.steps.split(",")]
    out = Path(tempfile.mkdtemp(prefix="briefing-")) / "samples.json"
    plan = Path(out.parent / "plan.json")
    plan.write_text(json.dumps({**data, "steps": steps, "step_seconds": args.step_seconds, "out": str(out)}))
    locust_started = time.time()
    locust = await asyncio.create_subprocess_exec(
        str(LOCUST_VENV / "bin" / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
        "--host", f"http://127.0.0.1:{port}", "--only-summary", "--loglevel", "WARNING",
        cwd=ROOT, env={**os.environ, "BRIEFING_PLAN": str(plan)},
    )  # fmt: skip
    await locust.wait()
    stop.set()
    await live_task

    requests = json.loads(out.read_text())
    quiet = [ms for at, ms in live.samples if at < quiet_end]
    print(f"\nboards, no load: event → screen n={len(quiet)} p50={p(quiet, 0.5):.1f} ms p95={p(quiet, 0.95):.1f} ms")
    print(f"{'users':>5} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}  board p95 ms (n)")
    crossed = None
    for i, users in enumerate(steps):
        # The step's second half: its users have logged in and settled into their pace.
        begin = locust_started + i * args.step_seconds + args.step_seconds / 2
        end = locust_started + (i + 1) * args.step_seconds
        rows = [r for r in requests if begin <= r[0] < end and not r[1].endswith("login") and "login page" not in r[1]]
        board = [ms for at, ms in live.samples if begin <= at < end]
        ms = [r[2] for r in rows]
        rps = len(rows) / (end - begin)
        p95 = p(ms, 0.95)
        print(
            f"{users:>5} {rps:>6.1f} {p(ms, 0.5):>7.1f} {p95:>7.1f} {sum(r[3] for r in rows):>6}  "
            f"{p(board, 0.95):.1f} ({len(board)})"
        )
        if crossed is None and p95 > 200:
            crossed = (users, rps)
    errors = sum(r[3] for r in requests)
    print(f"requests {len(requests)}, errors {errors}; Janus event POSTs failed {live.errors}")
    print(f"Janus events: {live.results}; deltas received by the boards: {live.deltas}")
    failures: dict[str, int] = {}
    for r in requests:
        if r[3]:
            failures[r[1]] = failures.get(r[1], 0) + 1
    if failures:
        print(f"errors by request: {failures}")
    if crossed:
        print(f"p95 crosses 200 ms at {crossed[0]} users, {crossed[1]:.1f} req/s")
    else:
        print("p95 stayed under 200 ms at every step")


if __name__ == "__main__":
    main()
