"""
Provisioning with a real Celery worker, N rooms per path: (a) the host path, N `meeting_start` calls in
parallel (transaction, audit, numbered delta; after commit each start joins the pending set and the
worker's drain task provisions the set in batches), (b) the tasks path alone, N meetings already live
handed to the same dispatch at once (`provision_enqueue`, as the starts' commits do), (c) N meetings
starting within the hour, whose rooms one periodic reconcile pass prepares and creates (the usual way:
rooms exist an hour before the start, for the test calls). Time until every room is ACTIVE (created
in Janus with its tokens). Baseline in the same run: the raw Janus create time
of N rooms over one HTTP session, one request after the other.

    .venv/bin/python bench/live_provision.py [--meetings 100] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections import Counter
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
    parser.add_argument("--meetings", type=int, default=100, help="rooms per path")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--pool", default="threads")
    parser.add_argument("--parallel", type=int, default=4, help="meeting_start calls at the same time")
    args = parser.parse_args()
    n = args.meetings

    setup_django()
    janus = start_janus()
    worker = None
    try:
        raw = raw_create(janus, n)
        print(f"raw Janus create, {n} rooms, one session: {raw:.3f} s ({raw / n * 1000:.2f} ms/room)")
        meetings, organiser = make_meetings(janus, 3 * n)
        worker = start_worker(args.concurrency, args.pool)

        from integrations.janus import JanusClient
        from live.models import VideoRoom
        from live.services import meeting_start, provision_enqueue, reconcile_all
        from meetings.models import Meeting

        def wait_active(count: int, since: float) -> float:
            while VideoRoom.objects.filter(status=VideoRoom.Status.ACTIVE).count() < count:
                if time.perf_counter() - since > 180:
                    statuses = Counter(VideoRoom.objects.values_list("status", flat=True))
                    raise RuntimeError(f"rooms not created within 180 s: {dict(statuses)}")
                time.sleep(0.005)
            return time.perf_counter() - since

        # (a) The whole host path: meeting_start (transaction, audit, numbered delta) → pending set →
        # drain task → Janus.
        started = time.perf_counter()
        with ThreadPoolExecutor(args.parallel) as pool:
            list(pool.map(lambda m: meeting_start(meeting=m, user=organiser), meetings[:n]))
        queued = time.perf_counter() - started
        host_path = wait_active(n, started)
        # (b) The dispatch and the worker alone: meetings already live, handed over at once.
        Meeting.objects.filter(pk__in=[m.pk for m in meetings[n : 2 * n]]).update(status=Meeting.Status.LIVE)
        started = time.perf_counter()
        for meeting in meetings[n : 2 * n]:
            provision_enqueue(meeting_id=meeting.pk)
        tasks_path = wait_active(2 * n, started)
        # (c) The way rooms are usually made: an hour ahead of the start, for the test calls, by the
        # periodic reconcile (one pass, in this process as in the worker's beat task).
        started = time.perf_counter()
        made_ahead = reconcile_all().rooms_provisioned
        ahead = wait_active(3 * n, started)
        assert made_ahead == n, made_ahead
        with JanusClient(
            janus.url, api_secret=ENV["JANUS_API_SECRET"], admin_key=ENV["JANUS_VIDEOROOM_ADMIN_KEY"]
        ) as c:
            in_janus = {r.room_id for r in c.room_list()}
        assert set(VideoRoom.objects.values_list("room_id", flat=True)) <= in_janus
        print(
            f"(a) {n} meeting_start calls ({args.parallel} in parallel) {queued:.3f} s "
            f"({queued / n * 1000:.2f} ms/start); all {n} rooms active after {host_path:.3f} s "
            f"= {host_path / n * 1000:.2f} ms/room, {host_path / raw:.1f}× raw "
            f"(the last room {(host_path - queued) * 1000:.0f} ms after the last start returned)"
        )
        print(
            f"(b) {n} meetings to the pending set, drained by the worker ({args.pool}, concurrency "
            f"{args.concurrency}): all active after {tasks_path:.3f} s = {tasks_path / n * 1000:.2f} ms/room, "
            f"{tasks_path / raw:.1f}× raw"
        )
        print(
            f"(c) {n} meetings starting within the hour, prepared and created by one reconcile pass "
            f"(with {2 * n} live rooms to check): {ahead:.3f} s = {ahead / raw:.1f}× raw"
        )
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(20)
        janus.stop()


if __name__ == "__main__":
    main()
