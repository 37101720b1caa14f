"""Gap generation, prices on a date, totals, funding warnings, revisions, the optimistic lock, delivery."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.exceptions import ApplicationError, ConflictError
from investments import services
from investments.choices import FundingSource, LineSource, LineStatus, PlanStatus, SpendingKind
from investments.models import (
    Allocation,
    CatalogueItem,
    InvestmentPlan,
    ItemPrice,
    KitLine,
    Phase,
    PlanLine,
    PlanReuse,
    Spending,
    StandardKit,
)
from investments.selectors import plan_funding, plan_totals, prices_on, revision_compare, spread_over_years
from sites.choices import EquipmentKind, EquipmentStatus, SiteKind
from sites.models import Equipment, Site
from tests.factories.sites import EquipmentFactory, SiteFactory

pytestmark = pytest.mark.django_db

DECISION = {"decision_number": "123/QĐ-UBND", "decision_date": date(2026, 2, 1)}


def _fresh_plan(**extra) -> InvestmentPlan:
    values = {"code": "p", "title": "P", "start_year": 2026, "end_year": 2028, "price_date": date(2026, 3, 1)}
    return services.plan_create(plan=InvestmentPlan(**{**values, **extra}))


def _generate(plan, **kwargs):
    plan.refresh_from_db()
    return services.plan_generate_from_gap(plan=plan, expected_version=plan.version, user=None, **kwargs)


def _line(plan, site, item):
    return PlanLine.objects.filter(plan=plan, site=site, item=item).first()


#
# Gap generation on the demo district
#


def test_demo_gap_buys_only_what_is_missing(inv_demo):
    """Each commune gets its kit minus its working reusable equipment; what is kept is listed with its saving."""
    ptz = CatalogueItem.objects.get(code="camera-ptz")
    for site in Site.objects.filter(kind=SiteKind.UBND_HQ).exclude(unit__kind="district"):
        usable = Equipment.objects.filter(
            site=site, kind=EquipmentKind.PTZ_CAMERA, status=EquipmentStatus.WORKING, is_reusable=True
        ).count()
        line = _line(inv_demo, site, ptz)
        bought = line.quantity if line else 0
        assert bought == 1 - min(usable, 1), site
        reuse = PlanReuse.objects.filter(plan=inv_demo, site=site, item=ptz).first()
        assert (reuse.quantity if reuse else 0) == min(usable, 1)
        if reuse:
            assert reuse.saving_vnd == reuse.quantity * 23_500_000


def test_a_working_reusable_camera_means_one_fewer(inv_demo):
    """Adding a working, reusable PTZ camera at Tam Hải removes its PTZ line on regeneration."""
    site = Site.objects.get(code="ubnd-tam-hai")
    ptz = CatalogueItem.objects.get(code="camera-ptz")
    Equipment.objects.filter(site=site, kind=EquipmentKind.PTZ_CAMERA).delete()
    _generate(inv_demo, sites=[site])
    assert _line(inv_demo, site, ptz).quantity == 1
    EquipmentFactory(site=site, kind=EquipmentKind.PTZ_CAMERA, status=EquipmentStatus.WORKING, is_reusable=True)
    _generate(inv_demo, sites=[site])
    assert _line(inv_demo, site, ptz) is None
    assert PlanReuse.objects.get(plan=inv_demo, site=site, item=ptz).quantity == 1


@pytest.mark.parametrize(
    ("status", "reusable"),
    [(EquipmentStatus.FAULTY, True), (EquipmentStatus.WORKING, False), (EquipmentStatus.RETIRED, True)],
)
def test_faulty_or_non_reusable_equipment_does_not_count(inv_demo, status, reusable):
    site = Site.objects.get(code="ubnd-tam-hai")
    ptz = CatalogueItem.objects.get(code="camera-ptz")
    Equipment.objects.filter(site=site, kind=EquipmentKind.PTZ_CAMERA).delete()
    EquipmentFactory(site=site, kind=EquipmentKind.PTZ_CAMERA, status=status, is_reusable=reusable)
    _generate(inv_demo, sites=[site])
    assert _line(inv_demo, site, ptz).quantity == 1
    assert not PlanReuse.objects.filter(plan=inv_demo, site=site, item=ptz).exists()


def test_kit_quantities_and_partial_reuse(inv_demo):
    """Four microphones in the kit, one working at the site: three are bought, one is reused."""
    site = Site.objects.get(code="ubnd-tam-hai")
    mic = CatalogueItem.objects.get(code="micro-hoi-thao")
    Equipment.objects.filter(site=site, kind=EquipmentKind.MICROPHONE).delete()
    EquipmentFactory(site=site, kind=EquipmentKind.MICROPHONE)
    _generate(inv_demo, sites=[site])
    line = _line(inv_demo, site, mic)
    assert (line.quantity, line.unit_price_vnd, line.amount_vnd) == (3, 3_450_000, 10_350_000)


def test_regeneration_keeps_phase_manual_and_delivered_lines(inv_demo):
    site = Site.objects.get(code="ubnd-tam-hai")
    phase = inv_demo.phases.get(number=1)
    manual = services.line_create(
        plan=inv_demo,
        expected_version=inv_demo.version,
        user=None,
        site=site,
        item=CatalogueItem.objects.get(code="ups-2kva"),
        quantity=2,
    )
    before = set(
        PlanLine.objects.filter(plan=inv_demo, site=site, source=LineSource.GAP).values_list("item", "quantity")
    )
    _generate(inv_demo, sites=[site])
    after = PlanLine.objects.filter(plan=inv_demo, site=site, source=LineSource.GAP)
    assert set(after.values_list("item", "quantity")) == before
    assert set(after.values_list("phase", flat=True)) == {phase.pk}
    assert PlanLine.objects.filter(pk=manual.pk).exists()


def test_generation_queries_do_not_grow_with_sites(db, django_assert_max_num_queries):
    """Same number of queries for 3 sites as for 30."""
    item = CatalogueItem.objects.create(code="tv", name="TV", equipment_kind=EquipmentKind.DISPLAY)
    ItemPrice.objects.create(item=item, valid_from=date(2026, 1, 1), price_vnd=10_000_000)
    kit = StandardKit.objects.create(code="k", name="K", site_kind=SiteKind.SCHOOL)
    KitLine.objects.create(kit=kit, item=item, quantity=2)

    def run(n: int) -> int:
        sites = SiteFactory.create_batch(n, kind=SiteKind.SCHOOL)
        for site in sites:
            EquipmentFactory(site=site, kind=EquipmentKind.DISPLAY)
        plan = _fresh_plan(code=f"p{n}")
        with CaptureQueriesContext(connection) as ctx:
            result = _generate(plan, sites=sites)
        assert result.lines_created == n and result.reuses_created == n
        return len(ctx.captured_queries)

    assert run(3) == run(30)


def test_missing_price_on_the_price_date_is_refused(inv_demo):
    """An item whose only price starts after the plan's price date stops the generation, naming it."""
    mixer = CatalogueItem.objects.get(code="ban-tron-am")  # priced from 2026 only
    plan = _fresh_plan(price_date=date(2025, 6, 1))
    with pytest.raises(ApplicationError) as exc:
        _generate(plan)
    assert mixer.name in exc.value.message
    assert not plan.lines.exists()


