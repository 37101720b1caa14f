"""
`/healthz` under the ASGI server, with every part it checks there: the database, Redis, a worker's
heartbeat and a real Janus (its /info). Baseline in the same run, alternating request by request: a
page that only goes through the stack (a 404 rendered by Django).

Issue 18 target: /healthz under 50 ms.

    .venv/bin/python bench/healthz.py [--requests 200]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

from live_common import ENV, ROOT, percentiles, setup_django, start_janus


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    setup_django()
    import httpx

    from common.health import worker_heartbeat_start
    from live.models import MediaServer
    from tests.janus_server import free_port

    janus = start_janus()
    MediaServer.objects.create(name="janus-1", server_name="janus-bench", api_url=janus.url)
    stop_heartbeat = worker_heartbeat_start("bench-worker")  # as a Celery worker would
    port = free_port()
    web = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "portal.asgi:application", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env={**os.environ, **ENV},
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as http:
            deadline = time.monotonic() + 20
            while True:
                try:
                    http.get("/healthz")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            health, baseline, statuses = [], [], set()
            for _ in range(args.requests):
                t0 = time.perf_counter()
                response = http.get("/healthz")
                health.append((time.perf_counter() - t0) * 1000)
                statuses.add((response.status_code, response.json()["ok"]))
                t0 = time.perf_counter()
                http.get("/no-such-page/")
                baseline.append((time.perf_counter() - t0) * 1000)
        print(f"/healthz (database, Redis, worker, Janus): {percentiles(health)}  answers {sorted(statuses)}")
        print(f"baseline (a 404 page):                     {percentiles(baseline)}")
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(10)
        stop_heartbeat.set()
        janus.stop()


if __name__ == "__main__":
    main()
