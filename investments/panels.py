"""
Investment plans on the home dashboards and the site page:
- finance and leaders: the current plan's money this year and per phase (planned, allocated,
  committed, spent) with the over-allocation and overspending warnings of the plan page;
- leaders: plans waiting for their approval, and the current plan's estimate against what is funded;
- site page: the lines that will upgrade the site, with their phase and how far that phase is funded.
Everything is read through `investments.selectors`, in a fixed number of queries whatever the number
of plans, phases, lines and sites.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from common.models import sums
from dashboards.registry import register_panel
from investments.choices import LineStatus, PhaseFunding, SpendingKind
from investments.constants import SITE_SECTION
from investments.models import Allocation, InvestmentPlan, PlanLine, Spending
from investments.selectors import (
    FundingRow,
    current_plan,
    current_plans,
    line_funding,
    percent_of,
    phases_funding,
    plan_funding,
    plans_awaiting_approval,
)
from sites.models import Site
from sites.sections import SiteSection, register_site_section

__all__ = ["allocation", "approval", "current_plan"]

WAITING_SHOWN = 8
# What the plan panels read: they are cached until one of these changes (dashboards.registry).
PLAN_MODELS = [
    "investments.InvestmentPlan",
    "investments.Phase",
    "investments.PlanLine",
    "investments.Allocation",
    "investments.Spending",
    "sites.Site",
]


def _share(part: int, whole: int) -> float:
    """`part` as a percentage of `whole` for a bar's width (one decimal)."""
    return round(max(part, 0) * 100 / whole, 1) if whole else 0.0


def progress_bar(row: FundingRow) -> dict[str, Any]:
    """
    One stacked bar per phase: spent, then committed but not yet paid, then allocated but not yet
    committed; the bar's full width is the planned amount (or more, when more was allocated or spent).
    """
    allocated = row.allocated_vnd or 0
    whole = max(row.planned_vnd, allocated, row.committed_vnd, row.spent_vnd)
    committed = max(row.committed_vnd, row.spent_vnd)
    return {
        "spent": _share(row.spent_vnd, whole),
        "committed": _share(committed - row.spent_vnd, whole),
        "allocated": _share(allocated - committed, whole),
        "allocated_pct": allocated * 100 // row.planned_vnd if row.planned_vnd else 0,
        "committed_pct": row.committed_vnd * 100 // row.planned_vnd if row.planned_vnd else 0,
        "spent_pct": row.spent_vnd * 100 // row.planned_vnd if row.planned_vnd else 0,
    }


@register_panel(
    key="investments.allocation",
    title=_("Investment plan: allocation and spending"),
    template="investments/panels/allocation.html",
    roles=[Role.FINANCE, Role.LEADER],
    # The panel is about allocations and spending (finance and leaders hold it with view_investmentplan).
    permission="investments.view_allocation",
    order=20,
    wide=True,
    cache_seconds=300,
    depends_on=PLAN_MODELS,
)
def allocation(request: HttpRequest) -> dict[str, Any] | None:
    year = timezone.localdate().year
    plans = current_plans(year=year)
    if not plans:
        return {"plan": None}
    plan = plans[0]
    funding = plan_funding(plan=plan)  # the plan page's own figures and warnings
    this_year = next((row for row in funding.by_year if row.key == year), FundingRow(year, str(year)))
    warned = {w.phase_id for w in funding.warnings}
    return {
        "plan": plan,
        "other_plans": plans[1:],
        "year": year,
        "this_year": this_year,
        "totals": funding.totals,
        "total_bar": progress_bar(funding.totals),
        "phases": [{"row": row, "bar": progress_bar(row), "warned": row.key in warned} for row in funding.by_phase],
        "warnings": funding.warnings,
    }


@register_panel(
    key="investments.approval",
    title=_("Investment plans to approve"),
    template="investments/panels/approval.html",
    roles=[Role.LEADER],
    permission="investments.approve_investmentplan",
    order=30,
    cache_seconds=300,
    depends_on=[*PLAN_MODELS, "investments.PlanRevision"],
)
def approval(request: HttpRequest) -> dict[str, Any] | None:
    year = timezone.localdate().year
    waiting = plans_awaiting_approval(limit=WAITING_SHOWN + 2)
    plan = current_plan(year=year)
    if plan is None and not waiting and not InvestmentPlan.objects.exists():
        return None
    funded = None
    if plan is not None:
        figures = sums(
            {
                "estimate": PlanLine.objects.filter(plan=plan),
                "allocated": Allocation.objects.filter(plan=plan, year__lte=year),
                "spent": Spending.objects.filter(plan=plan, kind=SpendingKind.PAYMENT),
            },
            "amount_vnd",
        )
        estimate, allocated, spent = figures["estimate"], figures["allocated"], figures["spent"]
        funded = {
            "estimate": estimate,
            "allocated": allocated,
            "spent": spent,
            "allocated_pct": percent_of(allocated, estimate),
            "spent_pct": percent_of(spent, estimate),
        }
        funded["allocated_rest_pct"] = max(funded["allocated_pct"] - funded["spent_pct"], 0)
    # The current plan shows above (with its approval, when it waits for one); the list holds the others.
    current_waiting = next((p for p in waiting if plan is not None and p.pk == plan.pk), None)
    others = [p for p in waiting if p is not current_waiting]
    return {
        "plan": plan,
        "year": year,
        "funded": funded,
        "current_waiting": current_waiting,
        "waiting": others[:WAITING_SHOWN],
        "more_waiting": len(others) > WAITING_SHOWN,
    }


#
# Site page
#


def _site_lines(queryset: Any) -> Any:
    """The lines of plans still running or to come (a finished plan's lines upgrade nothing any more)."""
    year = timezone.localdate().year
    return queryset.prefetch_related(
        Prefetch(
            "investment_lines",
            queryset=PlanLine.objects.filter(plan__end_year__gte=year)
            .select_related("plan", "phase", "item")
            .order_by("plan__start_year", "plan__title", "plan_id", "phase__number", "item__name", "pk"),
        )
    )


def _lines_context(site: Site, request: HttpRequest) -> dict[str, Any]:
    """The site's lines (prefetched) with their phase's funding (three queries whatever their number)."""
    lines = list(site.investment_lines.all())
    funding = phases_funding(phase_ids=[line.phase_id for line in lines if line.phase_id])
    for line in lines:
        row = funding.get(line.phase_id) if line.phase_id else None
        line.funding = line_funding(line=line, phase_row=row)
        line.phase_progress = bool(row and (row.committed_vnd or row.spent_vnd))
        if line.funding == PhaseFunding.PARTLY:
            line.funding_label = _("Partly funded (%(pct)d%%)") % {
                "pct": percent_of(row.allocated_vnd, row.planned_vnd)
            }
        else:
            line.funding_label = line.funding.label
        if row is not None:
            line.spent_pct = percent_of(row.spent_vnd, row.planned_vnd)
            line.committed_pct = percent_of(row.committed_vnd, row.planned_vnd)
    return {
        "lines": lines,
        "total_vnd": sum(line.amount_vnd for line in lines),
        "planned_vnd": sum(line.amount_vnd for line in lines if line.status != LineStatus.DELIVERED),
    }


register_site_section(
    SiteSection(
        key=SITE_SECTION,
        title=_("Planned investment"),
        template="investments/site_section.html",
        order=70,
        permission="investments.view_planline",
        prefetch=_site_lines,
        context=_lines_context,
    )
)
