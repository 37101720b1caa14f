"""
Read-side logic for investment plans: prices on a date, totals, funding (planned, allocated,
committed, spent), warnings, snapshots and the comparison of revisions. Every sum is an exact
integer of đồng computed by the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from investments.choices import FundingSource, LineStatus, PhaseFunding, PlanStatus, SpendingKind
from investments.models import (
    Allocation,
    CatalogueItem,
    InvestmentPlan,
    ItemPrice,
    Phase,
    PlanLine,
    PlanReuse,
    PlanRevision,
    Spending,
)

#
# Prices
#


def prices_on(*, item_ids: Iterable[int], on: date) -> dict[int, int]:
    """The unit price of each item on `on` (the latest price valid by then); items without one are absent."""
    prices: dict[int, int] = {}
    rows = (
        ItemPrice.objects.filter(item_id__in=list(item_ids), valid_from__lte=on)
        .order_by("item_id", "-valid_from")
        .values_list("item_id", "price_vnd")
    )
    for item_id, price in rows:
        prices.setdefault(item_id, price)
    return prices


def item_price_on(*, item: CatalogueItem, on: date) -> int | None:
    return prices_on(item_ids=[item.pk], on=on).get(item.pk)


def catalogue_with_current_prices(*, on: date) -> list[tuple[CatalogueItem, int | None]]:
    items = list(CatalogueItem.objects.order_by("name"))
    prices = prices_on(item_ids=[i.pk for i in items], on=on)
    return [(item, prices.get(item.pk)) for item in items]


#
# Plans
#


def current_plans(*, year: int | None = None) -> list[InvestmentPlan]:
    """
    The plans covering `year` (this year by default), the one being carried out first: a plan that
    leaders have approved (still so while a revision of it awaits approval) comes before drafts, and
    among those the most recently changed comes first. One query.
    """
    year = year or timezone.localdate().year
    return list(
        InvestmentPlan.objects.filter(start_year__lte=year, end_year__gte=year)
        .annotate(
            draft_last=Case(When(status=PlanStatus.DRAFT, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
        .order_by("draft_last", "-updated_at", "-pk")
    )


def current_plan(*, year: int | None = None) -> InvestmentPlan | None:
    """The plan being carried out in `year` (see `current_plans`), or None when no plan covers it."""
    plans = current_plans(year=year)
    return plans[0] if plans else None


def plans_awaiting_approval(*, limit: int = 8) -> list[InvestmentPlan]:
    """
    Plans a leader has to approve (drafts and revised plans), the most recently changed first, each
    with `total_vnd` (its lines now) and `approved_total_vnd` (its last approved revision's, or
    None). One query.
    """
    total = (
        PlanLine.objects.filter(plan=OuterRef("pk")).order_by().values("plan").annotate(s=Sum("amount_vnd")).values("s")
    )
    approved = (
        PlanRevision.objects.filter(plan=OuterRef("pk"), approved_at__isnull=False)
        .order_by("-number")
        .values("total_vnd")[:1]
    )
    return list(
        InvestmentPlan.objects.filter(status__in=(PlanStatus.DRAFT, PlanStatus.REVISED))
        .annotate(total_vnd=Subquery(total), approved_total_vnd=Subquery(approved))
        .order_by("-updated_at", "-pk")[:limit]
    )


#
# Totals
#


@dataclass(frozen=True, slots=True)
class Total:
    key: Any
    label: str
    amount_vnd: int
    quantity: int = 0


@dataclass(frozen=True, slots=True)
class PlanTotals:
    total_vnd: int
    line_count: int
    by_phase: list[Total]
    by_site: list[Total]
    by_kind: list[Total]
    saving_vnd: int


def plan_lines(*, plan: InvestmentPlan, user: Any = None) -> QuerySet[PlanLine]:
    lines = PlanLine.objects.filter(plan=plan).select_related("site", "item", "phase")
    return lines.visible_to(user) if user is not None else lines


def plan_totals(*, plan: InvestmentPlan, lines: QuerySet[PlanLine] | None = None) -> PlanTotals:
    """The total estimate and its breakdowns per phase, site and item kind (four aggregate queries)."""
    lines = PlanLine.objects.filter(plan=plan) if lines is None else lines
    lines = lines.order_by()
    overall = lines.aggregate(total=Sum("amount_vnd"), n=Count("id"))
    phases = {p.pk: p for p in plan.phases.all()}
    by_phase = [
        Total(
            row["phase"],
            str(phases[row["phase"]]) if row["phase"] else _("Not in a phase"),
            row["amount"],
            row["n"],
        )
        for row in lines.values("phase").annotate(amount=Sum("amount_vnd"), n=Count("id")).order_by("phase")
    ]
    by_phase.sort(key=lambda t: (t.key is None, phases[t.key].number if t.key else 0))
    by_site = [
        Total(row["site"], row["site__name"], row["amount"], row["n"])
        for row in lines.values("site", "site__name")
        .annotate(amount=Sum("amount_vnd"), n=Count("id"))
        .order_by("site__name")
    ]
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    labels: dict[str, str] = {}
    for row in lines.values("item__equipment_kind", "item__camera_type").annotate(
        amount=Sum("amount_vnd"), qty=Sum("quantity")
    ):
        item = CatalogueItem(equipment_kind=row["item__equipment_kind"], camera_type=row["item__camera_type"])
        kinds[item.kind_key][0] += row["amount"]
        kinds[item.kind_key][1] += row["qty"]
        labels[item.kind_key] = item.get_kind_display()
    by_kind = sorted(
        (Total(key, labels[key], amount, qty) for key, (amount, qty) in kinds.items()), key=lambda t: -t.amount_vnd
    )
    saving = PlanReuse.objects.filter(plan=plan).aggregate(s=Sum("saving_vnd"))["s"] or 0
    return PlanTotals(
        total_vnd=overall["total"] or 0,
        line_count=overall["n"],
        by_phase=by_phase,
        by_site=by_site,
        by_kind=by_kind,
        saving_vnd=saving,
    )


#
# Funding
#


@dataclass(slots=True)
class FundingRow:
    """Planned, allocated, committed and spent money for one year, phase or site."""

    key: Any
    label: str
    planned_vnd: int = 0
    allocated_vnd: int | None = 0
    committed_vnd: int = 0
    spent_vnd: int = 0
    by_source: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FundingWarning:
    phase_id: int
    code: str  # "over_allocated", "over_committed", "overspent"
    message: str
    limit_vnd: int
    actual_vnd: int


@dataclass(frozen=True, slots=True)
class Funding:
    by_year: list[FundingRow]
    by_phase: list[FundingRow]
    by_site: list[FundingRow]
    warnings: list[FundingWarning]
    totals: FundingRow


def spread_over_years(amount: int, start: int, end: int) -> dict[int, int]:
    """Split an amount evenly over the years start..end; the remainder goes to the last year (exact)."""
    years = list(range(start, end + 1))
    share, remainder = divmod(amount, len(years))
    spread = dict.fromkeys(years, share)
    spread[years[-1]] += remainder
    return spread


def _threshold_percent() -> int:
    return int(getattr(settings, "INVESTMENTS_OVERRUN_THRESHOLD_PERCENT", 0))


def exceeds(actual: int, limit: int, *, threshold_percent: int | None = None) -> bool:
    """True when `actual` is above `limit` plus the tolerance (integer arithmetic, no rounding)."""
    pct = _threshold_percent() if threshold_percent is None else threshold_percent
    return actual * 100 > limit * (100 + pct)


def phase_warnings(*, phase: Phase, planned: int, allocated: int, committed: int, spent: int) -> list[FundingWarning]:
    pct = _threshold_percent()
    found = []
    checks = (
        (
            "over_allocated",
            allocated,
            planned,
            _("%(phase)s is over-allocated: %(actual)s allocated for %(limit)s planned."),
        ),
        ("over_committed", committed, allocated, _("%(phase)s has %(actual)s committed but only %(limit)s allocated.")),
        ("overspent", spent, allocated, _("%(phase)s is overspent: %(actual)s spent of %(limit)s allocated.")),
    )
    from common.templatetags.portal import format_vnd

    for code, actual, limit, message in checks:
        if actual and exceeds(actual, limit, threshold_percent=pct):
            found.append(
                FundingWarning(
                    phase.pk,
                    code,
                    message % {"phase": phase, "actual": format_vnd(actual), "limit": format_vnd(limit)},
                    limit,
                    actual,
                )
            )
    return found


def plan_funding(*, plan: InvestmentPlan) -> Funding:
    """Planned vs allocated vs committed vs spent per year, phase and site, with the warnings."""
    phases = list(plan.phases.all())
    planned_by_phase = dict(
        PlanLine.objects.filter(plan=plan, phase__isnull=False)
        .order_by()
        .values_list("phase")
        .annotate(s=Sum("amount_vnd"))
    )
    alloc_rows = list(
        Allocation.objects.filter(plan=plan).order_by().values("phase", "year", "source").annotate(s=Sum("amount_vnd"))
    )
    spend_rows = list(
        Spending.objects.filter(plan=plan)
        .order_by()
        .values("phase", "year", "site", "kind")
        .annotate(s=Sum("amount_vnd"))
    )

    years = {y: FundingRow(y, str(y)) for y in plan.years}
    for row in [*alloc_rows, *spend_rows]:
        years.setdefault(row["year"], FundingRow(row["year"], str(row["year"])))
    by_phase = {p.pk: FundingRow(p.pk, str(p)) for p in phases}

    for p in phases:
        planned = planned_by_phase.get(p.pk, 0)
        by_phase[p.pk].planned_vnd = planned
        for year, amount in spread_over_years(planned, p.start_year, p.end_year).items():
            years.setdefault(year, FundingRow(year, str(year))).planned_vnd += amount
    for row in alloc_rows:
        for target in (years[row["year"]], by_phase[row["phase"]]):
            target.allocated_vnd += row["s"]
            target.by_source[row["source"]] = target.by_source.get(row["source"], 0) + row["s"]
    site_rows: dict[int, FundingRow] = {}
    site_names = dict(PlanLine.objects.filter(plan=plan).order_by().values_list("site", "site__name").distinct())
    for site_id, amount in (
        PlanLine.objects.filter(plan=plan).order_by().values_list("site").annotate(s=Sum("amount_vnd"))
    ):
        site_rows[site_id] = FundingRow(site_id, site_names.get(site_id, ""), planned_vnd=amount, allocated_vnd=None)
    missing_sites = {r["site"] for r in spend_rows if r["site"] and r["site"] not in site_names}
    if missing_sites:
        from sites.models import Site

        site_names.update(Site.objects.filter(pk__in=missing_sites).values_list("pk", "name"))
    for row in spend_rows:
        attr = "committed_vnd" if row["kind"] == SpendingKind.COMMITMENT else "spent_vnd"
        targets = [years[row["year"]], by_phase[row["phase"]]]
        if row["site"]:
            targets.append(
                site_rows.setdefault(
                    row["site"], FundingRow(row["site"], site_names.get(row["site"], ""), allocated_vnd=None)
                )
            )
        for target in targets:
            setattr(target, attr, getattr(target, attr) + row["s"])

    warnings: list[FundingWarning] = []
    for p in phases:
        r = by_phase[p.pk]
        warnings += phase_warnings(
            phase=p, planned=r.planned_vnd, allocated=r.allocated_vnd or 0, committed=r.committed_vnd, spent=r.spent_vnd
        )
    totals = FundingRow("total", _("Total"))
    for r in by_phase.values():
        totals.planned_vnd += r.planned_vnd
        totals.allocated_vnd += r.allocated_vnd or 0
        totals.committed_vnd += r.committed_vnd
        totals.spent_vnd += r.spent_vnd
        for source, amount in r.by_source.items():
            totals.by_source[source] = totals.by_source.get(source, 0) + amount
    return Funding(
        by_year=[years[y] for y in sorted(years)],
        by_phase=[by_phase[p.pk] for p in phases],
        by_site=sorted(site_rows.values(), key=lambda r: r.label),
        warnings=warnings,
        totals=totals,
    )


def phases_funding(*, phase_ids: Iterable[int]) -> dict[int, FundingRow]:
    """
    Planned, allocated, committed and spent money of some phases (of any plans), keyed by phase id,
    in three queries whatever their number: what a site page needs for the phases of its lines.
    """
    ids = list(set(phase_ids))
    rows = {pk: FundingRow(pk, "") for pk in ids}
    if not ids:
        return rows
    for phase_id, amount in (
        PlanLine.objects.filter(phase_id__in=ids).order_by().values_list("phase").annotate(s=Sum("amount_vnd"))
    ):
        rows[phase_id].planned_vnd = amount
    for phase_id, amount in (
        Allocation.objects.filter(phase_id__in=ids).order_by().values_list("phase").annotate(s=Sum("amount_vnd"))
    ):
        rows[phase_id].allocated_vnd = amount
    for phase_id, kind, amount in (
        Spending.objects.filter(phase_id__in=ids).order_by().values_list("phase", "kind").annotate(s=Sum("amount_vnd"))
    ):
        attr = "committed_vnd" if kind == SpendingKind.COMMITMENT else "spent_vnd"
        setattr(rows[phase_id], attr, getattr(rows[phase_id], attr) + amount)
    return rows


def line_funding(*, line: PlanLine, phase_row: FundingRow | None) -> PhaseFunding:
    """A line's funding as the site page shows it: delivered, or how far its phase's plan is allocated."""
    if line.status == LineStatus.DELIVERED:
        return PhaseFunding.DELIVERED
    if phase_row is None:
        return PhaseFunding.UNPHASED
    allocated = phase_row.allocated_vnd or 0
    if not allocated:
        return PhaseFunding.UNFUNDED
    return PhaseFunding.PARTLY if allocated < phase_row.planned_vnd else PhaseFunding.FUNDED


def percent_of(part: int | None, whole: int | None) -> int:
    """`part` as a whole percentage of `whole`, rounded down and at most 100 (0 when `whole` is 0)."""
    return min(100, (part or 0) * 100 // whole) if whole else 0


def plan_charts(*, plan: InvestmentPlan, funding: Funding) -> dict[str, Any]:
    """Data for the charts on the plan page: allocation per year by source, phase progress, the roadmap."""
    delivered = dict(
        PlanLine.objects.filter(plan=plan, status=LineStatus.DELIVERED, phase__isnull=False)
        .order_by()
        .values_list("phase")
        .annotate(s=Sum("amount_vnd"))
    )
    phases = list(plan.phases.all())
    return {
        "years": [r.label for r in funding.by_year],
        "sources": [
            {"label": str(label), "data": [r.by_source.get(value, 0) for r in funding.by_year]}
            for value, label in FundingSource.choices
        ],
        "phases": [_("Phase %(number)s") % {"number": p.number} for p in phases],
        "progress": {
            "planned": [r.planned_vnd for r in funding.by_phase],
            "allocated": [r.allocated_vnd for r in funding.by_phase],
            "spent": [r.spent_vnd for r in funding.by_phase],
            "delivered": [delivered.get(p.pk, 0) for p in phases],
        },
        "roadmap": [{"label": str(p), "start": p.start_year, "end": p.end_year + 1} for p in phases],
        "span": [plan.start_year, plan.end_year + 1],
        "labels": {
            "planned": _("Planned"),
            "allocated": _("Allocated"),
            "spent": _("Spent"),
            "delivered": _("Delivered"),
        },
    }


#
# Revisions
#


def plan_snapshot(*, plan: InvestmentPlan) -> dict[str, Any]:
    """The plan's lines and total as plain data, for a revision."""
    rows = PlanLine.objects.filter(plan=plan).order_by("site__name", "item__name", "zone", "pk")
    lines = [
        {
            "site_id": r["site_id"],
            "site": r["site__name"],
            "item_id": r["item_id"],
            "item": r["item__name"],
            "zone": r["zone"],
            "phase": r["phase__number"],
            "quantity": r["quantity"],
            "unit_price_vnd": r["unit_price_vnd"],
            "amount_vnd": r["amount_vnd"],
        }
        for r in rows.values(
            "site_id",
            "site__name",
            "item_id",
            "item__name",
            "zone",
            "phase__number",
            "quantity",
            "unit_price_vnd",
            "amount_vnd",
        )
    ]
    allocations = [
        {
            "phase": r["phase__number"],
            "year": r["year"],
            "source": r["source"],
            "amount_vnd": r["amount_vnd"],
            "decision": r["decision"],
        }
        for r in Allocation.objects.filter(plan=plan)
        .order_by("year", "phase__number", "source")
        .values("phase__number", "year", "source", "amount_vnd", "decision")
    ]
    return {
        "lines": lines,
        "total_vnd": sum(line["amount_vnd"] for line in lines),
        "allocations": allocations,
        "allocated_vnd": sum(a["amount_vnd"] for a in allocations),
    }


