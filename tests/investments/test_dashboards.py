"""The investment plan on the finance and leader dashboards and on the site page."""

import re
from datetime import date

import pytest
from django.core.cache import cache
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.roles import Role
from common.templatetags.portal import format_vnd
from investments.choices import FundingSource, LineStatus, PlanStatus, SpendingKind
from investments.models import Allocation, InvestmentPlan, Phase, PlanLine, Spending
from investments.selectors import current_plan, current_plans, plans_awaiting_approval
from investments.services import allocation_save, line_update, plan_approve, spending_save
from sites.models import Site
from tests.pages import panel_html, section_html

pytestmark = pytest.mark.django_db


def home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def allocate(plan, phase, amount, year=None, source=FundingSource.DISTRICT):
    """The phase's only allocation (the demo's are removed first)."""
    Allocation.objects.filter(phase=phase).delete()
    return allocation_save(
        allocation=Allocation(
            plan=plan, phase=phase, year=year or timezone.localdate().year, source=source, amount_vnd=amount
        )
    )


def planned(phase) -> int:
    return PlanLine.objects.filter(phase=phase).aggregate(s=Sum("amount_vnd"))["s"] or 0


def approve(plan, user):
    plan.refresh_from_db()
    return plan_approve(
        plan=plan,
        expected_version=plan.version,
        user=user,
        decision_number="123/QĐ-UBND",
        decision_date=date(2026, 2, 1),
    )


def double(plan: InvestmentPlan) -> InvestmentPlan:
    """
    Twice the data: every phase of the plan again with copies of its lines, allocations and spending,
    and a second plan covering the same years with copies of every line, waiting for approval.
    """
    phases = list(plan.phases.order_by("number"))
    last = phases[-1].number
    for phase in phases:
        copy = Phase.objects.create(
            plan=plan,
            number=phase.number + last,
            name=f"{phase.name} (bổ sung)",
            start_year=phase.start_year,
            end_year=phase.end_year,
        )
        for model in (PlanLine, Allocation, Spending):
            for row in list(model.objects.filter(phase=phase)):
                row.pk, row.phase = None, copy
                row.save()
    other = InvestmentPlan.objects.create(
        code="ke-hoach-bo-sung", title="Kế hoạch bổ sung", start_year=plan.start_year, end_year=plan.end_year
    )
    PlanLine.objects.bulk_create(
        PlanLine(
            plan=other,
            site_id=line.site_id,
            item_id=line.item_id,
            quantity=line.quantity,
            unit_price_vnd=line.unit_price_vnd,
            amount_vnd=line.amount_vnd,
        )
        for line in PlanLine.objects.filter(plan=plan)
    )
    return other


#
# Which plan is current, which wait for approval
#


def test_current_plan_is_the_approved_one_covering_the_year(inv_demo, leader):
    year = timezone.localdate().year
    draft = InvestmentPlan.objects.create(code="ke-hoach-moi", title="Kế hoạch mới", start_year=year, end_year=year)
    # Two drafts: the one changed last comes first.
    assert current_plans(year=year)[0] == draft
    approve(inv_demo, leader)
    assert current_plans(year=year) == [inv_demo, draft]
    # Being revised, the approved plan is still the one carried out.
    InvestmentPlan.objects.filter(pk=inv_demo.pk).update(status=PlanStatus.REVISED)
    assert current_plan(year=year) == inv_demo
    assert current_plan(year=1990) is None


def test_plans_awaiting_approval_with_their_totals(inv_demo, leader):
    total = PlanLine.objects.filter(plan=inv_demo).aggregate(s=Sum("amount_vnd"))["s"]
    [waiting] = plans_awaiting_approval()
    assert waiting == inv_demo and waiting.total_vnd == total and waiting.approved_total_vnd is None
    approve(inv_demo, leader)
    assert plans_awaiting_approval() == []
    line = PlanLine.objects.filter(plan=inv_demo).first()
    inv_demo.refresh_from_db()
    line_update(
        line=line, expected_version=inv_demo.version, user=leader, reason="Thêm một bộ", quantity=line.quantity + 1
    )
    [waiting] = plans_awaiting_approval()
    assert waiting.status == PlanStatus.REVISED
    assert (waiting.total_vnd, waiting.approved_total_vnd) == (total + line.unit_price_vnd, total)


