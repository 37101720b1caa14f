"""
Investment plans on the home dashboards and the site page:
- finance: the current plan's money this year and per phase (planned, allocated, committed, spent)
  with the over-allocation and overspending warnings of the plan page;
- leaders: plan versions waiting for approval, and the current plan's estimate against what is funded;
- site page: the lines that will upgrade the site, with their phase and how far that phase is funded.
A fixed number of queries whatever the number of lines, phases and sites.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from dashboards.registry import register_panel
from investments.choices import LineStatus, PlanStatus, SpendingKind
from investments.models import Allocation, InvestmentPlan, PlanLine, Spending
from investments.selectors import plan_funding
from sites.models import Site
from sites.sections import SiteSection, register_site_section


def current_plan(*, year: int | None = None) -> InvestmentPlan | None:
    """The plan being carried out: the latest approved one covering this year, else the latest covering it."""
    year = year or timezone.localdate().year
    plans = InvestmentPlan.objects.filter(start_year__lte=year, end_year__gte=year)
    return (
        plans.filter(status=PlanStatus.APPROVED).order_by("-updated_at").first()
        or plans.order_by("-updated_at").first()
    )


def _percent(part: int, whole: int) -> int:
    return min(100, part * 100 // whole) if whole else 0


@register_panel(
    key="investments.allocation",
    title=_("Investment plan: allocation and spending"),
    template="investments/panels/allocation.html",
    roles=[Role.FINANCE],
    permission="investments.view_allocation",
    order=20,
    wide=True,
)
def allocation(request: HttpRequest) -> dict[str, Any] | None:
    year = timezone.localdate().year
    plan = current_plan(year=year)
    if plan is None:
        return {"plan": None}
    funding = plan_funding(plan=plan)
    this_year = next((row for row in funding.by_year if row.key == year), None)
    phases = [
        {
            "row": row,
            "allocated_pct": _percent(row.allocated_vnd or 0, row.planned_vnd),
            "spent_pct": _percent(row.spent_vnd, row.allocated_vnd or 0),
        }
        for row in funding.by_phase
    ]
    return {
        "plan": plan,
        "year": year,
        "this_year": this_year,
        "totals": funding.totals,
        "phases": phases,
        "warnings": funding.warnings,
    }


@register_panel(
    key="investments.approval",
    title=_("Investment plans to approve"),
    template="investments/panels/approval.html",
    roles=[Role.LEADER],
    permission="investments.approve_investmentplan",
    order=30,
)
def approval(request: HttpRequest) -> dict[str, Any] | None:
    plans = list(
        InvestmentPlan.objects.exclude(status=PlanStatus.APPROVED)
        .annotate(total_vnd=Sum("lines__amount_vnd"))
        .order_by("-updated_at")[:6]
    )
    plan = current_plan()
    if plan is None and not plans:
        return None
    funded = None
    if plan is not None:
        funded = {
            "estimate": PlanLine.objects.filter(plan=plan).aggregate(s=Sum("amount_vnd"))["s"] or 0,
            "allocated": Allocation.objects.filter(plan=plan).aggregate(s=Sum("amount_vnd"))["s"] or 0,
            "spent": Spending.objects.filter(plan=plan, kind=SpendingKind.PAYMENT).aggregate(s=Sum("amount_vnd"))["s"]
            or 0,
        }
        funded["allocated_pct"] = _percent(funded["allocated"], funded["estimate"])
    # The current plan shows above with its status; the list holds the other versions to approve.
    return {"waiting": [p for p in plans if p != plan], "plan": plan, "funded": funded}


#
# Site page
#


def _lines_context(site: Site, request: HttpRequest) -> dict[str, Any]:
    """The site's lines (prefetched) and, for their phases, planned and allocated money (two queries)."""
    lines = list(site.investment_lines.all())
    phase_ids = {line.phase_id for line in lines if line.phase_id}
    planned = dict(
        PlanLine.objects.filter(phase_id__in=phase_ids).order_by().values_list("phase").annotate(s=Sum("amount_vnd"))
    )
    allocated = dict(
        Allocation.objects.filter(phase_id__in=phase_ids).order_by().values_list("phase").annotate(s=Sum("amount_vnd"))
    )
    for line in lines:
        if line.status == LineStatus.DELIVERED:
            line.funding, line.funding_label = "delivered", _("Delivered")
        elif not line.phase_id:
            line.funding, line.funding_label = "unphased", _("Not in a phase")
        else:
            have, need = allocated.get(line.phase_id, 0), planned.get(line.phase_id, 0)
            if not have:
                line.funding, line.funding_label = "unfunded", _("Not funded yet")
            elif have < need:
                line.funding, line.funding_label = (
                    "partly",
                    _("Partly funded (%(pct)d%%)") % {"pct": _percent(have, need)},
                )
            else:
                line.funding, line.funding_label = "funded", _("Funded")
    return {
        "lines": lines,
        "total_vnd": sum(line.amount_vnd for line in lines),
        "planned_vnd": sum(line.amount_vnd for line in lines if line.status != LineStatus.DELIVERED),
    }


register_site_section(
    SiteSection(
        key="investments.lines",
        title=_("Planned investment"),
        template="investments/site_section.html",
        order=70,
        permission="investments.view_planline",
        prefetch=lambda qs: qs.prefetch_related(
            Prefetch(
                "investment_lines",
                queryset=PlanLine.objects.select_related("plan", "phase", "item").order_by(
                    "plan__start_year", "phase__number", "item__name"
                ),
            )
        ),
        context=_lines_context,
    )
)