class _Compared:
    """A row compared between two snapshots: `old` and `new` (None where it is missing)."""

    __slots__ = ()
    old: dict[str, Any] | None
    new: dict[str, Any] | None

    @property
    def change(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed"


@dataclass(frozen=True, slots=True)
class LineChange(_Compared):
    key: tuple[int, int, str]
    site: str
    item: str
    zone: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None

    @property
    def delta_vnd(self) -> int:
        return (self.new or {}).get("amount_vnd", 0) - (self.old or {}).get("amount_vnd", 0)


@dataclass(frozen=True, slots=True)
class AllocationChange(_Compared):
    """An allocation (phase, year, source) added, removed or changed between two snapshots."""

    phase: int
    year: int
    source: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None

    @property
    def source_display(self) -> str:
        return str(dict(FundingSource.choices).get(self.source, self.source))

    @property
    def delta_vnd(self) -> int:
        return (self.new or {}).get("amount_vnd", 0) - (self.old or {}).get("amount_vnd", 0)


@dataclass(frozen=True, slots=True)
class RevisionDiff:
    old_total_vnd: int
    new_total_vnd: int
    changes: list[LineChange]
    # None when the older snapshot was taken before revisions kept the allocations.
    allocation_changes: list[AllocationChange] | None = None
    old_allocated_vnd: int = 0
    new_allocated_vnd: int = 0

    @property
    def delta_vnd(self) -> int:
        return self.new_total_vnd - self.old_total_vnd

    @property
    def allocated_delta_vnd(self) -> int:
        return self.new_allocated_vnd - self.old_allocated_vnd


def _merge_lines(lines: list[dict[str, Any]]) -> dict[tuple[int, int, str], dict[str, Any]]:
    merged: dict[tuple[int, int, str], dict[str, Any]] = {}
    for line in lines:
        key = (line["site_id"], line["item_id"], line["zone"])
        if key in merged:
            row = merged[key]
            row["quantity"] += line["quantity"]
            row["amount_vnd"] += line["amount_vnd"]
        else:
            merged[key] = dict(line)
    return merged


def snapshot_compare(*, old: dict[str, Any], new: dict[str, Any]) -> RevisionDiff:
    """Lines added, removed and changed (quantity, price, phase) between two snapshots, keyed by site, item, zone."""
    before, after = _merge_lines(old.get("lines", [])), _merge_lines(new.get("lines", []))
    compared = ("quantity", "unit_price_vnd", "amount_vnd", "phase")
    changes = []
    for key in sorted(before.keys() | after.keys(), key=lambda k: ((before.get(k) or after[k])["site"], k)):
        a, b = before.get(key), after.get(key)
        if a is not None and b is not None and all(a[f] == b[f] for f in compared):
            continue
        ref = b or a
        changes.append(LineChange(key, ref["site"], ref["item"], ref["zone"], a, b))
    allocation_changes = None
    if "allocations" in old and "allocations" in new:
        allocation_changes = []
        first = {(a["phase"], a["year"], a["source"]): a for a in old["allocations"]}
        second = {(a["phase"], a["year"], a["source"]): a for a in new["allocations"]}
        for key in sorted(first.keys() | second.keys(), key=lambda k: (k[1], k[0] or 0, k[2])):
            a, b = first.get(key), second.get(key)
            if a is not None and b is not None and (a["amount_vnd"], a["decision"]) == (b["amount_vnd"], b["decision"]):
                continue
            allocation_changes.append(AllocationChange(key[0], key[1], key[2], a, b))
    return RevisionDiff(
        old.get("total_vnd", 0),
        new.get("total_vnd", 0),
        changes,
        allocation_changes,
        old.get("allocated_vnd", 0),
        new.get("allocated_vnd", 0),
    )


def revision_compare(*, old: PlanRevision, new: PlanRevision | None) -> RevisionDiff:
    """Compare two revisions; `new=None` compares with the plan as it stands now."""
    current = plan_snapshot(plan=old.plan) if new is None else new.snapshot
    return snapshot_compare(old=old.snapshot, new=current)
