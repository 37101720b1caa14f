"""
GET /api/equipment/?page_size=100 with filters over 10,000 equipment rows in 17 communes:
p50/p95 over 200 requests and the SQL query count for page sizes 10/100/1000, against a baseline
(GET /api/sites/?page_size=1) measured in the same run.

    .venv/bin/python bench/sites_equipment_api.py            # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/sites_equipment_api.py
"""

from _setup import percentiles, setup_django, timed

setup_django("equipment")

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from sites import demo  # noqa: E402
from sites.choices import EquipmentKind, EquipmentStatus  # noqa: E402
from sites.models import Equipment, Site  # noqa: E402

demo.load()
sites = list(Site.objects.filter(code__startswith="ubnd-"))
kinds = list(EquipmentKind.values)
Equipment.objects.bulk_create(
    [
        Equipment(
            code=f"bench-{i}",
            site=sites[i % len(sites)],
            kind=kinds[i % len(kinds)],
            model="Bench",
            serial=f"B{i:06d}",
            status=EquipmentStatus.FAULTY if i % 10 == 0 else EquipmentStatus.WORKING,
            cost_vnd=1_000_000 + i,
        )
        for i in range(10_000)
    ],
    batch_size=2000,
)
admin = User.objects.create_superuser("bench", password="x")
client = Client()
client.force_login(admin)
url = "/api/equipment/"
params = {"status": "working", "kind": ["display", "pc", "ups"], "page_size": 100}
client.get(url, params)  # warm up

for size in (10, 100, 1000):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {**params, "page_size": size})
    assert response.status_code == 200
    print(f"page_size={size:<5} rows={len(response.json()['results']):<5} queries={len(ctx.captured_queries)}")

baseline = percentiles(timed(lambda: client.get("/api/sites/", {"page_size": 1}), 200))
measured = percentiles(timed(lambda: client.get(url, params), 200))
print(f"database: {connection.vendor}")
print(f"baseline GET /api/sites/?page_size=1   p50 {baseline['p50']:.1f} ms  p95 {baseline['p95']:.1f} ms")
print(
    f"GET /api/equipment/ 100 rows, filtered p50 {measured['p50']:.1f} ms  p95 {measured['p95']:.1f} ms "
    f"(p95 ratio to baseline {measured['p95'] / baseline['p95']:.1f}x)"
)