#
# Finance (and leaders): allocation and spending of the current plan
#


def test_finance_sees_this_years_money_per_phase_and_warnings(client, inv_demo, finance, settings):
    settings.INVESTMENTS_OVERRUN_BLOCKS = False
    year = timezone.localdate().year
    phase = inv_demo.phases.order_by("number").first()
    allocate(inv_demo, phase, planned(phase) + 1_000_000_000)  # over-allocated by a billion
    panel = panel_html(home(client, finance), "investments.allocation")
    assert escape(inv_demo.title) in panel and inv_demo.get_absolute_url() in panel
    assert str(phase) in panel and format_vnd(planned(phase)) in panel
    assert format_vnd(planned(phase) + 1_000_000_000) in panel
    # The plan page's own warning, and the phase's row marked.
    assert 'data-warning="over_allocated"' in panel and "over-allocated" in panel
    assert re.search(rf'<tr class="table-warning" data-phase="{phase.pk}"', panel)
    # This year's figures: allocated, committed and spent in the current year.
    this_year = re.search(r'data-year="(\d+)">(.*?)</div>\s*</div>\s*</div>', panel, re.S)
    assert this_year and int(this_year.group(1)) == year
    committed = (
        Spending.objects.filter(plan=inv_demo, year=year, kind=SpendingKind.COMMITMENT).aggregate(s=Sum("amount_vnd"))[
            "s"
        ]
        or 0
    )
    assert format_vnd(committed) in panel
    assert "Committed" in panel


def test_the_panel_names_the_other_plans_covering_the_year(client, inv_demo, finance, leader):
    approve(inv_demo, leader)
    other = double(inv_demo)
    panel = panel_html(home(client, finance), "investments.allocation")
    assert escape(inv_demo.title) in panel  # the approved plan is the current one
    assert "Also covering this year:" in panel and other.get_absolute_url() in panel


def test_finance_panel_says_when_no_plan_covers_the_year(client, finance):
    panel = panel_html(home(client, finance), "investments.allocation")
    assert "No investment plan covers this year yet." in panel


def test_leaders_see_the_allocation_panel_too(client, inv_demo, leader):
    panel = panel_html(home(client, leader), "investments.allocation")
    assert escape(inv_demo.title) in panel and "Spent" in panel


#
# Leaders: plans to approve
#


def test_leader_sees_the_current_plan_awaiting_approval_with_its_totals(client, inv_demo, leader):
    year = timezone.localdate().year
    phase = inv_demo.phases.order_by("number").last()
    # Next year's allocation is not "allocated up to this year".
    allocation_save(
        allocation=Allocation(
            plan=inv_demo, phase=phase, year=year + 1, source=FundingSource.PROVINCE, amount_vnd=7_000_000
        )
    )
    panel = panel_html(home(client, leader), "investments.approval")
    total = PlanLine.objects.filter(plan=inv_demo).aggregate(s=Sum("amount_vnd"))["s"]
    to_date = Allocation.objects.filter(plan=inv_demo, year__lte=year).aggregate(s=Sum("amount_vnd"))["s"]
    assert escape(inv_demo.title) in panel and format_vnd(total) in panel and format_vnd(to_date) in panel
    assert f'data-awaiting="{inv_demo.pk}"' in panel and "Awaiting your approval." in panel
    assert "No plan waits for approval." not in panel


