"""
Benchmark: `GET /api/cameras/` over 10,000 cameras, filtered by status and site.

Builds a throw-away database (SQLite file var/bench_cameras.sqlite3 unless DATABASE_URL is set),
20 sites with 500 cameras each, then times 200 requests per page size through DRF's test client as a
district technician: p50/p95 latency and the number of SQL queries, which must not depend on the
page size.

    DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python bench/cameras_api.py
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
BENCH_DB = ROOT / "var" / "bench_cameras.sqlite3"
if "DATABASE_URL" not in os.environ:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{BENCH_DB}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{BENCH_DB}"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from accounts.services import user_set_roles  # noqa: E402
from cameras.choices import CameraStatus, CameraType, Placement  # noqa: E402
from cameras.models import Camera  # noqa: E402
from sites.models import AdministrativeUnit, Site  # noqa: E402

CAMERAS, SITES, REQUESTS = 10_000, 20, 200


def build() -> list[int]:
    call_command("migrate", verbosity=0)
    Camera.objects.all().delete()
    district, _ = AdministrativeUnit.objects.get_or_create(
        code="bench-district", defaults={"name": "Huyện", "kind": "district"}
    )
    sites = []
    for i in range(SITES):
        unit, _ = AdministrativeUnit.objects.get_or_create(
            code=f"bench-commune-{i}", defaults={"name": f"Xã {i}", "kind": "commune", "parent": district}
        )
        site, _ = Site.objects.get_or_create(
            code=f"bench-site-{i}", defaults={"name": f"UBND xã {i}", "unit": unit, "kind": "ubnd_hq"}
        )
        sites.append(site)
    rng = random.Random(7)
    statuses = [CameraStatus.IN_SERVICE] * 8 + [CameraStatus.FAULTY, CameraStatus.REMOVED]
    Camera.objects.bulk_create(
        [
            Camera(
                code=f"bench-cam-{n}",
                site=sites[n % SITES],
                floor=rng.randint(1, 4),
                placement=rng.choice(Placement.values),
                camera_type=rng.choice(CameraType.values),
                stream_url=f"rtsp://192.0.2.{n % 250 + 1}:554/s{n}",
                status=rng.choice(statuses),
                cost_vnd=rng.randint(1, 20) * 1_000_000,
                username="viewer",
                password=f"pw-{n}",  # encrypted like real ones; the list must not decrypt them
            )
            for n in range(CAMERAS)
        ],
        batch_size=2000,
    )
    return [s.pk for s in sites]


def main() -> None:
    site_ids = build()
    user, _ = User.objects.get_or_create(username="bench-tech")
    user_set_roles(user=user, roles=[Role.TECHNICIAN])
    user = User.objects.get(pk=user.pk)
    client = APIClient()
    client.force_authenticate(user)
    client.get("/api/cameras/", {"page_size": 1})  # warm: permissions, scope
    rng = random.Random(1)
    print(f"cameras={Camera.objects.count()} sites={len(site_ids)} db={connection.vendor}")
    queries_by_size = {}
    for page_size in (10, 50, 200):
        times, queries = [], set()
        for _ in range(REQUESTS):
            params = {
                "status": rng.choice(["in_service", "faulty"]),
                "site_id": rng.choice(site_ids),
                "page_size": page_size,
            }
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get("/api/cameras/", params)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            queries.add(len(captured))
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        queries_by_size[page_size] = queries
        print(
            f"page_size={page_size:<4} p50={statistics.median(times):6.1f} ms  p95={p95:6.1f} ms  "
            f"queries/request={sorted(queries)}"
        )
    assert len({q for qs in queries_by_size.values() for q in qs}) == 1, "query count depends on page size"


if __name__ == "__main__":
    main()
