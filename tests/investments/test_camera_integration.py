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
    inv_demo = cameras_demo
    sites = list(Site.objects.filter(is_key_site=True))
    gaps = [g for g in _gaps([s.pk for s in sites]) if g.quantity > 0 and g.camera_type]
    assert gaps, "the cameras demo leaves coverage gaps at the key sites"
    items = {g.camera_type: _camera_item(g.camera_type) for g in gaps}
    inv_demo.refresh_from_db()
    result = services.plan_generate_from_gap(plan=inv_demo, expected_version=inv_demo.version, user=None, sites=sites)
    assert result.cameras_checked is True
    lines = PlanLine.objects.filter(plan=inv_demo, source=LineSource.CAMERA_GAP)
    expected = {}
    for g in gaps:
        expected[(g.site_id, items[g.camera_type].pk, g.zone[:100])] = (
            expected.get((g.site_id, items[g.camera_type].pk, g.zone[:100]), 0) + g.quantity
        )
    got = {}
    for line in lines:
        key = (line.site_id, line.item_id, line.zone)
        got[key] = got.get(key, 0) + line.quantity
        assert line.amount_vnd == line.quantity * line.unit_price_vnd
    assert got == expected


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
