"""
Demo data: Quảng Nam → Núi Thành → its 17 communes and towns (DOMAIN.md), the district's sites,
each commune's People's Committee headquarters with its bridge point, some schools, equipment.
Codes are readable slugs, not official statistical codes. Coordinates are approximate.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from common.demo import upsert
from sites.choices import (
    BridgePointRole,
    EquipmentKind,
    EquipmentStatus,
    LinkKind,
    LinkRole,
    SiteKind,
    Terrain,
    TestCallResult,
)
from sites.choices import UnitKind as K
from sites.models import AdministrativeUnit, BridgePoint, Equipment, NetworkLink, Room, Site, SiteContact
from sites.services import site_record_unit, unit_record_version

EST = date(2000, 1, 1)

# (code, name, kind, terrain, latitude, longitude)
COMMUNES = [
    ("nui-thanh-town", "Thị trấn Núi Thành", K.TOWN, Terrain.PLAIN, "15.4330", "108.6590"),
    ("tam-son", "Xã Tam Sơn", K.COMMUNE, Terrain.MOUNTAIN, "15.4050", "108.5320"),
    ("tam-tra", "Xã Tam Trà", K.COMMUNE, Terrain.MOUNTAIN, "15.3550", "108.5010"),
    ("tam-thanh", "Xã Tam Thạnh", K.COMMUNE, Terrain.MOUNTAIN, "15.4420", "108.5600"),
    ("tam-my-tay", "Xã Tam Mỹ Tây", K.COMMUNE, Terrain.MOUNTAIN, "15.3900", "108.5800"),
    ("tam-my-dong", "Xã Tam Mỹ Đông", K.COMMUNE, Terrain.MOUNTAIN, "15.3980", "108.6100"),
    ("tam-tien", "Xã Tam Tiến", K.COMMUNE, Terrain.COASTAL, "15.5000", "108.6450"),
    ("tam-quang", "Xã Tam Quang", K.COMMUNE, Terrain.COASTAL, "15.4300", "108.7050"),
    ("tam-hoa", "Xã Tam Hòa", K.COMMUNE, Terrain.COASTAL, "15.4550", "108.6800"),
    ("tam-giang", "Xã Tam Giang", K.COMMUNE, Terrain.COASTAL, "15.4100", "108.7100"),
    ("tam-hai", "Xã Tam Hải", K.COMMUNE, Terrain.ISLAND, "15.4600", "108.7200"),
    ("tam-xuan-1", "Xã Tam Xuân 1", K.COMMUNE, Terrain.PLAIN, "15.4950", "108.6050"),
    ("tam-xuan-2", "Xã Tam Xuân 2", K.COMMUNE, Terrain.PLAIN, "15.4750", "108.5950"),
    ("tam-anh-bac", "Xã Tam Anh Bắc", K.COMMUNE, Terrain.PLAIN, "15.4700", "108.6300"),
    ("tam-anh-nam", "Xã Tam Anh Nam", K.COMMUNE, Terrain.PLAIN, "15.4550", "108.6250"),
    ("tam-hiep", "Xã Tam Hiệp", K.COMMUNE, Terrain.PLAIN, "15.4200", "108.6400"),
    ("tam-nghia", "Xã Tam Nghĩa", K.COMMUNE, Terrain.PLAIN, "15.3800", "108.6600"),
]

SCHOOLS = [
    ("thcs-tam-giang", "Trường THCS Tam Giang", "tam-giang"),
    ("thcs-tam-hai", "Trường THCS Tam Hải", "tam-hai"),
    ("thpt-nui-thanh", "Trường THPT Núi Thành", "nui-thanh-town"),
    ("th-tam-son", "Trường Tiểu học Tam Sơn", "tam-son"),
]

# A commune bridge point's kit; (kind, model, unit cost in đồng)
COMMUNE_KIT = [
    (EquipmentKind.PC, "Dell OptiPlex 7010", 18_500_000),
    (EquipmentKind.PTZ_CAMERA, "Logitech PTZ Pro 2", 21_000_000),
    (EquipmentKind.MICROPHONE, "Boya BY-WM4", 3_200_000),
    (EquipmentKind.AMPLIFIER, "Jarguar PA-506N", 6_800_000),
    (EquipmentKind.SPEAKER, "BMB CSD-2000", 9_500_000),
    (EquipmentKind.DISPLAY, 'Samsung 65" QA65', 24_900_000),
    (EquipmentKind.SWITCH, "Cisco CBS110-8T", 2_400_000),
    (EquipmentKind.UPS, "Santak C2K", 7_900_000),
]


# (purchase date, warranty end): the 2019 programme, a 2024 top-up, and a 2025 batch whose
# warranty ends soon.
PURCHASES = [
    (date(2019, 6, 1), date(2022, 6, 1)),
    (date(2024, 3, 15), date(2027, 3, 15)),
    (date(2019, 6, 1), date(2022, 6, 1)),
    (date(2025, 1, 10), date(2027, 1, 10)),
]
# Last test call per commune bridge point (cycled): most passed, a few did not.
TEST_RESULTS = [
    TestCallResult.OK,
    TestCallResult.OK,
    TestCallResult.OK,
    TestCallResult.FAILED,
    TestCallResult.OK,
    TestCallResult.DEGRADED,
    TestCallResult.OK,
    TestCallResult.NONE,
]
LAST_TEST_AT = datetime(2026, 11, 16, 6, 45, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def _unit(code: str, name: str, kind: str, parent: AdministrativeUnit | None, terrain: str = "") -> AdministrativeUnit:
    unit, _ = upsert(
        AdministrativeUnit, {"code": code}, name=name, kind=kind, parent=parent, terrain=terrain, established_on=EST
    )
    unit_record_version(unit=unit, effective=EST)
    return unit


def _site(code: str, name: str, unit: AdministrativeUnit, kind: str, lat: str, lng: str, **extra: object) -> Site:
    site, _ = upsert(
        Site, {"code": code}, name=name, unit=unit, kind=kind, latitude=Decimal(lat), longitude=Decimal(lng), **extra
    )
    site_record_unit(site=site, effective=EST)
    return site


def _bridge_point(
    site: Site, room_name: str, capacity: int, display: str, role: str, links: list[tuple[str, str, int, str]]
) -> BridgePoint:
    room, _ = upsert(Room, {"code": f"{site.code}-hop"}, site=site, name=room_name, capacity=capacity, is_bookable=True)
    bp, _ = upsert(
        BridgePoint,
        {"code": f"dc-{site.code}"},
        room=room,
        role=role,
        janus_display=display,
        endpoint="PC + Janus (trình duyệt)",
    )
    for kind, provider, mbps, link_role in links:
        upsert(NetworkLink, {"bridge_point": bp, "role": link_role}, kind=kind, provider=provider, bandwidth_mbps=mbps)
    return bp


def load() -> None:
    province = _unit("quang-nam", "Tỉnh Quảng Nam", K.PROVINCE, None)
    district = _unit("nui-thanh", "Huyện Núi Thành", K.DISTRICT, province)

    hq = _site(
        "ubnd-huyen-nui-thanh",
        "UBND huyện Núi Thành",
        district,
        SiteKind.UBND_HQ,
        "15.4320",
        "108.6570",
        address="Thị trấn Núi Thành, huyện Núi Thành, tỉnh Quảng Nam",
        is_key_site=True,
        phone="02353871234",
    )
    upsert(
        SiteContact,
        {"site": hq, "name": "Nguyễn Văn An"},
        position="Chánh Văn phòng HĐND-UBND",
        phone="0905111222",
        is_technical=False,
    )
    upsert(
        SiteContact,
        {"site": hq, "name": "Trần Minh Khoa"},
        position="Kỹ thuật viên CNTT",
        phone="0905333444",
        is_technical=True,
    )
    _bridge_point(
        hq,
        "Phòng họp trực tuyến UBND huyện",
        60,
        "UBND huyện Núi Thành",
        BridgePointRole.HOST,
        [
            (LinkKind.GOV_NETWORK, "Viettel – mạng truyền số liệu chuyên dùng", 100, LinkRole.PRIMARY),
            (LinkKind.FIBRE, "VNPT", 200, LinkRole.BACKUP),
        ],
    )
    hall = _site(
        "hoi-truong-huyen-uy",
        "Hội trường Huyện ủy Núi Thành",
        district,
        SiteKind.PARTY_HALL,
        "15.4335",
        "108.6555",
        address="Thị trấn Núi Thành",
        is_key_site=True,
    )
    _bridge_point(
        hall,
        "Hội trường lớn Huyện ủy",
        300,
        "Hội trường Huyện ủy",
        BridgePointRole.HOST,
        [(LinkKind.GOV_NETWORK, "Viettel – mạng truyền số liệu chuyên dùng", 100, LinkRole.PRIMARY)],
    )
    upsert(Room, {"code": "ubnd-huyen-nui-thanh-p2"}, site=hq, name="Phòng họp tầng 2", capacity=25, is_bookable=True)
    _site(
        "cong-an-huyen", "Công an huyện Núi Thành", district, SiteKind.AGENCY, "15.4300", "108.6600", is_key_site=True
    )
    _site("phong-tckh", "Phòng Tài chính – Kế hoạch", district, SiteKind.AGENCY, "15.4318", "108.6575")

    for n, (code, name, kind, terrain, lat, lng) in enumerate(COMMUNES):
        commune = _unit(code, name, kind, district, terrain)
        short = name.replace("Xã ", "").replace("Thị trấn ", "")
        site_name = f"UBND {name.replace('Xã', 'xã').replace('Thị trấn', 'thị trấn')}"
        site = _site(
            f"ubnd-{code}",
            site_name,
            commune,
            SiteKind.UBND_HQ,
            lat,
            lng,
            address=f"{name}, huyện Núi Thành, tỉnh Quảng Nam",
        )
        upsert(
            SiteContact,
            {"site": site, "name": f"Văn phòng UBND {short}"},
            position="Văn phòng – Thống kê",
            phone=f"0235386{n:04d}",
            is_technical=False,
        )
        backup = LinkKind.SATELLITE if terrain == Terrain.ISLAND else LinkKind.MOBILE_4G
        bp = _bridge_point(
            site,
            f"Phòng họp UBND {short}",
            40,
            f"UBND {short}",
            BridgePointRole.PARTICIPANT,
            [
                (LinkKind.GOV_NETWORK, "Viettel – mạng truyền số liệu chuyên dùng", 20, LinkRole.PRIMARY),
                (backup, "Viettel", 10, LinkRole.BACKUP),
            ],
        )
        upsert(
            BridgePoint,
            {"pk": bp.pk},
            last_test_result=TEST_RESULTS[n % len(TEST_RESULTS)],
            last_test_at=LAST_TEST_AT if TEST_RESULTS[n % len(TEST_RESULTS)] else None,
        )
        # Reuse what exists: most communes have part of the kit; some of it is faulty.
        for i, (kind, model, cost) in enumerate(COMMUNE_KIT):
            if (n + i) % 3 == 0:
                continue  # missing: the investment plan buys it
            status = EquipmentStatus.FAULTY if (n + 2 * i) % 7 == 1 else EquipmentStatus.WORKING
            upsert(
                Equipment,
                {"code": f"{code}-{kind}-1"},
                site=site,
                room=bp.room,
                kind=kind,
                model=model,
                serial=f"SN-{code.upper()}-{i:02d}",
                status=status,
                purchase_date=PURCHASES[(n + i) % len(PURCHASES)][0],
                cost_vnd=cost,
                warranty_end=PURCHASES[(n + i) % len(PURCHASES)][1],
                is_reusable=status == EquipmentStatus.WORKING,
            )
    tam_giang = Site.objects.get(code="ubnd-tam-giang")
    upsert(
        Equipment,
        {"code": "tam-giang-server-1"},
        site=tam_giang,
        kind=EquipmentKind.SERVER,
        model="HP ProLiant ML30",
        serial="SN-TG-SRV-01",
        status=EquipmentStatus.WORKING,
        purchase_date=date(2020, 3, 1),
        cost_vnd=45_000_000,
        warranty_end=date(2023, 3, 1),
        is_reusable=True,
    )

    for code, name, commune_code in SCHOOLS:
        commune = AdministrativeUnit.objects.get(code=commune_code)
        base = Site.objects.get(code=f"ubnd-{commune_code}")
        _site(
            code,
            name,
            commune,
            SiteKind.SCHOOL,
            str(base.latitude + Decimal("0.004")),
            str(base.longitude - Decimal("0.003")),
        )
