"""
`/healthz` under the ASGI server, with every part it checks there: the database, Redis, a worker's
heartbeat and a real Janus (its /info). Baseline in the same run, alternating request by request: a
page that only goes through the stack (a 404 rendered by Django).

Issue 18 target: /healthz under 50 ms.

    .venv/bin/python bench/healthz.py [--requests 200]
"""

from __future__ import annotations

import argparse
import time

from live_common import percentiles, serve_portal, setup_django, start_janus


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    setup_django()
    import httpx

    from common.health import worker_heartbeat_start
    from live.models import MediaServer

    janus = start_janus()
    MediaServer.objects.create(name="janus-1", server_name="janus-bench", api_url=janus.url)
    stop_heartbeat = worker_heartbeat_start("bench-worker")  # as a Celery worker would
    try:
        with serve_portal() as port, httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
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
        stop_heartbeat.set()
        janus.stop()


if __name__ == "__main__":
    main()
