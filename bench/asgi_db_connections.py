"""
PostgreSQL connections under the ASGI server: uvicorn serves N requests that each read the database
(Janus events from an unknown server: one query), C at a time; reports the time and how many
connections the server holds at the end. Three servers in the same run: without the pool
(DATABASE_POOL=false: a connection per request, the baseline), with the per-thread persistent
connections the portal used before (CONN_MAX_AGE=60, which under ASGI are never reused and stay open),
and with the portal's connection pool (the default).

    .venv/bin/python bench/asgi_db_connections.py [--requests 1000] [--concurrency 20]
        [--database postgres://postgres@127.0.0.1:5432/bench_asgi]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import httpx
from _setup import ROOT

EVENT = b'[{"emitter": "bench-unknown", "type": 64, "event": {"plugin": "janus.plugin.videoroom"}}]'


def connections_to(monitor, database_url: str) -> int:
    """Connections to the database, counted over `monitor` (opened before the load, so never refused)."""
    name = urlparse(database_url).path[1:]
    return monitor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name]).fetchone()[0]


def run(monitor, database_url: str, pool: bool, requests: int, concurrency: int, port: int) -> tuple[float, int, int]:
    """Time for the requests, the connections open at the end, and how many requests failed."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": database_url,
        "DATABASE_POOL": "true" if pool else "false",
        "LOG_LEVEL": "CRITICAL",
        "JANUS_EVENTS_USER": "bench",
        "JANUS_EVENTS_PASSWORD": "bench-password",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "portal.asgi:application", "--port", str(port), "--log-level", "critical"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,  # the old variant's "too many clients" tracebacks; counted below
        start_new_session=True,
    )
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", auth=("bench", "bench-password"))
        deadline = time.monotonic() + 30
        while True:
            try:
                client.post("/api/janus/events/", content=EVENT).raise_for_status()
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

        def one(_: int) -> bool:
            """Whether the event was handled (the endpoint answers 200 either way, as Janus needs)."""
            response = client.post("/api/janus/events/", content=EVENT)
            response.raise_for_status()
            return response.json()["failed"] == 0

        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as threads:
            failed = sum(not ok for ok in threads.map(one, range(requests)))
        elapsed = time.perf_counter() - started
        return elapsed, connections_to(monitor, database_url), failed
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/bench_asgi")
    args = parser.parse_args()

    import psycopg

    url = urlparse(args.database)
    monitor = psycopg.connect(
        host=url.hostname, port=url.port or 5432, user=url.username, dbname="postgres", autocommit=True
    )
    if not monitor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [url.path[1:]]).fetchone():
        monitor.execute(f'CREATE DATABASE "{url.path[1:]}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "DATABASE_URL": args.database},
        check=True,
    )
    from tests.janus_server import free_port

    variants = {
        "without the pool (baseline)": (args.database, False),
        "CONN_MAX_AGE=60, as before": (f"{args.database}?conn_max_age=60", False),
        "with the pool": (args.database, True),
    }
    print(f"{args.requests} requests, {args.concurrency} at a time:")
    baseline = None
    for name, (url, pool) in variants.items():
        elapsed, connections, failed = run(monitor, url, pool, args.requests, args.concurrency, free_port())
        baseline = baseline or elapsed
        print(
            f"  {name:28} {elapsed:.2f} s ({baseline / elapsed:.2f}× the baseline's speed), "
            f"{connections} connections open at the end, {failed} requests failed"
        )
        time.sleep(1)  # the killed server's connections go away


if __name__ == "__main__":
    main()
