"""
Province-scale demo data (`manage.py seed_demo --scale province`), for benchmarks and sizing: ten
more districts of Quảng Nam with 15 communes each, three sites per commune (People's Committee,
police, health station) and two per district, a meeting room and bridge point at each committee with
its network link, and 50,000 equipment rows. Rows are written in bulk (no history, no notices);
a second run finds the last row and changes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from sites.choices import BridgePointRole, EquipmentKind, EquipmentStatus, LinkKind, LinkRole, SiteKind, Terrain
from sites.models import (
    AdministrativeUnit,
    AdministrativeUnitVersion,
    BridgePoint,
    Equipment,
    NetworkLink,
    Room,
    Site,
    SiteUnitAssignment,
)

DISTRICTS = [
    "Tiên Phước",
    "Hiệp Đức",
    "Thăng Bình",
    "Quế Sơn",
    "Duy Xuyên",
    "Đại Lộc",
    "Phú Ninh",
    "Bắc Trà My",
    "Nam Trà My",
    "Nông Sơn",
]
COMMUNES_PER_DISTRICT = 15
EQUIPMENT_ROWS = 50_000
ESTABLISHED = date(1900, 1, 1)
LINKS = [LinkKind.GOV_NETWORK, LinkKind.FIBRE, LinkKind.FIBRE, LinkKind.MOBILE_4G, LinkKind.SATELLITE]
TERRAINS = [Terrain.PLAIN, Terrain.PLAIN, Terrain.MOUNTAIN, Terrain.COASTAL]


def district_code(d: int) -> str:
    return f"prov-d{d:02d}"


def commune_code(d: int, c: int) -> str:
    return f"prov-d{d:02d}-c{c:02d}"


def load(progress: Callable[..., object]) -> None:
    if Equipment.objects.filter(code=f"prov-eq-{EQUIPMENT_ROWS:06d}").exists():
        return
    rng = random.Random(2026)
    with transaction.atomic():
        province = AdministrativeUnit.objects.get(code="quang-nam")
        units = _units(province)
        sites = _sites(units, rng)
        _bridge_points(sites, rng)
        _equipment(sites, rng, progress)


def _units(province: AdministrativeUnit) -> dict[str, AdministrativeUnit]:
    rows = []
    for d, name in enumerate(DISTRICTS, start=1):
        rows.append(
            AdministrativeUnit(
                code=district_code(d),
                name=f"Huyện {name}",
                kind="district",
                parent=province,
                established_on=ESTABLISHED,
            )
        )
    AdministrativeUnit.objects.bulk_create(rows, ignore_conflicts=True)
    districts = {u.code: u for u in AdministrativeUnit.objects.filter(code__startswith="prov-d")}
    rows = []
    for d, name in enumerate(DISTRICTS, start=1):
        for c in range(1, COMMUNES_PER_DISTRICT + 1):
            rows.append(
                AdministrativeUnit(
                    code=commune_code(d, c),
                    name=f"Xã {name} {c:02d}",
                    kind="commune",
                    parent=districts[district_code(d)],
                    terrain=TERRAINS[(d + c) % len(TERRAINS)],
                    established_on=ESTABLISHED,
                )
            )
    AdministrativeUnit.objects.bulk_create(rows, ignore_conflicts=True)
    units = {u.code: u for u in AdministrativeUnit.objects.filter(code__startswith="prov-d")}
    AdministrativeUnitVersion.objects.bulk_create(
        [
            AdministrativeUnitVersion(unit=u, name=u.name, parent_id=u.parent_id, valid_from=ESTABLISHED)
            for u in units.values()
        ],
        ignore_conflicts=True,
    )
    return units


def _sites(units: dict[str, AdministrativeUnit], rng: random.Random) -> list[Site]:
    rows = []
    for code, unit in units.items():
        lat = Decimal("15.20") + Decimal(rng.randint(0, 7000)) / 10000
        lng = Decimal("107.90") + Decimal(rng.randint(0, 8000)) / 10000
        kinds = [("ubnd", SiteKind.UBND_HQ, "UBND"), ("ca", SiteKind.AGENCY, "Công an")]
        if unit.kind == "commune":
            kinds.append(("tyt", SiteKind.AGENCY, "Trạm y tế"))
        for suffix, kind, label in kinds:
            rows.append(
                Site(
                    code=f"{code}-{suffix}",
                    name=f"{label} {unit.name[0].lower()}{unit.name[1:]}",
                    unit=unit,
                    kind=kind,
                    latitude=lat + Decimal(len(rows) % 7) / 1000,
                    longitude=lng,
                    terrain=unit.terrain,
                    is_key_site=suffix == "ca",
                    address=unit.name,
                )
            )
    Site.objects.bulk_create(rows, ignore_conflicts=True)
    sites = list(Site.objects.filter(code__startswith="prov-d").select_related("unit").order_by("code"))
    SiteUnitAssignment.objects.bulk_create(
        [SiteUnitAssignment(site=s, unit_id=s.unit_id, valid_from=ESTABLISHED) for s in sites], ignore_conflicts=True
    )
    return sites


def _bridge_points(sites: list[Site], rng: random.Random) -> None:
    committees = [s for s in sites if s.code.endswith("-ubnd")]
    Room.objects.bulk_create(
        [Room(code=f"{s.code}-hop", site=s, name="Phòng họp trực tuyến", capacity=30) for s in committees],
        ignore_conflicts=True,
    )
    rooms = {r.site_id: r for r in Room.objects.filter(code__startswith="prov-d")}
    BridgePoint.objects.bulk_create(
        [
            BridgePoint(
                code=f"dc-{s.code}",
                room=rooms[s.pk],
                role=BridgePointRole.HOST if s.unit.kind == "district" else BridgePointRole.PARTICIPANT,
                janus_display=s.name,
                endpoint="PC + Janus (trình duyệt)",
            )
            for s in committees
        ],
        ignore_conflicts=True,
    )
    NetworkLink.objects.bulk_create(
        [
            NetworkLink(bridge_point=bp, kind=rng.choice(LINKS), bandwidth_mbps=rng.choice([10, 20, 50, 100]))
            for bp in BridgePoint.objects.filter(code__startswith="dc-prov-d")
            .exclude(links__role=LinkRole.PRIMARY)
            .distinct()
        ],
        ignore_conflicts=True,
    )


def _equipment(sites: list[Site], rng: random.Random, progress: Callable[..., object]) -> None:
    rooms = {r.site_id: r.pk for r in Room.objects.filter(code__startswith="prov-d")}
    kinds = list(EquipmentKind.values)
    bar = progress(total=EQUIPMENT_ROWS, desc="equipment")
    batch = []
    for n in range(1, EQUIPMENT_ROWS + 1):
        site = sites[n % len(sites)]
        kind = kinds[n % len(kinds)]
        bought = date(2018, 1, 1) + timedelta(days=rng.randint(0, 2900))
        batch.append(
            Equipment(
                code=f"prov-eq-{n:06d}",
                site=site,
                room_id=rooms.get(site.pk),
                kind=kind,
                model=f"Model {kind[:3].upper()}-{n % 17}",
                serial=f"SN{n:07d}",
                status=EquipmentStatus.FAULTY if n % 23 == 0 else EquipmentStatus.WORKING,
                purchase_date=bought,
                cost_vnd=rng.randint(5, 400) * 100_000,
                warranty_end=bought + timedelta(days=3 * 365),
                is_reusable=n % 5 != 0,
            )
        )
        if len(batch) == 2000:
            Equipment.objects.bulk_create(batch, ignore_conflicts=True)
            bar.update(len(batch))
            batch = []
    Equipment.objects.bulk_create(batch, ignore_conflicts=True)
    bar.update(len(batch))
    bar.close()