def test_leader_sees_other_plans_waiting_with_their_approved_totals(client, inv_demo, leader):
    approve(inv_demo, leader)
    other = double(inv_demo)
    year = timezone.localdate().year
    InvestmentPlan.objects.filter(pk=other.pk).update(start_year=year + 1, end_year=year + 2)  # the next plan
    approve(other, leader)
    line = PlanLine.objects.filter(plan=other).first()
    other.refresh_from_db()
    line_update(line=line, expected_version=other.version, user=leader, reason="Đổi số lượng", quantity=99)
    approved = other.revisions.get(approved_at__isnull=False).total_vnd
    now = PlanLine.objects.filter(plan=other).aggregate(s=Sum("amount_vnd"))["s"]
    panel = panel_html(home(client, leader), "investments.approval")
    assert "Other plans awaiting approval" not in panel and "Awaiting approval" in panel
    waiting = re.search(rf'data-awaiting="{other.pk}".*?</li>', panel, re.S).group(0)
    assert escape(other.title) in waiting and format_vnd(now) in waiting and format_vnd(approved) in waiting
    assert "Awaiting your approval" not in panel  # the current plan is approved


def test_leader_is_told_when_nothing_waits(client, inv_demo, leader):
    approve(inv_demo, leader)
    panel = panel_html(home(client, leader), "investments.approval")
    assert "No plan waits for approval." in panel and escape(inv_demo.title) in panel


def test_approval_panel_without_a_current_plan_and_without_any_plan(client, leader):
    assert 'data-panel="investments.approval"' not in home(client, leader)
    InvestmentPlan.objects.create(code="cu", title="Kế hoạch cũ", start_year=2015, end_year=2016, status="approved")
    panel = panel_html(home(client, leader), "investments.approval")
    assert "No investment plan covers this year yet." in panel and "No plan waits for approval." in panel


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.COMMUNE_OFFICER, Role.OFFICE_STAFF, Role.POLICE_OPERATOR])
def test_other_roles_get_no_investment_panel(client, inv_demo, make_user, role, officer):
    html = home(client, officer if role == Role.COMMUNE_OFFICER else make_user(role))
    assert 'data-panel="investments.' not in html


def test_finance_gets_no_approval_panel(client, inv_demo, finance):
    assert 'data-panel="investments.approval"' not in home(client, finance)


@pytest.mark.parametrize("role", [Role.FINANCE, Role.LEADER])
def test_investment_panels_cost_the_same_with_twice_the_data(
    client, inv_demo, make_user, role, leader, django_assert_max_num_queries
):
    cache.set("dashboards:health", {"ok": True, "checks": {}}, 60)  # the health checks are not queries
    approve(inv_demo, leader)
    client.force_login(make_user(role))
    client.get(reverse("home"))
    with django_assert_max_num_queries(40) as before:
        client.get(reverse("home"))
    lines, phases = PlanLine.objects.count(), inv_demo.phases.count()
    double(inv_demo)
    assert inv_demo.phases.count() == 2 * phases and PlanLine.objects.count() >= 3 * lines
    with django_assert_max_num_queries(len(before)):
        html = client.get(reverse("home")).content.decode()
    assert "(bổ sung)" in panel_html(html, "investments.allocation")


#
# The site page
#


