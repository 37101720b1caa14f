"""
Investments × cameras, run after the cameras branch is merged: camera coverage gaps become camera
lines priced from the catalogue item with the same `camera_type`, and delivering a camera line
creates camera records through `cameras.services.camera_create`.

The cameras app exposes `cameras.selectors.coverage_gaps(*, site_ids=None) -> list[CoverageGap]`
(frozen dataclass: site_id, zone, camera_type, quantity, reason) and
`cameras.services.camera_create(*, site, camera_type, model="", serial="", cost_vnd=None,
install_date=None, placement="other", zone="") -> Camera`.
"""

from datetime import date

import pytest

from investments import services
from investments.choices import LineSource, LineStatus
from investments.models import CatalogueItem, ItemPrice, PlanLine
from sites.models import Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def cameras_demo(inv_demo):
    """The cameras demo: the district's key sites with coverage templates and cameras (gaps remain)."""
    from cameras import demo as cameras_demo

    cameras_demo.load()
    return inv_demo


def _gaps(site_ids):
    from cameras.selectors import coverage_gaps

    return coverage_gaps(site_ids=site_ids)


def _camera_item(camera_type: str, price: int = 7_200_000) -> CatalogueItem:
    item, _ = CatalogueItem.objects.get_or_create(
        camera_type=camera_type,
        equipment_kind="",
        defaults={"code": f"cam-{camera_type}"[:64].replace("_", "-"), "name": f"Camera {camera_type}"},
    )
    ItemPrice.objects.get_or_create(item=item, valid_from=date(2020, 1, 1), defaults={"price_vnd": price})
    return item


def test_coverage_gap_contract():
    """The cameras app answers the agreed shape."""
    from dataclasses import fields, is_dataclass

    from cameras.selectors import CoverageGap

    assert is_dataclass(CoverageGap)
    assert {f.name for f in fields(CoverageGap)} >= {"site_id", "zone", "camera_type", "quantity", "reason"}


def test_camera_gaps_become_camera_lines(cameras_demo):
    """Every coverage gap is bought once: by the site's kit line of that camera type, or by a camera line."""
    inv_demo = cameras_demo
    sites = list(Site.objects.filter(is_key_site=True))
    gaps = [g for g in _gaps([s.pk for s in sites]) if g.quantity > 0 and g.camera_type]
    assert gaps, "the cameras demo leaves coverage gaps at the key sites"
    items = {g.camera_type: _camera_item(g.camera_type) for g in gaps}
    inv_demo.refresh_from_db()
    result = services.plan_generate_from_gap(plan=inv_demo, expected_version=inv_demo.version, user=None, sites=sites)
    assert result.cameras_checked is True
    expected = {}
    for g in gaps:
        key = (g.site_id, g.zone[:100])
        expected[key] = expected.get(key, 0) + g.quantity
    got = {}
    for line in PlanLine.objects.filter(plan=inv_demo, source=LineSource.CAMERA_GAP):
        assert line.item_id == items[_type_of_zone(gaps, line)].pk
        got[(line.site_id, line.zone)] = got.get((line.site_id, line.zone), 0) + line.quantity
        assert line.amount_vnd == line.quantity * line.unit_price_vnd
    for line in PlanLine.objects.filter(plan=inv_demo, source=LineSource.GAP).exclude(basis={}):
        for cover in line.basis.get("covers", []):
            key = (line.site_id, cover["zone"][:100])
            got[key] = got.get(key, 0) + cover["quantity"]
    assert got == expected


def _type_of_zone(gaps, line):
    return next(g.camera_type for g in gaps if g.site_id == line.site_id and g.zone[:100] == line.zone)