def test_price_on_a_date_is_the_latest_valid_one(db):
    item = CatalogueItem.objects.create(code="x", name="X", equipment_kind=EquipmentKind.UPS)
    services.item_price_set(item=item, valid_from=date(2025, 1, 1), price_vnd=100)
    services.item_price_set(item=item, valid_from=date(2026, 1, 1), price_vnd=120)
    assert prices_on(item_ids=[item.pk], on=date(2024, 12, 31)) == {}
    assert prices_on(item_ids=[item.pk], on=date(2025, 12, 31)) == {item.pk: 100}
    assert prices_on(item_ids=[item.pk], on=date(2026, 1, 1)) == {item.pk: 120}
    assert item.prices.count() == 2  # the old price is kept
    with pytest.raises(ApplicationError):
        services.item_price_set(item=item, valid_from=date(2027, 1, 1), price_vnd=-1)


#
# Lines and totals
#


def test_totals_are_exact_integers(inv_demo):
    site = Site.objects.get(code="ubnd-tam-hai")
    item = CatalogueItem.objects.get(code="ups-2kva")
    services.line_create(
        plan=inv_demo,
        expected_version=inv_demo.version,
        user=None,
        site=site,
        item=item,
        quantity=3,
        unit_price_vnd=3_333_333,
    )
    totals = plan_totals(plan=inv_demo)
    amounts = list(PlanLine.objects.filter(plan=inv_demo).values_list("quantity", "unit_price_vnd", "amount_vnd"))
    assert all(q * p == a for q, p, a in amounts)
    assert totals.total_vnd == sum(a for _q, _p, a in amounts)
    assert isinstance(totals.total_vnd, int)
    assert sum(t.amount_vnd for t in totals.by_phase) == totals.total_vnd
    assert sum(t.amount_vnd for t in totals.by_site) == totals.total_vnd
    assert sum(t.amount_vnd for t in totals.by_kind) == totals.total_vnd
    assert PlanLine.objects.filter(plan=inv_demo, unit_price_vnd=3_333_333).get().amount_vnd == 9_999_999


