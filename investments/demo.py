"""
Demo data: a unit-price catalogue with 2026 prices (and a few 2025 ones, kept), the standard kits,
and the plan "Điểm cầu trực tuyến đến các xã và camera an ninh, 2026–2028" generated from the demo
district's equipment gap, in three phases, with allocations for 2026–2027. Idempotent: a second run
changes nothing (the plan is generated only while it has no lines).

Prices are round market figures for 2026; a commune point comes to roughly 130 million đồng before
reuse, in line with Thăng Bình's 24 points for about 3.5 billion (DOMAIN.md).
"""

from datetime import date

from common.demo import upsert
from investments import services
from investments.choices import FundingSource, SpendingKind
from investments.models import (
    Allocation,
    CatalogueItem,
    InvestmentPlan,
    ItemPrice,
    KitLine,
    Phase,
    PlanLine,
    Spending,
    StandardKit,
)
from sites.choices import EquipmentKind as K
from sites.choices import SiteKind
from sites.models import Site

PRICES_FROM = date(2026, 1, 1)
OLD_PRICES_FROM = date(2025, 1, 1)

# (code, name, unit, equipment kind, camera type, 2026 price, 2025 price or None)
ITEMS = [
    ("codec-hntt", "Thiết bị hội nghị truyền hình (codec) Poly G7500", "bộ", K.CODEC, "", 98_500_000, 96_000_000),
    ("pc-diem-cau", "Máy tính điều khiển điểm cầu Dell OptiPlex 7010", "bộ", K.PC, "", 18_900_000, 18_500_000),
    ("camera-ptz", "Camera hội nghị PTZ 12x Logitech PTZ Pro 2", "chiếc", K.PTZ_CAMERA, "", 23_500_000, 21_000_000),
    ("micro-hoi-thao", "Micro hội thảo không dây Boya BY-WM4", "chiếc", K.MICROPHONE, "", 3_450_000, 3_200_000),
    ("ban-tron-am", "Bàn trộn âm thanh 8 kênh Yamaha MG10XU", "chiếc", K.MIXER, "", 7_200_000, None),
    ("tang-am", "Tăng âm Jarguar PA-506N", "chiếc", K.AMPLIFIER, "", 7_100_000, 6_800_000),
    ("loa-hoi-truong", "Loa hội trường BMB CSD-2000", "chiếc", K.SPEAKER, "", 9_800_000, 9_500_000),
    ("man-hinh-65", 'Màn hình 65" Samsung QA65', "chiếc", K.DISPLAY, "", 25_900_000, 24_900_000),
    ("switch-8", "Switch 8 cổng Cisco CBS110-8T", "chiếc", K.SWITCH, "", 2_550_000, 2_400_000),
    ("ups-2kva", "Bộ lưu điện 2 kVA Santak C2K", "chiếc", K.UPS, "", 8_300_000, 7_900_000),
    ("dau-ghi-nvr-16", "Đầu ghi hình NVR 16 kênh Hikvision", "chiếc", K.RECORDER, "", 12_500_000, None),
    (
        "camera-360-hanh-lang",
        "Camera 360° hành lang, cầu thang Hikvision 12MP",
        "chiếc",
        K.CAMERA_360,
        "",
        6_900_000,
        None,
    ),
    ("cam-an-ninh-360", "Camera an ninh 360° (fisheye) 12MP", "chiếc", "", "fisheye_360", 7_200_000, None),
    ("cam-an-ninh-dome", "Camera an ninh dome 4MP", "chiếc", "", "dome", 2_650_000, None),
    ("cam-an-ninh-bullet", "Camera an ninh thân trụ 4MP ngoài trời", "chiếc", "", "bullet", 2_950_000, None),
    ("cam-an-ninh-ptz", "Camera an ninh PTZ 25x ngoài trời", "chiếc", "", "ptz", 18_500_000, None),
]

# (code, name, site kind, key sites only, [(item code, quantity)])
KITS = [
    (
        "diem-cau-xa",
        "Điểm cầu UBND xã, thị trấn",
        SiteKind.UBND_HQ,
        False,
        [
            ("pc-diem-cau", 1),
            ("camera-ptz", 1),
            ("micro-hoi-thao", 4),
            ("ban-tron-am", 1),
            ("tang-am", 1),
            ("loa-hoi-truong", 2),
            ("man-hinh-65", 1),
            ("switch-8", 1),
            ("ups-2kva", 1),
        ],
    ),
    (
        "hoi-truong-lon",
        "Điểm cầu hội trường lớn (Huyện ủy)",
        SiteKind.PARTY_HALL,
        False,
        [
            ("codec-hntt", 1),
            ("camera-ptz", 2),
            ("micro-hoi-thao", 12),
            ("ban-tron-am", 1),
            ("tang-am", 1),
            ("loa-hoi-truong", 4),
            ("man-hinh-65", 2),
            ("switch-8", 1),
            ("ups-2kva", 1),
        ],
    ),
    (
        "camera-co-quan-trong-diem",
        "Camera an ninh cơ quan trọng điểm (4 camera 360° mỗi tầng × 2 tầng, 1 đầu ghi)",
        "",
        True,
        [("camera-360-hanh-lang", 8), ("dau-ghi-nvr-16", 1)],
    ),
]