def test_site_section_lists_lines_with_phase_and_funding(client, inv_demo, officer, settings):
    settings.INVESTMENTS_OVERRUN_BLOCKS = False
    site = Site.objects.filter(unit=officer.unit, investment_lines__phase__isnull=False).distinct().first()
    lines = list(PlanLine.objects.filter(site=site).select_related("phase", "item"))
    phase = next(line.phase for line in lines if line.phase_id)
    allocate(inv_demo, phase, planned(phase) // 2)
    client.force_login(officer)
    section = section_html(client.get(site.get_absolute_url()).content.decode(), "investments.lines")
    assert all(escape(line.item.name) in section for line in lines)
    assert all(format_vnd(line.amount_vnd) in section for line in lines)
    assert format_vnd(sum(line.amount_vnd for line in lines)) in section  # the site's total
    assert escape(inv_demo.title) in section and f"Phase {phase.number}" in section
    assert "funding-partly" in section and "(50%)" in section
    # Read-only for the commune: the lines, but no link to change them nor to the plan they may not open.
    assert "/edit/" not in section and "/deliver/" not in section
    assert lines[0].get_absolute_url() in section and inv_demo.get_absolute_url() not in section
    assert client.get(lines[0].get_absolute_url()).status_code == 200
    # Only the commune's own sites.
    other = Site.objects.exclude(unit=officer.unit).filter(investment_lines__isnull=False).first()
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(reverse("sites:site_section", args=[other.pk, "investments.lines"])).status_code == 404


def test_funding_states(client, inv_demo, finance, settings):
    settings.INVESTMENTS_OVERRUN_BLOCKS = False
    site = PlanLine.objects.filter(plan=inv_demo, phase__isnull=False).first().site
    lines = list(PlanLine.objects.filter(site=site).order_by("pk"))
    phase = lines[0].phase
    url = site.get_absolute_url()
    client.force_login(finance)

    def badges():
        section = section_html(client.get(url).content.decode(), "investments.lines")
        return dict(re.findall(r'data-line="(\d+)".*?funding-(\w+)', section, re.S))

    Allocation.objects.filter(phase=phase).delete()
    assert badges()[str(lines[0].pk)] == "unfunded"
    allocate(inv_demo, phase, planned(phase))
    assert badges()[str(lines[0].pk)] == "funded"
    PlanLine.objects.filter(pk=lines[0].pk).update(status=LineStatus.DELIVERED, delivered_on=date(2026, 6, 1))
    PlanLine.objects.filter(pk=lines[-1].pk).update(phase=None)
    shown = badges()
    assert shown[str(lines[0].pk)] == "delivered" and shown[str(lines[-1].pk)] == "unphased"


def test_spending_of_the_phase_shows_under_the_badge(client, inv_demo, finance, settings):
    settings.INVESTMENTS_OVERRUN_BLOCKS = False
    phase = inv_demo.phases.order_by("number").first()
    site = PlanLine.objects.filter(phase=phase).first().site
    Spending.objects.filter(phase=phase).delete()
    allocate(inv_demo, phase, planned(phase))
    spending_save(
        spending=Spending(
            plan=inv_demo,
            phase=phase,
            kind=SpendingKind.PAYMENT,
            year=timezone.localdate().year,
            on=timezone.localdate(),
            amount_vnd=planned(phase) // 4,
        )
    )
    client.force_login(finance)
    section = section_html(client.get(site.get_absolute_url()).content.decode(), "investments.lines")
    assert "0% committed, 25% spent" in section


def test_lines_of_a_finished_plan_are_not_shown(client, inv_demo, finance):
    line = PlanLine.objects.filter(plan=inv_demo).select_related("site").first()
    year = timezone.localdate().year
    old = InvestmentPlan.objects.create(code="cu", title="Kế hoạch đã xong", start_year=year - 3, end_year=year - 1)
    PlanLine.objects.create(plan=old, site=line.site, item=line.item, quantity=1, unit_price_vnd=1_234_567)
    client.force_login(finance)
    section = section_html(client.get(line.site.get_absolute_url()).content.decode(), "investments.lines")
    assert "Kế hoạch đã xong" not in section and format_vnd(1_234_567) not in section


def test_site_without_lines_says_so(client, inv_demo, finance):
    site = Site.objects.filter(investment_lines__isnull=True).first()
    client.force_login(finance)
    section = section_html(client.get(site.get_absolute_url()).content.decode(), "investments.lines")
    assert "No investment is planned for this site." in section


def test_technicians_get_no_investment_section(client, inv_demo, make_user):
    site = PlanLine.objects.filter(plan=inv_demo).first().site
    client.force_login(make_user(Role.TECHNICIAN))
    assert 'data-section="investments.lines"' not in client.get(site.get_absolute_url()).content.decode()


@pytest.mark.parametrize("role", [Role.FINANCE, Role.COMMUNE_OFFICER])
def test_site_section_costs_the_same_with_twice_the_data(
    client, inv_demo, make_user, officer, role, django_assert_max_num_queries
):
    user = officer if role == Role.COMMUNE_OFFICER else make_user(role)
    site = PlanLine.objects.filter(plan=inv_demo, site__unit=officer.unit).first().site
    client.force_login(user)
    client.get(site.get_absolute_url())
    with django_assert_max_num_queries(60) as before:
        client.get(site.get_absolute_url())
    lines = PlanLine.objects.filter(site=site).count()
    double(inv_demo)
    # …and more lines at this site, spread over every phase.
    phases = list(inv_demo.phases.all())
    for i, line in enumerate(list(PlanLine.objects.filter(plan=inv_demo).exclude(site=site)[:20])):
        line.pk, line.site, line.phase = None, site, phases[i % len(phases)]
        line.save()
    assert PlanLine.objects.filter(site=site).count() >= 3 * lines + 20
    with django_assert_max_num_queries(len(before)):
        html = client.get(site.get_absolute_url()).content.decode()
    assert "Kế hoạch bổ sung" in section_html(html, "investments.lines")


def test_future_plans_show_on_the_site_page(client, inv_demo, finance):
    line = PlanLine.objects.filter(plan=inv_demo).select_related("site").first()
    year = timezone.localdate().year
    later = InvestmentPlan.objects.create(
        code="sau", title="Kế hoạch giai đoạn sau", start_year=year + 3, end_year=year + 5
    )
    PlanLine.objects.create(plan=later, site=line.site, item=line.item, quantity=2, unit_price_vnd=500_000)
    client.force_login(finance)
    section = section_html(client.get(line.site.get_absolute_url()).content.decode(), "investments.lines")
    assert "Kế hoạch giai đoạn sau" in section and "funding-unphased" in section


#
# The live site page: the sites whose section changed are told after commit
#


@pytest.fixture
def told(monkeypatch):
    """The (site id, section) pairs sent to the open site pages, after commit."""
    sent: list[tuple[int, str]] = []
    monkeypatch.setattr("sites.live._send", lambda site_ids, section: sent.extend((pk, section) for pk in site_ids))
    return sent


def sites_in(phase) -> set[int]:
    return set(PlanLine.objects.filter(phase=phase).values_list("site_id", flat=True))


def test_an_allocation_refreshes_the_pages_of_the_phases_sites(
    inv_demo, told, settings, django_capture_on_commit_callbacks
):
    settings.INVESTMENTS_OVERRUN_BLOCKS = False
    phase = inv_demo.phases.order_by("number").first()
    with django_capture_on_commit_callbacks(execute=True):
        allocate(inv_demo, phase, 5_000_000)
    assert {site for site, _section in told} == sites_in(phase)
    assert {section for _site, section in told} == {"investments.lines"}


def test_moving_a_line_refreshes_both_phases_sites(inv_demo, finance, told, django_capture_on_commit_callbacks):
    first, last = inv_demo.phases.order_by("number")[0], inv_demo.phases.order_by("-number")[0]
    line = PlanLine.objects.filter(phase=first).first()
    expected = sites_in(first) | sites_in(last)
    with django_capture_on_commit_callbacks(execute=True):
        line_update(line=line, expected_version=inv_demo.version, user=finance, phase=last)
    assert {site for site, _section in told} == expected


def test_a_delivery_refreshes_its_site_only(inv_demo, finance, told, django_capture_on_commit_callbacks):
    from investments.services import line_deliver

    line = PlanLine.objects.filter(plan=inv_demo, item__equipment_kind__gt="").first()
    with django_capture_on_commit_callbacks(execute=True):
        line_deliver(line=line, user=finance)
    assert told == [(line.site_id, "investments.lines")]


def test_a_refused_change_tells_no_page(inv_demo, told, settings, django_capture_on_commit_callbacks):
    from common.exceptions import ApplicationError

    settings.INVESTMENTS_OVERRUN_BLOCKS = True
    phase = inv_demo.phases.order_by("number").first()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError):
        allocation_save(
            allocation=Allocation(
                plan=inv_demo,
                phase=phase,
                year=inv_demo.end_year + 1,
                source=FundingSource.PROVINCE,
                amount_vnd=10**13,
            )
        )
    assert told == []