def test_spread_over_years_is_exact():
    assert spread_over_years(100, 2026, 2028) == {2026: 33, 2027: 33, 2028: 34}
    assert sum(spread_over_years(1_059_650_001, 2026, 2028).values()) == 1_059_650_001


@pytest.mark.parametrize(("quantity", "price"), [(0, 10), (-1, 10), (2, -5)])
def test_bad_line_input_is_refused(inv_demo, quantity, price):
    with pytest.raises(ApplicationError):
        services.line_create(
            plan=inv_demo,
            expected_version=inv_demo.version,
            user=None,
            site=Site.objects.first(),
            item=CatalogueItem.objects.first(),
            quantity=quantity,
            unit_price_vnd=price,
        )


def test_line_without_price_takes_catalogue_price_or_fails(inv_demo):
    site = Site.objects.get(code="ubnd-tam-hai")
    line = services.line_create(
        plan=inv_demo,
        expected_version=inv_demo.version,
        user=None,
        site=site,
        item=CatalogueItem.objects.get(code="switch-8"),
        quantity=2,
    )
    assert (line.unit_price_vnd, line.amount_vnd) == (2_550_000, 5_100_000)
    unpriced = CatalogueItem.objects.create(code="new", name="Mới", equipment_kind=EquipmentKind.OTHER)
    inv_demo.refresh_from_db()
    with pytest.raises(ApplicationError):
        services.line_create(
            plan=inv_demo, expected_version=inv_demo.version, user=None, site=site, item=unpriced, quantity=1
        )


def test_phase_of_another_plan_is_refused(inv_demo):
    other = _fresh_plan()
    phase = Phase.objects.create(plan=other, number=1, name="x", start_year=2026, end_year=2026)
    with pytest.raises(ApplicationError):
        services.line_create(
            plan=inv_demo,
            expected_version=inv_demo.version,
            user=None,
            site=Site.objects.first(),
            item=CatalogueItem.objects.first(),
            quantity=1,
            unit_price_vnd=1,
            phase=phase,
        )


#
# Optimistic lock
#


def test_stale_version_is_a_conflict(inv_demo):
    """Two people read version N; the first save wins, the second gets a conflict and changes nothing."""
    line = PlanLine.objects.filter(plan=inv_demo).first()
    seen = inv_demo.version
    services.line_update(line=line, expected_version=seen, user=None, quantity=5)
    line2 = PlanLine.objects.get(pk=line.pk)
    with pytest.raises(ConflictError) as exc:
        services.line_update(line=line2, expected_version=seen, user=None, quantity=7)
    assert exc.value.status_code == 409
    assert exc.value.extra["current_version"] == seen + 1
    assert PlanLine.objects.get(pk=line.pk).quantity == 5


def test_plan_update_checks_version(inv_demo):
    plan = InvestmentPlan.objects.get(pk=inv_demo.pk)
    services.plan_update(plan=plan, expected_version=plan.version - 1 + 1, user=None, title="Mới")
    with pytest.raises(ConflictError):
        services.plan_update(plan=plan, expected_version=plan.version - 1, user=None, title="Cũ")
    assert InvestmentPlan.objects.get(pk=plan.pk).title == "Mới"


#
# Approval and revisions
#


def test_approval_revision_and_compare(inv_demo, make_user):
    leader = make_user("leader")
    first = services.plan_approve(plan=inv_demo, expected_version=inv_demo.version, user=leader, **DECISION)
    inv_demo.refresh_from_db()
    assert (first.number, inv_demo.status) == (1, PlanStatus.APPROVED)
    assert first.total_vnd == plan_totals(plan=inv_demo).total_vnd
    line = PlanLine.objects.filter(plan=inv_demo, quantity=1).first()

    with pytest.raises(ApplicationError):  # an approved plan changes only with a reason
        services.line_update(line=line, expected_version=inv_demo.version, user=None, quantity=2)
    inv_demo.refresh_from_db()
    services.line_update(line=line, expected_version=inv_demo.version, user=None, quantity=2, reason="Thêm 1 chiếc")
    inv_demo.refresh_from_db()
    assert inv_demo.status == PlanStatus.REVISED
    second = inv_demo.revisions.get(number=2)
    assert "Thêm 1 chiếc" in second.reason and second.approved_at is None
    assert second.total_vnd == first.total_vnd + line.unit_price_vnd

    diff = revision_compare(old=first, new=second)
    assert diff.delta_vnd == line.unit_price_vnd
    [change] = diff.changes
    assert change.change == "changed" and (change.old["quantity"], change.new["quantity"]) == (1, 2)

    services.plan_approve(plan=inv_demo, expected_version=inv_demo.version, user=leader, note="OK", **DECISION)
    inv_demo.refresh_from_db()
    assert inv_demo.status == PlanStatus.APPROVED
    assert inv_demo.revisions.get(number=2).approved_by == leader
    with pytest.raises(ApplicationError):
        services.plan_approve(plan=inv_demo, expected_version=inv_demo.version, user=leader, **DECISION)