PLAN_CODE = "diem-cau-camera-2026-2028"
PLAN_TITLE = "Điểm cầu trực tuyến đến các xã và camera an ninh, 2026–2028"

# (number, name, first year, last year, site codes)
PHASES = [
    (
        1,
        "Huyện, hội trường Huyện ủy và các xã đảo, miền núi",
        2026,
        2026,
        [
            "ubnd-huyen-nui-thanh",
            "hoi-truong-huyen-uy",
            "cong-an-huyen",
            "ubnd-tam-hai",
            "ubnd-tam-son",
            "ubnd-tam-tra",
            "ubnd-tam-thanh",
            "ubnd-tam-my-tay",
            "ubnd-tam-my-dong",
        ],
    ),
    (
        2,
        "Thị trấn và các xã ven biển",
        2027,
        2027,
        ["ubnd-nui-thanh-town", "ubnd-tam-tien", "ubnd-tam-quang", "ubnd-tam-hoa", "ubnd-tam-giang"],
    ),
    (3, "Các xã còn lại", 2027, 2028, []),  # every site not in an earlier phase
]

# (year, phase number, source, share of the phase's planned amount in per cent)
ALLOCATIONS = [
    (2026, 1, FundingSource.DISTRICT, 55),
    (2026, 1, FundingSource.PROVINCE, 35),
    (2026, 1, FundingSource.COMMUNE, 10),
    (2027, 2, FundingSource.DISTRICT, 60),
    (2027, 2, FundingSource.COMMUNE, 15),
    (2027, 2, FundingSource.CONTRIBUTIONS, 10),
    (2027, 3, FundingSource.DISTRICT, 30),
]


def _millions(amount: int, percent: int) -> int:
    """`percent` of `amount`, rounded down to a whole million đồng, as budget decisions are."""
    return amount * percent // 100 // 1_000_000 * 1_000_000


def load() -> None:
    items = {}
    for code, name, unit, kind, camera_type, price, old_price in ITEMS:
        item, _ = upsert(
            CatalogueItem, {"code": code}, name=name, unit=unit, equipment_kind=kind, camera_type=camera_type
        )
        items[code] = item
        upsert(ItemPrice, {"item": item, "valid_from": PRICES_FROM}, price_vnd=price, source="Báo giá 2026")
        if old_price:
            upsert(ItemPrice, {"item": item, "valid_from": OLD_PRICES_FROM}, price_vnd=old_price, source="Báo giá 2025")
    for code, name, site_kind, key_only, lines in KITS:
        kit, _ = upsert(StandardKit, {"code": code}, name=name, site_kind=site_kind, key_sites_only=key_only)
        for item_code, quantity in lines:
            upsert(KitLine, {"kit": kit, "item": items[item_code]}, quantity=quantity)

    plan, _ = upsert(
        InvestmentPlan,
        {"code": PLAN_CODE},
        title=PLAN_TITLE,
        start_year=2026,
        end_year=2028,
        price_date=PRICES_FROM,
        description=(
            "Giữ lại thiết bị còn dùng được, chỉ mua phần còn thiếu; điểm cầu tại 17 xã, thị trấn, "
            "hội trường Huyện ủy; camera an ninh tại các cơ quan trọng điểm (hành lang, cầu thang, ưu tiên 360°)."
        ),
    )
    phases = {}
    for number, name, start, end, _codes in PHASES:
        phases[number], _ = upsert(Phase, {"plan": plan, "number": number}, name=name, start_year=start, end_year=end)
    if PlanLine.objects.filter(plan=plan).exists():
        return

    services.plan_generate_from_gap(plan=plan, expected_version=plan.version, user=None)
    placed: set[int] = set()
    for number, _name, _start, _end, codes in PHASES:
        plan.refresh_from_db()
        site_ids = (
            list(Site.objects.filter(code__in=codes).values_list("pk", flat=True))
            if codes
            else list(PlanLine.objects.filter(plan=plan).exclude(site_id__in=placed).values_list("site_id", flat=True))
        )
        placed.update(site_ids)
        services.lines_assign_phase(
            plan=plan, expected_version=plan.version, user=None, phase=phases[number], site_ids=site_ids
        )
    planned = {p.pk: sum(line.amount_vnd for line in p.lines.all()) for p in phases.values()}
    for year, number, source, percent in ALLOCATIONS:
        phase = phases[number]
        if not Allocation.objects.filter(phase=phase, year=year, source=source).exists():
            services.allocation_save(
                allocation=Allocation(
                    plan=plan,
                    phase=phase,
                    year=year,
                    source=source,
                    amount_vnd=_millions(planned[phase.pk], percent),
                    decision=f"QĐ số {100 + number}/QĐ-UBND ngày 15/01/{year}",
                )
            )
    phase1 = phases[1]
    for kind, on, percent, reference in (
        (SpendingKind.COMMITMENT, date(2026, 4, 10), 92, "HĐ 12/2026/HĐ-VP"),
        (SpendingKind.PAYMENT, date(2026, 7, 20), 60, "UNC 0715/KBNN"),
    ):
        if not Spending.objects.filter(phase=phase1, reference=reference).exists():
            services.spending_save(
                spending=Spending(
                    plan=plan,
                    phase=phase1,
                    kind=kind,
                    year=2026,
                    on=on,
                    amount_vnd=_millions(planned[phase1.pk], percent),
                    reference=reference,
                )
            )
