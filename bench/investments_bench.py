"""
Benchmark: generate an investment plan from the equipment gap for 100 and for 1,000 sites (a kit of
20 items each, 20,000 existing equipment rows), counting queries, then export the 1,000-site plan to
XLSX. Runs in a throwaway test database (SQLite by default, PostgreSQL with DATABASE_URL).

    DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python bench/investments_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_investments \
        DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python bench/investments_bench.py
"""

import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

SITES = 1_000
KIT_ITEMS = 20
EQUIPMENT = 20_000


def build() -> list:
    from investments.models import CatalogueItem, ItemPrice, KitLine, StandardKit
    from sites.choices import EquipmentKind, EquipmentStatus, SiteKind, UnitKind
    from sites.models import AdministrativeUnit, Equipment, Site

    unit = AdministrativeUnit.objects.create(code="bench", name="Huyện thử", kind=UnitKind.DISTRICT)
    sites = Site.objects.bulk_create(
        Site(code=f"bench-{n}", name=f"UBND xã thử {n:04d}", unit=unit, kind=SiteKind.UBND_HQ) for n in range(SITES)
    )
    kinds = [k for k in EquipmentKind.values if k != EquipmentKind.OTHER]
    items = CatalogueItem.objects.bulk_create(
        CatalogueItem(code=f"item-{n}", name=f"Thiết bị {n}", equipment_kind=kinds[n % len(kinds)])
        for n in range(KIT_ITEMS)
    )
    ItemPrice.objects.bulk_create(
        ItemPrice(item=item, valid_from=date(2026, 1, 1), price_vnd=1_000_000 + 12_345 * n)
        for n, item in enumerate(items)
    )
    kit = StandardKit.objects.create(code="bench-kit", name="Bộ chuẩn", site_kind=SiteKind.UBND_HQ)
    KitLine.objects.bulk_create(KitLine(kit=kit, item=item, quantity=1 + n % 3) for n, item in enumerate(items))
    statuses = [EquipmentStatus.WORKING, EquipmentStatus.WORKING, EquipmentStatus.FAULTY, EquipmentStatus.WORKING]
    Equipment.objects.bulk_create(
        (
            Equipment(
                code=f"bench-eq-{n}",
                site=sites[n % SITES],
                kind=kinds[(n * 7) % len(kinds)],
                status=statuses[n % 4],
                is_reusable=n % 5 != 0,
            )
            for n in range(EQUIPMENT)
        ),
        batch_size=5000,
    )
    return sites


def generate(sites: list, code: str) -> tuple[float, int, int, object, object]:
    from investments import services
    from investments.models import InvestmentPlan

    plan = services.plan_create(
        plan=InvestmentPlan(code=code, title=code, start_year=2026, end_year=2028, price_date=date(2026, 6, 1))
    )
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        result = services.plan_generate_from_gap(plan=plan, expected_version=plan.version, user=None, sites=sites)
        elapsed = time.perf_counter() - start
    # INSERT batches grow with the number of rows (SQLite caps parameters per statement), not with sites.
    other = [q for q in ctx.captured_queries if not q["sql"].lstrip().upper().startswith("INSERT")]
    return elapsed, len(ctx.captured_queries), len(other), result, plan


def main() -> None:
    from investments.exports import estimate_xlsx, roadmap_xlsx

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        start = time.perf_counter()
        sites = build()
        took = time.perf_counter() - start
        print(f"setup: {SITES} sites, {KIT_ITEMS} kit items, {EQUIPMENT} equipment rows in {took:.1f} s")
        print(f"database: {connection.vendor}")
        for n in (100, SITES):
            elapsed, queries, other, result, plan = generate(sites[:n], f"bench-{n}")
            print(
                f"generate {n:>5} sites: {elapsed:.2f} s, {queries} queries ({other} besides INSERT batches), "
                f"{result.lines_created} lines, "
                f"{result.reuses_created} reused, total {result.total_vnd:,} đồng"
            )
        start = time.perf_counter()
        body = estimate_xlsx(plan=plan)
        print(f"estimate XLSX of the {SITES}-site plan: {time.perf_counter() - start:.2f} s, {len(body) // 1024} KiB")
        start = time.perf_counter()
        roadmap_xlsx(plan=plan)
        print(f"roadmap XLSX: {time.perf_counter() - start:.2f} s")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
