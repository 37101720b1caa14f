"""
Provisioning with a real Celery worker: (a) half the meetings started through `meeting_start` (the
host's action: transaction, audit, delta, then one task each), (b) the other half provisioned by
tasks alone; time until every room exists in Janus. Baseline in the same run: the raw Janus create
time of the same number of rooms over one HTTP session.

    .venv/bin/python bench/live_provision.py [--meetings 100] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from live_common import ENV, ROOT, make_district, make_meeting, make_user, setup_django, start_janus


def raw_create(janus, n: int) -> float:
    """Seconds to create `n` rooms with one client (then destroy them)."""
    from integrations.janus import JanusClient, RoomSpec

    with JanusClient(janus.url, api_secret=ENV["JANUS_API_SECRET"], admin_key=ENV["JANUS_VIDEOROOM_ADMIN_KEY"]) as c:
        c.info()
        started = time.perf_counter()
        for i in range(n):
            c.room_create(RoomSpec(room_id=900_000 + i, secret="s", pin="1234", allowed=("a", "b", "c", "d")))
        elapsed = time.perf_counter() - started
        for i in range(n):
            c.room_destroy(900_000 + i, secret="s")
    return elapsed


def make_meetings(janus, n: int):
    from live.models import MediaServer

    MediaServer.objects.create(
        name="bench", server_name=f"janus-test-{janus.http_port}", api_url=janus.url, admin_url=janus.admin_url
    )
    host, sites = make_district(3)
    organiser = make_user("bench-office", "office_staff")
    return [make_meeting(host, sites, organiser, title=f"Giao ban {i}") for i in range(n)], organiser


def start_worker(concurrency: int, pool: str) -> subprocess.Popen:
    log = open(ROOT / "var" / "bench-worker.log", "wb")  # noqa: SIM115  (lives as long as the worker)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool",
            pool,
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"bench-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env={**os.environ, **ENV},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    from portal.celery import app

    deadline = time.monotonic() + 30
    while not app.control.ping(timeout=0.5):
        if time.monotonic() > deadline:
            raise RuntimeError("worker did not start")
    return process


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--pool", default="threads")
    parser.add_argument("--parallel", type=int, default=4, help="meeting_start calls at the same time")
    args = parser.parse_args()

    setup_django()
    janus = start_janus()
    worker = None
    try:
        raw = raw_create(janus, args.meetings)
        print(
            f"raw Janus create, {args.meetings} rooms, one session: {raw:.3f} s "
            f"({raw / args.meetings * 1000:.1f} ms/room)"
        )
        meetings, organiser = make_meetings(janus, args.meetings)
        worker = start_worker(args.concurrency, args.pool)

        from integrations.janus import JanusClient
        from live.models import VideoRoom
        from live.services import meeting_start
        from live.tasks import room_provision
        from meetings.models import Meeting

        def wait_active(n: int, since: float) -> float:
            while VideoRoom.objects.filter(status=VideoRoom.Status.ACTIVE).count() < n:
                if time.perf_counter() - since > 180:
                    raise RuntimeError("rooms not created within 180 s")
                time.sleep(0.02)
            return time.perf_counter() - since

        # (a) The whole host path: meeting_start (transaction, audit, numbered delta) → task → Janus.
        half = args.meetings // 2
        started = time.perf_counter()
        with ThreadPoolExecutor(args.parallel) as pool:
            list(pool.map(lambda m: meeting_start(meeting=m, user=organiser), meetings[:half]))
        queued = time.perf_counter() - started
        total = wait_active(half, started)
        # (b) The Celery → Janus part alone: meetings already live, one provisioning task each.
        for meeting in meetings[half:]:
            Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.LIVE)
        started = time.perf_counter()
        for meeting in meetings[half:]:
            room_provision.delay(meeting_id=meeting.pk)
        tasks_only = wait_active(args.meetings, started)
        with JanusClient(
            janus.url, api_secret=ENV["JANUS_API_SECRET"], admin_key=ENV["JANUS_VIDEOROOM_ADMIN_KEY"]
        ) as c:
            in_janus = {r.room_id for r in c.room_list()}
        assert set(VideoRoom.objects.values_list("room_id", flat=True)) <= in_janus
        per_raw = raw / args.meetings
        print(
            f"(a) {half} meeting_start calls ({args.parallel} in parallel) {queued:.3f} s; all {half} rooms active "
            f"after {total:.3f} s = {total / half * 1000:.1f} ms/room, {total / half / per_raw:.1f}× raw"
        )
        print(
            f"(b) {args.meetings - half} provisioning tasks ({args.pool} worker, concurrency {args.concurrency}): "
            f"all active after {tasks_only:.3f} s = {tasks_only / (args.meetings - half) * 1000:.1f} ms/room, "
            f"{tasks_only / (args.meetings - half) / per_raw:.1f}× raw"
        )
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(20)
        janus.stop()


if __name__ == "__main__":
    main()