def test_empty_plan_cannot_be_approved(db, make_user):
    plan = _fresh_plan()
    with pytest.raises(ApplicationError):
        services.plan_approve(plan=plan, expected_version=plan.version, user=make_user("leader"), **DECISION)


#
# Funding
#


def _phase_and_planned(plan):
    phase = plan.phases.get(number=2)
    planned = sum(phase.lines.values_list("amount_vnd", flat=True))
    return phase, planned


def test_over_allocation_warns(inv_demo, settings):
    settings.INVESTMENTS_OVERRUN_BLOCKS = False
    settings.INVESTMENTS_OVERRUN_THRESHOLD_PERCENT = 0
    phase, planned = _phase_and_planned(inv_demo)
    already = sum(phase.allocations.values_list("amount_vnd", flat=True))
    _alloc, warnings = services.allocation_save(
        allocation=Allocation(
            plan=inv_demo, phase=phase, year=2028, source=FundingSource.PROVINCE, amount_vnd=planned - already + 1
        )
    )
    assert [w.code for w in warnings] == ["over_allocated"]
    assert [w.code for w in plan_funding(plan=inv_demo).warnings] == ["over_allocated"]


def test_threshold_tolerates_small_excess(inv_demo, settings):
    settings.INVESTMENTS_OVERRUN_THRESHOLD_PERCENT = 10
    phase, planned = _phase_and_planned(inv_demo)
    already = sum(phase.allocations.values_list("amount_vnd", flat=True))
    room = planned * 110 // 100 - already
    _a, warnings = services.allocation_save(
        allocation=Allocation(plan=inv_demo, phase=phase, year=2028, source=FundingSource.PROVINCE, amount_vnd=room)
    )
    assert warnings == []


def test_blocking_setting_refuses_overrun(inv_demo, settings):
    settings.INVESTMENTS_OVERRUN_BLOCKS = True
    phase, planned = _phase_and_planned(inv_demo)
    with pytest.raises(ApplicationError) as exc:
        services.allocation_save(
            allocation=Allocation(
                plan=inv_demo, phase=phase, year=2028, source=FundingSource.PROVINCE, amount_vnd=planned
            )
        )
    assert exc.value.extra["warnings"] == ["over_allocated"]
    assert not Allocation.objects.filter(phase=phase, year=2028).exists()


def test_overspending_warns_then_blocks(inv_demo, settings):
    phase = inv_demo.phases.get(number=1)
    allocated = sum(phase.allocations.values_list("amount_vnd", flat=True))
    paid = sum(phase.spending.filter(kind=SpendingKind.PAYMENT).values_list("amount_vnd", flat=True))
    record = Spending(
        plan=inv_demo, phase=phase, kind=SpendingKind.PAYMENT, year=2026, on=date(2026, 9, 1), amount_vnd=0
    )
    settings.INVESTMENTS_OVERRUN_BLOCKS = True
    record.amount_vnd = allocated - paid + 1
    with pytest.raises(ApplicationError):
        services.spending_save(spending=record)
    settings.INVESTMENTS_OVERRUN_BLOCKS = False
    record.pk = None
    _s, warnings = services.spending_save(spending=record)
    assert "overspent" in [w.code for w in warnings]
    funding = plan_funding(plan=inv_demo)
    row = next(r for r in funding.by_phase if r.key == phase.pk)
    assert row.spent_vnd == allocated + 1


def test_funding_totals_agree(inv_demo):
    funding = plan_funding(plan=inv_demo)
    for attr in ("planned_vnd", "allocated_vnd", "committed_vnd", "spent_vnd"):
        assert sum(getattr(r, attr) for r in funding.by_year) == getattr(funding.totals, attr)
    assert funding.totals.planned_vnd == plan_totals(plan=inv_demo).total_vnd
    assert funding.totals.allocated_vnd == sum(
        Allocation.objects.filter(plan=inv_demo).values_list("amount_vnd", flat=True)
    )


