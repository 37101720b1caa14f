"""The investment plan on the finance and leader dashboards and on the site page."""

import re
from datetime import date

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.roles import Role
from common.templatetags.portal import format_vnd
from investments.choices import FundingSource, LineStatus, PlanStatus
from investments.models import Allocation, InvestmentPlan, PlanLine
from investments.panels import current_plan
from investments.services import allocation_save
from sites.models import Site

pytestmark = pytest.mark.django_db


def panel_html(html: str, key: str) -> str:
    match = re.search(rf'data-panel="{re.escape(key)}".*?</section>', html, re.S)
    assert match, f"panel {key} not on the page"
    return match.group(0)


def section_html(html: str, key: str) -> str:
    match = re.search(rf'data-section="{re.escape(key)}".*?</section>', html, re.S)
    assert match, f"section {key} not on the page"
    return match.group(0)


def allocate(plan, phase, amount, year=None, source=FundingSource.DISTRICT):
    """The phase's only allocation (the demo's are removed first)."""
    Allocation.objects.filter(phase=phase).delete()
    return allocation_save(
        allocation=Allocation(
            plan=plan, phase=phase, year=year or timezone.localdate().year, source=source, amount_vnd=amount
        )
    )


def test_finance_sees_this_years_money_per_phase_and_warnings(client, inv_demo, finance, settings):
    settings.INVESTMENTS_OVERRUN_BLOCKS = False
    phase = inv_demo.phases.order_by("number").first()
    planned = PlanLine.objects.filter(phase=phase).aggregate(s=Sum("amount_vnd"))["s"]
    allocate(inv_demo, phase, planned + 1_000_000_000)  # over-allocated by a billion
    client.force_login(finance)
    panel = panel_html(client.get(reverse("home")).content.decode(), "investments.allocation")
    assert inv_demo.title in panel and str(phase) in panel
    assert format_vnd(planned) in panel and format_vnd(planned + 1_000_000_000) in panel
    assert "over-allocated" in panel


def test_finance_panel_says_when_no_plan_covers_the_year(client, finance):
    client.force_login(finance)
    panel = panel_html(client.get(reverse("home")).content.decode(), "investments.allocation")
    assert "No investment plan covers this year yet." in panel


def test_current_plan_prefers_the_approved_one(inv_demo):
    year = timezone.localdate().year
    draft = InvestmentPlan.objects.create(code="ke-hoach-moi", title="Kế hoạch mới", start_year=year, end_year=year)
    assert current_plan(year=year) == (inv_demo if inv_demo.status == PlanStatus.APPROVED else draft)
    InvestmentPlan.objects.filter(pk=inv_demo.pk).update(status=PlanStatus.APPROVED)
    assert current_plan(year=year) == inv_demo
    assert current_plan(year=1990) is None


def test_leader_sees_plans_to_approve_with_totals(client, inv_demo, leader):
    InvestmentPlan.objects.filter(pk=inv_demo.pk).update(status=PlanStatus.REVISED)
    client.force_login(leader)
    panel = panel_html(client.get(reverse("home")).content.decode(), "investments.approval")
    total = PlanLine.objects.filter(plan=inv_demo).aggregate(s=Sum("amount_vnd"))["s"]
    assert inv_demo.title in panel and format_vnd(total) in panel


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.COMMUNE_OFFICER, Role.OFFICE_STAFF])
def test_other_roles_get_no_investment_panel(client, inv_demo, make_user, role, officer):
    client.force_login(officer if role == Role.COMMUNE_OFFICER else make_user(role))
    html = client.get(reverse("home")).content.decode()
    assert 'data-panel="investments.' not in html


@pytest.mark.parametrize("role", [Role.FINANCE, Role.LEADER])
def test_investment_panels_cost_the_same_with_more_lines(
    client, inv_demo, make_user, role, django_assert_max_num_queries
):
    from django.core.cache import cache

    cache.set("dashboards:health", {"ok": True, "checks": {}}, 60)
    client.force_login(make_user(role))
    client.get(reverse("home"))
    with django_assert_max_num_queries(40) as before:
        client.get(reverse("home"))
    phases = list(inv_demo.phases.all())
    for line in list(PlanLine.objects.filter(plan=inv_demo)[:30]):
        line.pk = None
        line.phase = phases[0]
        line.save()
    allocate(inv_demo, phases[-1], 1_000_000, source=FundingSource.PROVINCE)
    with django_assert_max_num_queries(len(before)):
        client.get(reverse("home"))


def test_site_section_lists_lines_with_phase_and_funding(client, inv_demo, officer, settings):
    settings.INVESTMENTS_OVERRUN_BLOCKS = False
    site = Site.objects.filter(unit=officer.unit, investment_lines__phase__isnull=False).distinct().first()
    lines = list(PlanLine.objects.filter(site=site).select_related("phase", "item"))
    phase = next(line.phase for line in lines if line.phase_id)
    planned = PlanLine.objects.filter(phase=phase).aggregate(s=Sum("amount_vnd"))["s"]
    allocate(inv_demo, phase, planned // 2)
    client.force_login(officer)
    section = section_html(client.get(site.get_absolute_url()).content.decode(), "investments.lines")
    assert all(escape(line.item.name) in section for line in lines)
    assert format_vnd(sum(line.amount_vnd for line in lines)) in section
    assert "funding-partly" in section and "(50%)" in section
    other = Site.objects.exclude(unit=officer.unit).filter(investment_lines__isnull=False).first()
    assert client.get(other.get_absolute_url()).status_code == 404


def test_delivered_line_shows_delivered(client, inv_demo, finance):
    line = PlanLine.objects.filter(plan=inv_demo).select_related("site").first()
    PlanLine.objects.filter(pk=line.pk).update(status=LineStatus.DELIVERED, delivered_on=date(2026, 6, 1))
    client.force_login(finance)
    section = section_html(client.get(line.site.get_absolute_url()).content.decode(), "investments.lines")
    assert "funding-delivered" in section


def test_site_section_costs_the_same_with_more_lines(client, inv_demo, finance, django_assert_max_num_queries):
    site = PlanLine.objects.filter(plan=inv_demo).first().site
    client.force_login(finance)
    client.get(site.get_absolute_url())
    with django_assert_max_num_queries(60) as before:
        client.get(site.get_absolute_url())
    phases = list(inv_demo.phases.all())
    for i, line in enumerate(list(PlanLine.objects.filter(plan=inv_demo)[:40])):
        line.pk, line.site, line.phase = None, site, phases[i % len(phases)]
        line.save()
    with django_assert_max_num_queries(len(before)):
        client.get(site.get_absolute_url())
