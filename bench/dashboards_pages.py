"""
Benchmark of the site page, the district map and each role's home dashboard: p50/p95 and queries.

Runs against the test database settings with the demo district, a commune site grown to 200
equipment rows and 20 rooms, through Django's test client (no network, no browser):

    DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python bench/dashboards_pages.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

RUNS = 40


def measure(client: Client, url: str) -> tuple[float, float, int]:
    client.get(url)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(queries)


def main() -> None:
    from django.test.runner import DiscoverRunner

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    old = runner.setup_databases()
    try:
        from accounts.models import User
        from accounts.roles import Role
        from accounts.services import roles_sync, user_set_roles
        from sites import demo
        from sites.models import AdministrativeUnit, Equipment, Room, Site

        roles_sync()
        demo.load()
        site = Site.objects.get(code="ubnd-tam-giang")
        Room.objects.bulk_create(Room(code=f"tg-room-{i}", site=site, name=f"Phòng {i}") for i in range(20))
        Equipment.objects.bulk_create(
            Equipment(
                code=f"tg-eq-{i}", site=site, kind="display", serial=f"B{i}", status="faulty" if i % 9 else "working"
            )
            for i in range(200 - site.equipment.count())
        )
        cache.set("dashboards:health", {"ok": True, "checks": {}}, 3600)  # measure pages, not health probes
        print(f"{'page':<38}{'p50 ms':>8}{'p95 ms':>8}{'queries':>9}")
        for role in Role.values:
            unit = AdministrativeUnit.objects.get(code="tam-giang") if role == Role.COMMUNE_OFFICER else None
            user = User.objects.create_user(username=f"bench-{role}", unit=unit)
            user_set_roles(user=user, roles=[role])
            client = Client()
            client.force_login(user)
            for label, url in (
                ("home", "/"),
                ("map", "/dashboards/map/"),
                ("site (200 equipment)", site.get_absolute_url()),
            ):
                if label != "home" and role not in (Role.TECHNICIAN, Role.LEADER, Role.COMMUNE_OFFICER):
                    continue
                p50, p95, queries = measure(client, url)
                print(f"{role + ' ' + label:<38}{p50:>8.1f}{p95:>8.1f}{queries:>9}")
    finally:
        runner.teardown_databases(old)


if __name__ == "__main__":
    main()