def test_allocation_year_outside_plan_is_refused(inv_demo):
    with pytest.raises(ApplicationError):
        services.allocation_save(
            allocation=Allocation(
                plan=inv_demo, phase=inv_demo.phases.first(), year=2031, source=FundingSource.DISTRICT, amount_vnd=1
            )
        )


#
# Delivery
#


def test_delivery_creates_equipment_once(inv_demo, make_user):
    line = PlanLine.objects.filter(plan=inv_demo, item__code="micro-hoi-thao").first()
    before = Equipment.objects.filter(site=line.site, kind=EquipmentKind.MICROPHONE).count()
    records = services.line_deliver(line=line, user=make_user("finance"), delivered_on=date(2026, 8, 1))
    assert len(records) == line.quantity
    created = Equipment.objects.filter(code__in=[r["label"] for r in records])
    assert created.count() == line.quantity
    assert {(e.site_id, e.kind, e.status, e.cost_vnd, e.purchase_date) for e in created} == {
        (line.site_id, EquipmentKind.MICROPHONE, EquipmentStatus.WORKING, line.unit_price_vnd, date(2026, 8, 1))
    }
    assert Equipment.objects.filter(site=line.site, kind=EquipmentKind.MICROPHONE).count() == before + line.quantity
    assert all(e.history.count() == 1 for e in created)
    line.refresh_from_db()
    assert line.status == LineStatus.DELIVERED
    with pytest.raises(ApplicationError):
        services.line_deliver(line=line, user=None)
    with pytest.raises(ApplicationError):
        services.line_update(line=line, expected_version=inv_demo.version, user=None, quantity=1)


def test_demo_load_is_idempotent(inv_demo):
    from investments import demo

    version = InvestmentPlan.objects.get(pk=inv_demo.pk).version
    counts = (PlanLine.objects.count(), Allocation.objects.count(), Spending.objects.count(), ItemPrice.objects.count())
    demo.load()
    assert InvestmentPlan.objects.get(pk=inv_demo.pk).version == version
    assert counts == (
        PlanLine.objects.count(),
        Allocation.objects.count(),
        Spending.objects.count(),
        ItemPrice.objects.count(),
    )


#
# Camera gaps and camera delivery, against a stand-in for the cameras app's two functions (the real
# ones are exercised in test_camera_integration.py after the merge)
#


def test_camera_gaps_map_to_catalogue_items_by_type(inv_demo, monkeypatch):
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Gap:
        site_id: int
        zone: str
        camera_type: str
        quantity: int
        reason: str

    site = Site.objects.get(code="cong-an-huyen")
    gaps = [
        Gap(site.pk, "Cổng phụ", "dome", 2, "uncovered"),
        Gap(site.pk, "Cổng", "thermal", 1, "Không có loại này trong danh mục"),
    ]
    monkeypatch.setattr(services, "_camera_gaps", lambda site_ids: [g for g in gaps if g.site_id in site_ids])
    result = _generate(inv_demo, sites=[site])
    assert result.cameras_checked
    line = PlanLine.objects.get(plan=inv_demo, site=site, source=LineSource.CAMERA_GAP)
    assert (line.item.code, line.quantity, line.zone, line.amount_vnd) == (
        "cam-an-ninh-dome",
        2,
        "Cổng phụ",
        5_300_000,
    )
    assert len(result.warnings) == 1 and "thermal" in result.warnings[0]


def test_camera_line_delivery_calls_camera_create(inv_demo, monkeypatch):
    import sys
    import types

    calls = []

    def camera_create(**kwargs):
        calls.append(kwargs)
        return types.SimpleNamespace(pk=len(calls), __str__=lambda self: "cam")

    monkeypatch.setitem(sys.modules, "cameras.services", types.SimpleNamespace(camera_create=camera_create))
    site = Site.objects.get(code="cong-an-huyen")
    line = services.line_create(
        plan=inv_demo,
        expected_version=inv_demo.version,
        user=None,
        site=site,
        item=CatalogueItem.objects.get(code="cam-an-ninh-dome"),
        quantity=2,
        zone="Cầu thang",
    )
    records = services.line_deliver(line=line, user=None, delivered_on=date(2026, 10, 1))
    assert [r["type"] for r in records] == ["camera", "camera"]
    assert calls[0] == {
        "site": site,
        "camera_type": "dome",
        "model": "Camera an ninh dome 4MP",
        "cost_vnd": 2_650_000,
        "install_date": date(2026, 10, 1),
        "zone": "Cầu thang",
    }