def test_key_site_cameras_are_counted_once(cameras_demo):
    """
    Issue 14: the key-site kit bought 8 360° cameras at each key site whatever was installed, and the
    coverage gaps added 9 more. Now the kit counts the 360° cameras in service at the site, and the
    kit's cameras fill the 360° coverage gaps first: at each key site the 360° cameras bought are
    max(kit − installed, gaps), and the line says how that was worked out.
    """
    from cameras.choices import CameraStatus
    from cameras.models import Camera

    inv_demo = cameras_demo
    sites = list(Site.objects.filter(is_key_site=True).order_by("name"))
    assert len(sites) == 3
    inv_demo.refresh_from_db()
    services.plan_generate_from_gap(plan=inv_demo, expected_version=inv_demo.version, user=None, sites=sites)
    kit_item = CatalogueItem.objects.get(code="camera-360-hanh-lang")
    bought_total = 0
    for site in sites:
        installed = Camera.objects.filter(site=site, camera_type="fisheye_360", status=CameraStatus.IN_SERVICE).count()
        gap_need = sum(g.quantity for g in _gaps([site.pk]) if g.camera_type == "fisheye_360")
        lines = PlanLine.objects.filter(plan=inv_demo, site=site).filter(
            item__in=[kit_item, *CatalogueItem.objects.filter(camera_type="fisheye_360")]
        )
        bought = sum(line.quantity for line in lines)
        assert bought == max(8 - installed, gap_need), site
        bought_total += bought
        kit_line = lines.get(item=kit_item)
        assert kit_line.basis["required"] == 8 and kit_line.basis["usable"] == installed
        text = kit_line.basis_display()
        assert "8" in text and f"{kit_line.quantity}" in text
        if gap_need:
            assert "coverage gaps" in text
    # Demo: 15 cameras (before: 24 from the kit plus 9 from the gaps, 33).
    assert bought_total == 15
    assert not PlanLine.objects.filter(plan=inv_demo, site__in=sites, source=LineSource.CAMERA_GAP).exists()


def test_gaps_beyond_the_kit_are_bought_as_camera_lines(cameras_demo):
    """When the coverage gaps need more 360° cameras than the kit brings, only the rest becomes camera lines."""
    from cameras.choices import CameraStatus
    from cameras.models import Camera
    from investments.models import KitLine

    inv_demo = cameras_demo
    site = Site.objects.get(code="ubnd-huyen-nui-thanh")
    gaps = [g for g in _gaps([site.pk]) if g.camera_type == "fisheye_360"]
    need = sum(g.quantity for g in gaps)
    assert need >= 2
    installed = Camera.objects.filter(site=site, camera_type="fisheye_360", status=CameraStatus.IN_SERVICE).count()
    KitLine.objects.filter(item__code="camera-360-hanh-lang").update(quantity=installed + 1)  # the kit buys 1
    inv_demo.refresh_from_db()
    services.plan_generate_from_gap(plan=inv_demo, expected_version=inv_demo.version, user=None, sites=[site])
    kit_line = PlanLine.objects.get(plan=inv_demo, site=site, item__code="camera-360-hanh-lang")
    gap_lines = list(PlanLine.objects.filter(plan=inv_demo, site=site, source=LineSource.CAMERA_GAP))
    assert kit_line.quantity == 1
    assert sum(line.quantity for line in gap_lines) == need - 1
    assert kit_line.basis["covers"] == [{"zone": gaps[0].zone, "quantity": 1}]
    assert {line.zone for line in gap_lines} == {g.zone for g in gaps[1:]}
    assert all(line.basis_display().startswith("Coverage gap at") for line in gap_lines)


def test_unmapped_camera_type_is_reported_not_priced(cameras_demo):
    inv_demo = cameras_demo
    sites = list(Site.objects.filter(is_key_site=True))
    assert [g for g in _gaps([s.pk for s in sites]) if g.quantity > 0]
    CatalogueItem.objects.exclude(camera_type="").update(is_active=False)
    inv_demo.refresh_from_db()
    result = services.plan_generate_from_gap(plan=inv_demo, expected_version=inv_demo.version, user=None, sites=sites)
    assert result.warnings
    assert not PlanLine.objects.filter(plan=inv_demo, source=LineSource.CAMERA_GAP).exists()


def test_delivering_a_camera_line_creates_cameras(cameras_demo):
    from cameras.models import Camera

    inv_demo = cameras_demo
    site = Site.objects.get(code="ubnd-huyen-nui-thanh")
    gap = next(g for g in _gaps([site.pk]) if g.camera_type)
    camera_type = gap.camera_type
    item = _camera_item(camera_type)
    inv_demo.refresh_from_db()
    line = services.line_create(
        plan=inv_demo,
        expected_version=inv_demo.version,
        user=None,
        site=site,
        item=item,
        quantity=3,
        zone=gap.zone,
    )
    before = Camera.objects.filter(site=site).count()
    records = services.line_deliver(line=line, user=None, delivered_on=date(2026, 10, 1))
    assert [r["type"] for r in records] == ["camera"] * 3
    assert Camera.objects.filter(site=site).count() == before + 3
    created = Camera.objects.filter(pk__in=[r["id"] for r in records])
    assert {c.camera_type for c in created} == {camera_type}
    line.refresh_from_db()
    assert line.status == LineStatus.DELIVERED
    assert gap not in _gaps([site.pk])  # the delivered cameras cover the zone
