"""
Every HTML page, as every demo role, on province-scale data (issue 18): p50/p95 and queries per page.

The province (`manage.py seed_demo --scale province`: ten more districts, 150 communes, a year of
briefings, 50,000 equipment rows, 10,000 cameras) is loaded once into the bench database (PostgreSQL
by default; it is kept between runs, the loader is idempotent). Each demo user's pages are found as the
crawl test finds them (tests/common/test_crawl.py: links followed from "/", a few per URL shape), then
each page is requested `--runs` times through Django's test client (no network) with its queries
counted. The baseline, measured in the same run between pages, is the user's own profile page.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_province \\
        .venv/bin/python bench/pages_province.py [--runs 20] [--per-user 150]

A page's p95 is its 19th of 20 runs: with fewer runs than 20 it is simply the slowest one, and one
pause of a shared machine makes a page "slow".

Targets (issue 18): every HTML page p95 under 100 ms; no page over 30 queries.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_province")
os.environ.setdefault("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
# The cache of slow figures (common.datacache) is on in production; the test settings turn it off.
os.environ.setdefault("DATA_CACHE", "1")

P95_TARGET_MS, QUERY_TARGET = 100, 30


def ensure_database() -> None:
    """Create the PostgreSQL database when it is missing (the bench keeps it between runs)."""
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        return
    from urllib.parse import urlparse

    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username, dbname="postgres") as c:
        c.autocommit = True
        if not c.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
            c.execute(f'create database "{name}"')


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def discover(user, per_user: int) -> list[str]:
    """The user's pages, found as the crawl test finds them (HTML only)."""
    from urllib.parse import urldefrag, urljoin, urlsplit

    from django.test import Client

    from tests.common.test_crawl import PER_QUERY_SHAPE, PER_SHAPE, _Page, followable, shape

    client = Client(raise_request_exception=False)
    client.force_login(user)
    per_shape: dict[str, int] = defaultdict(int)
    seen, queue, pages = {"/"}, ["/"], []
    while queue and len(pages) < per_user:
        url = queue.pop(0)
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        pages.append(url)
        parser = _Page()
        parser.feed(response.content.decode())
        for href in parser.links:
            parts = urlsplit(urldefrag(urljoin(url, href)).url)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target in seen or not followable(target):
                continue
            seen.add(target)
            key = shape(target)
            if per_shape[key] >= (PER_QUERY_SHAPE if "?" in key else PER_SHAPE):
                continue
            per_shape[key] += 1
            queue.append(target)
    return pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--per-user", type=int, default=150)
    parser.add_argument("--users", default="", help="comma-separated demo usernames (default: all)")
    parser.add_argument("--csv", default="", help="write every page's row (user, url, p50, p95, queries, ratio) here")
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse
    from django.utils import translation

    from accounts.demo import DEMO_USERS
    from accounts.models import User

    setup_test_environment()
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    with translation.override("vi"):
        call_command("seed_demo", scale="province", stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"province in place ({time.monotonic() - started:.0f} s); database {connection.vendor}")
    from importlib import import_module

    from django.conf import settings

    from common.runtime import freeze_startup_heap

    import_module(settings.ROOT_URLCONF)
    freeze_startup_heap()  # as the portal's ASGI server does once started (portal/asgi.py)

    rows = []  # (user, url, p50, p95, queries)
    baseline: list[float] = []
    wanted = {u for u in args.users.split(",") if u}
    for username, *_ in DEMO_USERS:
        if wanted and username not in wanted:
            continue
        user = User.objects.get(username=username)
        pages = discover(user, args.per_user)
        client = Client()
        client.force_login(user)
        base_url = reverse("profile")
        for url in pages:
            client.get(url)  # warm: templates, caches
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                client.get(base_url)
                baseline.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            rows.append((username, url, statistics.median(times), pct(times, 0.95), len(queries)))
        print(f"{username}: {len(pages)} pages", flush=True)

    all_p95 = [r[3] for r in rows]
    if args.csv:
        import csv

        base95 = pct(baseline, 0.95)
        with open(args.csv, "w", newline="") as f:
            out = csv.writer(f)
            out.writerow(["user", "url", "p50_ms", "p95_ms", "queries", "p95_over_baseline_p95"])
            for user, url, p50, p95, q in sorted(rows, key=lambda r: -r[3]):
                out.writerow([user, url, f"{p50:.1f}", f"{p95:.1f}", q, f"{p95 / base95:.2f}"])
    print(f"\n{len(rows)} page visits × {args.runs} runs; baseline (profile page) "
          f"p50 {statistics.median(baseline):.1f} ms, p95 {pct(baseline, 0.95):.1f} ms")  # fmt: skip
    print(f"pages: p50 of p50s {statistics.median(r[2] for r in rows):.1f} ms; p95 over pages "
          f"{pct(all_p95, 0.95):.1f} ms; max p95 {max(all_p95):.1f} ms; "
          f"ratio p95/baseline p95 {pct(all_p95, 0.95) / pct(baseline, 0.95):.1f}")  # fmt: skip
    slow = sorted((r for r in rows if r[3] > P95_TARGET_MS), key=lambda r: -r[3])
    many = sorted((r for r in rows if r[4] > QUERY_TARGET), key=lambda r: -r[4])
    print(f"\npages over {P95_TARGET_MS} ms p95: {len(slow)}")
    for user, url, p50, p95, q in slow[:40]:
        print(f"  {p95:7.1f} ms (p50 {p50:6.1f})  {q:3d} q  {user:<14} {url}")
    print(f"\npages over {QUERY_TARGET} queries: {len(many)}")
    for user, url, _p50, p95, q in many[:40]:
        print(f"  {q:3d} q  {p95:7.1f} ms  {user:<14} {url}")


if __name__ == "__main__":
    main()
