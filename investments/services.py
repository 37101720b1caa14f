"""
Write-side logic for investment plans: generating lines from the equipment gap, editing lines
and phases under an optimistic lock, approval and revisions, allocations and spending with their
warnings, and delivery into the inventory.

Every change to a plan, its phases or its lines goes through `_plan_change`, which compares the
caller's `expected_version` with the stored one and bumps it in a single UPDATE (so two editors
can't both win), and opens a revision when the plan was approved.

Whatever changes the lines a site page shows, or their phase's funding, tells the open pages of the
sites concerned after commit (`_site_pages_changed`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError, ConflictError
from investments.choices import LineSource, LineStatus, PlanStatus
from investments.constants import EQUIPMENT_CAMERA_TYPES, SITE_SECTION
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
    StandardKit,
)
from investments.selectors import FundingWarning, plan_funding, plan_snapshot, prices_on
from sites.choices import EquipmentStatus
from sites.live import sites_section_changed
from sites.models import Equipment, Site

if TYPE_CHECKING:
    from accounts.models import User


#
# Catalogue
#


@transaction.atomic
def item_price_set(*, item: CatalogueItem, valid_from: date, price_vnd: int, source: str = "") -> ItemPrice:
    """Record the item's price from `valid_from` on; earlier prices stay as they were."""
    if price_vnd is None or int(price_vnd) < 0:
        raise ApplicationError(_("A price must be zero or more đồng."))
    price, _created = ItemPrice.objects.update_or_create(
        item=item, valid_from=valid_from, defaults={"price_vnd": int(price_vnd), "source": source}
    )
    return price


#
# The live site page
#


def _sites_with_lines(*, plan: InvestmentPlan | None = None, phase_ids: Iterable[int | None] = ()) -> set[int]:
    """The sites with lines in `plan` or in any of these phases (one query)."""
    lines = PlanLine.objects.order_by()
    if plan is not None:
        lines = lines.filter(plan=plan)
    else:
        ids = [pk for pk in phase_ids if pk]
        if not ids:
            return set()
        lines = lines.filter(phase_id__in=ids)
    return set(lines.values_list("site_id", flat=True).distinct())


def _site_pages_changed(site_ids: Iterable[int | None]) -> None:
    """The open pages of these sites fetch their planned-investment section again, after commit."""
    sites_section_changed(site_ids=site_ids, section=SITE_SECTION)


#
# Optimistic lock and revisions
#


def _plan_change(*, plan: InvestmentPlan, expected_version: int | None, user: User | None, reason: str = "") -> None:
    """
    Claim the next version of the plan or fail with a conflict. Changing an approved plan needs a
    reason and opens the next revision; later changes before approval add to it.
    """
    if expected_version is None:
        raise ApplicationError(_("The plan's version is missing; reload the page and try again."))
    claimed = InvestmentPlan.objects.filter(pk=plan.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    if not claimed:
        current = InvestmentPlan.objects.filter(pk=plan.pk).values_list("version", flat=True).first()
        raise ConflictError(
            _(
                "Someone else changed this plan while you were editing it (your version %(yours)s, now "
                "%(current)s). Reload the page, check their changes and apply yours again."
            )
            % {"yours": expected_version, "current": current},
            extra={"expected_version": expected_version, "current_version": current},
        )
    plan.version = expected_version + 1
    reason = reason.strip()
    if plan.status == PlanStatus.APPROVED:
        if not reason:
            raise ApplicationError(
                _("This plan is approved: give a reason for the change; it opens a new revision."),
                extra={"fields": {"reason": [_("A reason is required to change an approved plan.")]}},
            )
        number = (plan.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        PlanRevision.objects.create(plan=plan, number=number, reason=reason, created_by=user)
        plan.status = PlanStatus.REVISED
        InvestmentPlan.objects.filter(pk=plan.pk).update(status=plan.status)
        _site_pages_changed(_sites_with_lines(plan=plan))  # the plan's status shows there
    elif plan.status == PlanStatus.REVISED and reason:
        revision = plan.revisions.order_by("-number").first()
        if revision is not None and reason not in revision.reason:
            revision.reason = f"{revision.reason}\n{reason}".strip()
            revision.save(update_fields=["reason"])


def _plan_changed(*, plan: InvestmentPlan) -> None:
    """After a change: keep the open revision's snapshot in step with the plan."""
    if plan.status != PlanStatus.REVISED:
        return
    revision = plan.revisions.filter(approved_at__isnull=True).order_by("-number").first()
    if revision is not None:
        snapshot = plan_snapshot(plan=plan)
        revision.snapshot, revision.total_vnd = snapshot, snapshot["total_vnd"]
        revision.save(update_fields=["snapshot", "total_vnd"])


#
# Plans and phases
#


@transaction.atomic
def plan_create(*, plan: InvestmentPlan, user: User | None = None) -> InvestmentPlan:
    plan.status, plan.version = PlanStatus.DRAFT, 1
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def plan_update(
    *, plan: InvestmentPlan, expected_version: int | None, user: User | None, reason: str = "", **fields: Any
) -> InvestmentPlan:
    """Change the plan's own fields (title, years, price date…)."""
    _plan_change(plan=plan, expected_version=expected_version, user=user, reason=reason)
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.full_clean()
    plan.save()
    _plan_changed(plan=plan)
    _site_pages_changed(_sites_with_lines(plan=plan))  # its title, years and status show there
    return plan


@transaction.atomic
def phase_save(*, phase: Phase, expected_version: int | None, user: User | None, reason: str = "") -> Phase:
    _plan_change(plan=phase.plan, expected_version=expected_version, user=user, reason=reason)
    phase.full_clean()
    phase.save()
    _plan_changed(plan=phase.plan)  # snapshots name each line's phase by number
    _site_pages_changed(_sites_with_lines(phase_ids=[phase.pk]))
    return phase


@transaction.atomic
def phase_delete(*, phase: Phase, expected_version: int | None, user: User | None, reason: str = "") -> None:
    if phase.allocations.exists() or phase.spending.exists():
        raise ApplicationError(_("This phase has allocations or spending records; remove them first."))
    plan = phase.plan
    _plan_change(plan=plan, expected_version=expected_version, user=user, reason=reason)
    _site_pages_changed(_sites_with_lines(phase_ids=[phase.pk]))  # their lines leave the phase
    phase.delete()
    _plan_changed(plan=plan)


#
# Lines
#


def _check_line(*, plan: InvestmentPlan, quantity: Any, unit_price_vnd: Any, phase: Phase | None) -> None:
    if quantity is None or int(quantity) < 1:
        raise ApplicationError(
            _("The quantity must be a whole number of at least 1."), extra={"fields": {"quantity": ["min 1"]}}
        )
    if unit_price_vnd is not None and int(unit_price_vnd) < 0:
        raise ApplicationError(_("A price must be zero or more đồng."), extra={"fields": {"unit_price_vnd": ["min 0"]}})
    if phase is not None and phase.plan_id != plan.pk:
        raise ApplicationError(_("The phase belongs to another plan."), extra={"fields": {"phase": ["other plan"]}})


def _price_or_fail(*, item: CatalogueItem, on: date) -> int:
    price = prices_on(item_ids=[item.pk], on=on).get(item.pk)
    if price is None:
        raise ApplicationError(
            _("%(item)s has no price on %(day)s; add one to the catalogue or enter the unit price.")
            % {"item": item, "day": on.strftime("%d/%m/%Y")},
            extra={"fields": {"unit_price_vnd": ["missing"]}},
        )
    return price


@transaction.atomic
def line_create(
    *,
    plan: InvestmentPlan,
    expected_version: int | None,
    user: User | None,
    site: Site,
    item: CatalogueItem,
    quantity: int,
    unit_price_vnd: int | None = None,
    phase: Phase | None = None,
    zone: str = "",
    note: str = "",
    reason: str = "",
) -> PlanLine:
    """Add a line; without a unit price it takes the catalogue price on the plan's price date."""
    _check_line(plan=plan, quantity=quantity, unit_price_vnd=unit_price_vnd, phase=phase)
    if unit_price_vnd is None:
        unit_price_vnd = _price_or_fail(item=item, on=plan.price_date)
    _plan_change(plan=plan, expected_version=expected_version, user=user, reason=reason)
    line = PlanLine(
        plan=plan,
        site=site,
        item=item,
        quantity=int(quantity),
        unit_price_vnd=int(unit_price_vnd),
        phase=phase,
        zone=zone,
        note=note,
        source=LineSource.MANUAL,
    )
    line.full_clean(exclude=["amount_vnd"])
    line.save()
    _plan_changed(plan=plan)
    # The phase's planned amount changed: every site in it shows how far the phase is funded.
    _site_pages_changed({site.pk} | _sites_with_lines(phase_ids=[line.phase_id]))
    return line


EDITABLE_LINE_FIELDS = ("site", "item", "quantity", "unit_price_vnd", "phase", "zone", "note")


@transaction.atomic
def line_update(
    *, line: PlanLine, expected_version: int | None, user: User | None, reason: str = "", **fields: Any
) -> PlanLine:
    if line.status == LineStatus.DELIVERED:
        raise ApplicationError(_("A delivered line cannot be changed."))
    unknown = set(fields) - set(EDITABLE_LINE_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = (line.site_id, line.phase_id)
    for name, value in fields.items():
        setattr(line, name, value)
    _check_line(plan=line.plan, quantity=line.quantity, unit_price_vnd=line.unit_price_vnd, phase=line.phase)
    _plan_change(plan=line.plan, expected_version=expected_version, user=user, reason=reason)
    line.full_clean(exclude=["amount_vnd"])
    line.save()
    _plan_changed(plan=line.plan)
    _site_pages_changed(
        {before[0], line.site_id} | _sites_with_lines(phase_ids=[before[1], line.phase_id]),
    )
    return line


@transaction.atomic
def line_delete(*, line: PlanLine, expected_version: int | None, user: User | None, reason: str = "") -> None:
    if line.status == LineStatus.DELIVERED:
        raise ApplicationError(_("A delivered line cannot be deleted."))
    plan, site_id, phase_id = line.plan, line.site_id, line.phase_id
    _plan_change(plan=plan, expected_version=expected_version, user=user, reason=reason)
    line.delete()
    _plan_changed(plan=plan)
    _site_pages_changed({site_id} | _sites_with_lines(phase_ids=[phase_id]))


@transaction.atomic
def lines_assign_phase(
    *,
    plan: InvestmentPlan,
    expected_version: int | None,
    user: User | None,
    phase: Phase | None,
    site_ids: Iterable[int] | None = None,
    line_ids: Iterable[int] | None = None,
    reason: str = "",
) -> int:
    """Put the plan's lines of some sites (or some lines) into a phase (None: out of any phase)."""
    if phase is not None and phase.plan_id != plan.pk:
        raise ApplicationError(_("The phase belongs to another plan."))
    _plan_change(plan=plan, expected_version=expected_version, user=user, reason=reason)
    lines = PlanLine.objects.filter(plan=plan)
    if site_ids is not None:
        lines = lines.filter(site_id__in=list(site_ids))
    if line_ids is not None:
        lines = lines.filter(pk__in=list(line_ids))
    count = lines.update(phase=phase)
    _plan_changed(plan=plan)
    _site_pages_changed(_sites_with_lines(plan=plan))  # phases' planned amounts moved with the lines
    return count


#
# Generate from the gap
#


@dataclass(slots=True)
class GapResult:
    """What `plan_generate_from_gap` did."""

    sites: int = 0  # sites that got a line or kept equipment
    lines_created: int = 0
    reuses_created: int = 0
    total_vnd: int = 0
    saving_vnd: int = 0
    cameras_checked: bool = False
    warnings: list[str] = field(default_factory=list)


def _kits_by_site_class() -> dict[tuple[str, bool], list[tuple[CatalogueItem, int]]]:
    """(site kind, key sites only) → [(item, quantity)] over every active kit; two queries."""
    kits: dict[tuple[str, bool], list[tuple[CatalogueItem, int]]] = defaultdict(list)
    for kit in StandardKit.objects.filter(is_active=True).prefetch_related("lines__item"):
        for line in kit.lines.all():
            kits[(kit.site_kind, kit.key_sites_only)].append((line.item, line.quantity))
    return kits


def _required_for(
    site_kind: str, is_key: bool, kits: dict[tuple[str, bool], list[tuple[CatalogueItem, int]]]
) -> dict[int, tuple[CatalogueItem, int]]:
    required: dict[int, tuple[CatalogueItem, int]] = {}
    applicable = [(site_kind, False), ("", False)] + ([(site_kind, True), ("", True)] if is_key else [])
    for item, quantity in [pair for key in applicable for pair in kits.get(key, [])]:
        _known, before = required.get(item.pk, (item, 0))
        required[item.pk] = (item, before + quantity)
    return required


def _camera_type_of(item: CatalogueItem) -> str:
    """The cameras app's camera type that an item is (a camera item) or stands for (a 360° camera kind)."""
    return item.camera_type or EQUIPMENT_CAMERA_TYPES.get(item.equipment_kind, "")


def _installed_cameras(site_ids: list[int]) -> dict[tuple[int, str], int]:
    """Cameras in service per (site, camera type), from the cameras app (empty without it); one query."""
    try:
        from cameras.choices import CameraStatus
        from cameras.models import Camera
    except ImportError:
        return {}
    rows = (
        Camera.objects.filter(site_id__in=site_ids, status=CameraStatus.IN_SERVICE)
        .order_by()
        .values("site_id", "camera_type")
        .annotate(n=Count("id"))
    )
    return {(row["site_id"], row["camera_type"]): row["n"] for row in rows}


def _camera_gaps(site_ids: list[int]) -> list[Any] | None:
    """The cameras app's coverage gaps for these sites, or None when the app doesn't provide them."""
    try:
        from cameras.selectors import coverage_gaps
    except ImportError:
        return None
    return list(coverage_gaps(site_ids=site_ids))


@transaction.atomic
def plan_generate_from_gap(
    *,
    plan: InvestmentPlan,
    expected_version: int | None,
    user: User | None,
    sites: Iterable[Site] | None = None,
    phase: Phase | None = None,
    reason: str = "",
) -> GapResult:
    """
    For each site: the standard kits for its class minus what is usable there already (working and
    reusable equipment of the item's kind; for camera items, the cameras of that type in service)
    become line items at the catalogue price on the plan's price date; what is kept is listed as
    reused with its saving. The cameras app's coverage gaps then become camera lines for what the
    kit's cameras of the same type do not fill: each need is counted once. Every generated line keeps
    its reasoning in `basis`. Generated lines (not hand-entered or delivered ones) of these sites are
    replaced, and keep their phase. A fixed number of queries, whatever the number of sites.
    """
    if phase is not None and phase.plan_id != plan.pk:
        raise ApplicationError(_("The phase belongs to another plan."))
    kits = _kits_by_site_class()
    # Every selected site is looked at: a site that no kit applies to may still have camera gaps.
    site_qs = Site.objects.all()
    if sites is not None:
        site_qs = site_qs.filter(pk__in=[s.pk for s in sites])
    site_rows = list(site_qs.order_by("name").values_list("pk", "kind", "is_key_site"))
    site_ids = [pk for pk, _kind, _key in site_rows]
    result = GapResult()

    # Usable equipment per (site, kind), in one aggregate query.
    kinds = {item.equipment_kind for lines in kits.values() for item, _q in lines if item.equipment_kind}
    usable: dict[tuple[int, str], int] = {
        (row["site_id"], row["kind"]): row["n"]
        for row in Equipment.objects.filter(
            site__in=site_qs, kind__in=kinds, status=EquipmentStatus.WORKING, is_reusable=True
        )
        .order_by()
        .values("site_id", "kind")
        .annotate(n=Count("id"))
    }
    kit_camera_types = {_camera_type_of(item) for lines in kits.values() for item, _q in lines} - {""}
    installed = _installed_cameras(site_ids) if site_ids and kit_camera_types else {}

    gaps = _camera_gaps(site_ids) if site_ids else []
    result.cameras_checked = gaps is not None
    camera_items: dict[str, CatalogueItem] = {}
    if gaps:
        for item in CatalogueItem.objects.filter(is_active=True).exclude(camera_type="").order_by("-pk"):
            camera_items[item.camera_type] = item

    item_ids = {item.pk for lines in kits.values() for item, _q in lines} | {i.pk for i in camera_items.values()}
    prices = prices_on(item_ids=item_ids, on=plan.price_date)

    new_lines: list[PlanLine] = []
    reuses: list[PlanReuse] = []
    unpriced: set[str] = set()
    # Cameras that kit lines buy, per (site, camera type): [line, how many are not yet given to a gap].
    kit_cameras: dict[tuple[int, str], list[list[Any]]] = defaultdict(list)
    for site_id, kind, is_key in site_rows:
        # What is usable, per pool: equipment of a kind, or cameras of a type (with 360° equipment).
        left: dict[str, list[int]] = {}
        for item_id, (item, quantity) in sorted(_required_for(kind, is_key, kits).items()):
            price = prices.get(item_id)
            if price is None:
                unpriced.add(item.name)
                continue
            camera_type = _camera_type_of(item)
            pool = left.setdefault(
                f"camera:{camera_type}" if camera_type else item.equipment_kind,
                [
                    usable.get((site_id, item.equipment_kind), 0) if item.equipment_kind else 0,
                    installed.get((site_id, camera_type), 0) if camera_type else 0,
                ],
            )
            from_equipment = min(quantity, pool[0])
            from_cameras = min(quantity - from_equipment, pool[1])
            pool[0] -= from_equipment
            pool[1] -= from_cameras
            kept = from_equipment + from_cameras
            if kept:
                reuses.append(
                    PlanReuse(
                        plan=plan,
                        site_id=site_id,
                        item=item,
                        quantity=kept,
                        unit_price_vnd=price,
                        saving_vnd=kept * price,
                    )
                )
            if quantity > kept:
                line = PlanLine(
                    plan=plan,
                    site_id=site_id,
                    item=item,
                    quantity=quantity - kept,
                    unit_price_vnd=price,
                    amount_vnd=(quantity - kept) * price,
                    source=LineSource.GAP,
                    phase=phase,
                    basis={"required": quantity, "usable": kept, "cameras": from_cameras, "covers": []},
                )
                new_lines.append(line)
                if camera_type:
                    kit_cameras[(site_id, camera_type)].append([line, quantity - kept])
    for gap in gaps or []:
        if gap.quantity < 1:
            continue
        # The kit's cameras of the zone's preferred type go there first.
        from_kit = 0
        for entry in kit_cameras.get((gap.site_id, gap.camera_type), []):
            given = min(entry[1], gap.quantity - from_kit)
            if given:
                entry[1] -= given
                from_kit += given
                entry[0].basis["covers"].append({"zone": gap.zone, "quantity": given})
        missing = gap.quantity - from_kit
        if missing < 1:
            continue
        item = camera_items.get(gap.camera_type)
        if item is None:
            result.warnings.append(
                _("No catalogue item for camera type “%(type)s”; %(n)s camera(s) left out.")
                % {"type": gap.camera_type, "n": missing}
            )
            continue
        price = prices.get(item.pk)
        if price is None:
            unpriced.add(item.name)
            continue
        new_lines.append(
            PlanLine(
                plan=plan,
                site_id=gap.site_id,
                item=item,
                quantity=missing,
                unit_price_vnd=price,
                amount_vnd=missing * price,
                source=LineSource.CAMERA_GAP,
                zone=gap.zone[:100],
                phase=phase,
                basis={"zone": gap.zone, "missing": gap.quantity, "reason": gap.reason, "from_kit": from_kit},
            )
        )
    if unpriced:
        raise ApplicationError(
            _("These items have no price on %(day)s: %(items)s. Add their prices to the catalogue first.")
            % {"day": plan.price_date.strftime("%d/%m/%Y"), "items": ", ".join(sorted(unpriced))},
            extra={"items": sorted(unpriced)},
        )

    _plan_change(plan=plan, expected_version=expected_version, user=user, reason=reason)
    had_lines = _sites_with_lines(plan=plan)
    generated = PlanLine.objects.filter(
        plan=plan,
        site__in=site_qs,
        source__in=(LineSource.GAP, LineSource.CAMERA_GAP),
        status=LineStatus.PLANNED,
    )
    if phase is None:
        # Regenerating keeps each site's phase.
        site_phase = dict(generated.filter(phase__isnull=False).order_by().values_list("site_id", "phase_id"))
        for line in new_lines:
            line.phase_id = site_phase.get(line.site_id)
    generated.delete()
    PlanReuse.objects.filter(plan=plan, site__in=site_qs).delete()
    PlanLine.objects.bulk_create(new_lines, batch_size=2000)
    PlanReuse.objects.bulk_create(reuses, batch_size=2000)
    _plan_changed(plan=plan)
    _site_pages_changed(had_lines | _sites_with_lines(plan=plan))

    result.sites = len({line.site_id for line in new_lines} | {reuse.site_id for reuse in reuses})
    result.lines_created, result.reuses_created = len(new_lines), len(reuses)
    result.total_vnd = sum(line.amount_vnd for line in new_lines)
    result.saving_vnd = sum(r.saving_vnd for r in reuses)
    return result


#
# Approval
#


def _plan_to_approve_url(plan: InvestmentPlan) -> str:
    return plan.get_absolute_url()


@transaction.atomic
def plan_submit(*, plan: InvestmentPlan, expected_version: int | None, user: User) -> InvestmentPlan:
    """
    Submit the plan (a draft, or an approved plan's open revision) to the leaders for approval
    (trình phê duyệt): each leader is notified, and the notification is answered when one decides.
    """
    from accounts.roles import Role
    from notifications.choices import NotificationKind
    from notifications.selectors import notification_recipients
    from notifications.services import notify

    plan = InvestmentPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == PlanStatus.APPROVED:
        raise ApplicationError(_("This plan is already approved; change it to open a new revision."))
    if plan.submitted_at is not None:
        raise ApplicationError(_("This plan is already waiting for approval."))
    if expected_version != plan.version:
        raise ConflictError(
            _("Someone else changed this plan while you were looking at it. Reload the page and check it again."),
            extra={"expected_version": expected_version, "current_version": plan.version},
        )
    if not plan.lines.exists():
        raise ApplicationError(_("A plan without line items cannot be approved."))
    plan.submitted_at, plan.submitted_by = timezone.now(), user
    plan.save(update_fields=["submitted_at", "submitted_by"])
    total = plan_snapshot(plan=plan)["total_vnd"]
    from common.templatetags.portal import format_vnd

    leaders = notification_recipients(roles=[Role.LEADER]).exclude(pk=user.pk)
    notify(
        recipients=leaders,
        kind=NotificationKind.PLAN_TO_APPROVE,
        title=_("Investment plan “%(plan)s” awaits your approval") % {"plan": plan.title},
        body=_("Version %(version)s, total estimate %(total)s, submitted by %(user)s.")
        % {"version": plan.version, "total": format_vnd(total), "user": user.get_full_name() or user.username},
        url=_plan_to_approve_url(plan),
    )
    return plan


def _funding_warnings(plan: InvestmentPlan) -> list[FundingWarning]:
    return plan_funding(plan=plan).warnings


@transaction.atomic
def plan_approve(
    *,
    plan: InvestmentPlan,
    expected_version: int | None,
    user: User,
    decision_number: str,
    decision_date: date | None,
    comment: str = "",
    overrun_acknowledged: bool = False,
    note: str = "",
) -> PlanRevision:
    """
    A leader approves the plan as it stands, by a decision (số quyết định, ngày), with an optional
    comment; the state is kept as a numbered revision with the decision. When the plan's funding shows
    overrun warnings, the leader must acknowledge them explicitly; their messages are kept with the
    revision. The leaders' "plan to approve" notifications are answered.
    """
    from notifications.choices import NotificationKind
    from notifications.services import notification_mark_done

    if plan.status == PlanStatus.APPROVED:
        raise ApplicationError(_("This plan is already approved; change it to open a new revision."))
    if not plan.lines.exists():
        raise ApplicationError(_("A plan without line items cannot be approved."))
    decision_number = (decision_number or "").strip()
    errors: dict[str, list[str]] = {}
    if not decision_number:
        errors["decision_number"] = [_("Enter the number of the approving decision.")]
    if decision_date is None:
        errors["decision_date"] = [_("Enter the date of the approving decision.")]
    elif decision_date > timezone.localdate():
        errors["decision_date"] = [_("The decision cannot be dated in the future.")]
    warnings = _funding_warnings(plan)
    if warnings and not overrun_acknowledged:
        errors["acknowledge_overrun"] = [_("Acknowledge the funding warnings to approve the plan with them.")]
    if errors:
        raise ApplicationError(" ".join(m for messages in errors.values() for m in messages), extra={"fields": errors})
    _plan_change(plan=plan, expected_version=expected_version, user=user)
    snapshot = plan_snapshot(plan=plan)
    revision = plan.revisions.filter(approved_at__isnull=True).order_by("-number").first()
    if revision is None:
        number = (plan.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        revision = PlanRevision(plan=plan, number=number, reason=note or _("First approval"), created_by=user)
    elif note:
        revision.reason = f"{revision.reason}\n{note}".strip()
    revision.snapshot, revision.total_vnd = snapshot, snapshot["total_vnd"]
    revision.approved_at, revision.approved_by = timezone.now(), user
    revision.decision_number, revision.decision_date = decision_number[:120], decision_date
    revision.approval_comment = comment.strip()
    revision.overrun_warnings = [w.message for w in warnings]
    revision.save()
    plan.status, plan.submitted_at, plan.submitted_by = PlanStatus.APPROVED, None, None
    InvestmentPlan.objects.filter(pk=plan.pk).update(status=plan.status, submitted_at=None, submitted_by=None)
    notification_mark_done(kind=NotificationKind.PLAN_TO_APPROVE, url=_plan_to_approve_url(plan))
    _site_pages_changed(_sites_with_lines(plan=plan))  # the plan's status shows there
    return revision


#
# Allocations and spending
#


def _blocks() -> bool:
    return bool(getattr(settings, "INVESTMENTS_OVERRUN_BLOCKS", False))


def _warnings_for_phase(*, plan: InvestmentPlan, phase: Phase) -> list[FundingWarning]:
    return [w for w in plan_funding(plan=plan).warnings if w.phase_id == phase.pk]


def _check_funding(*, plan: InvestmentPlan, phase: Phase, before: list[FundingWarning]) -> list[FundingWarning]:
    """Warnings the change caused; with INVESTMENTS_OVERRUN_BLOCKS they undo it instead."""
    after = _warnings_for_phase(plan=plan, phase=phase)
    # Only a warning the change made worse counts: lowering an overrun must stay possible.
    known = {w.code: w.actual_vnd for w in before}
    new = [w for w in after if w.actual_vnd > known.get(w.code, -1)]
    if new and _blocks():
        raise ApplicationError(" ".join(w.message for w in new), extra={"warnings": [w.code for w in new]})
    return after


def _check_money(*, plan: InvestmentPlan, phase: Phase, year: int, amount_vnd: Any) -> None:
    if amount_vnd is None or int(amount_vnd) < 0:
        raise ApplicationError(_("An amount must be zero or more đồng."), extra={"fields": {"amount_vnd": ["min 0"]}})
    if phase.plan_id != plan.pk:
        raise ApplicationError(_("The phase belongs to another plan."), extra={"fields": {"phase": ["other plan"]}})
    if not plan.start_year <= int(year) <= plan.end_year + 1:
        raise ApplicationError(
            _("The year must be within the plan's years (%(start)s–%(end)s).")
            % {"start": plan.start_year, "end": plan.end_year},
            extra={"fields": {"year": ["out of range"]}},
        )


def _plan_version_now(plan: InvestmentPlan) -> int:
    """The stored version, for callers that hold no version of their own (the demo loader, old API clients)."""
    return InvestmentPlan.objects.filter(pk=plan.pk).values_list("version", flat=True).get()


@transaction.atomic
def allocation_save(
    *,
    allocation: Allocation,
    user: User | None = None,
    expected_version: int | None = None,
    reason: str = "",
) -> tuple[Allocation, list[FundingWarning]]:
    """
    Record or change an allocation; returns the phase's warnings (or refuses, if they block). It is a
    change to the plan: it claims the plan's next version (`expected_version`, the one the editor
    read, when given), and on an approved plan it needs a reason and opens a revision that keeps the
    approved figures, like a change to the lines.
    """
    plan, phase = allocation.plan, allocation.phase
    _check_money(plan=plan, phase=phase, year=allocation.year, amount_vnd=allocation.amount_vnd)
    before = _warnings_for_phase(plan=plan, phase=phase)
    earlier_phase = (
        Allocation.objects.filter(pk=allocation.pk).values_list("phase_id", flat=True).first()
        if allocation.pk
        else None
    )
    allocation.full_clean()
    version = _plan_version_now(plan) if expected_version is None else expected_version
    _plan_change(plan=plan, expected_version=version, user=user, reason=reason)
    allocation.save()
    _plan_changed(plan=plan)
    warnings = _check_funding(plan=plan, phase=phase, before=before)
    _site_pages_changed(_sites_with_lines(phase_ids=[phase.pk, earlier_phase]))
    return allocation, warnings


@transaction.atomic
def allocation_delete(
    *, allocation: Allocation, user: User | None, expected_version: int | None = None, reason: str = ""
) -> None:
    """Remove an allocation: a change to the plan, like `allocation_save`."""
    plan, phase_id = allocation.plan, allocation.phase_id
    version = _plan_version_now(plan) if expected_version is None else expected_version
    _plan_change(plan=plan, expected_version=version, user=user, reason=reason)
    allocation.delete()
    _plan_changed(plan=plan)
    _site_pages_changed(_sites_with_lines(phase_ids=[phase_id]))


@transaction.atomic
def spending_save(*, spending: Spending, user: User | None = None) -> tuple[Spending, list[FundingWarning]]:
    """Record a commitment or a payment; returns the phase's warnings (or refuses, if they block)."""
    plan, phase = spending.plan, spending.phase
    _check_money(plan=plan, phase=phase, year=spending.year, amount_vnd=spending.amount_vnd)
    before = _warnings_for_phase(plan=plan, phase=phase)
    earlier_phase = (
        Spending.objects.filter(pk=spending.pk).values_list("phase_id", flat=True).first() if spending.pk else None
    )
    spending.full_clean()
    spending.save()
    warnings = _check_funding(plan=plan, phase=phase, before=before)
    _site_pages_changed(_sites_with_lines(phase_ids=[phase.pk, earlier_phase]))
    return spending, warnings


#
# Delivery
#


@transaction.atomic
def line_deliver(*, line: PlanLine, user: User | None, delivered_on: date | None = None) -> list[dict[str, Any]]:
    """
    The line's goods arrived: create one equipment record (with a generated asset tag) or one camera
    record per unit at the line's site, and mark the line delivered. Runs once per line.
    """
    line = PlanLine.objects.select_for_update().select_related("item", "site", "plan").get(pk=line.pk)
    if line.status == LineStatus.DELIVERED:
        raise ApplicationError(
            _("This line was already delivered on %(day)s.") % {"day": f"{line.delivered_on:%d/%m/%Y}"}
        )
    delivered_on = delivered_on or timezone.localdate()
    item, records = line.item, []
    note = _("Delivered under “%(plan)s”, line %(line)s.") % {"plan": line.plan, "line": line.pk}
    if item.equipment_kind:
        from simple_history.utils import bulk_create_with_history

        equipment = [
            Equipment(
                code=f"dt-{line.plan_id}-{line.pk}-{n:03d}",
                site=line.site,
                kind=item.equipment_kind,
                model=item.name[:120],
                status=EquipmentStatus.WORKING,
                purchase_date=delivered_on,
                cost_vnd=line.unit_price_vnd,
                is_reusable=True,
                notes=note,
            )
            for n in range(1, line.quantity + 1)
        ]
        created = bulk_create_with_history(equipment, Equipment, default_user=user)
        codes = [e.code for e in equipment]
        ids = dict(Equipment.objects.filter(code__in=codes).values_list("code", "pk")) if created else {}
        records = [{"type": "equipment", "id": ids.get(code), "label": code} for code in codes]
    else:
        from cameras.services import camera_create

        for _n in range(line.quantity):
            camera = camera_create(
                site=line.site,
                camera_type=item.camera_type,
                model=item.name[:120],
                cost_vnd=line.unit_price_vnd,
                install_date=delivered_on,
                zone=line.zone,
            )
            records.append({"type": "camera", "id": camera.pk, "label": str(camera)})
    line.status, line.delivered_on, line.delivered_records = LineStatus.DELIVERED, delivered_on, records
    line.save(update_fields=["status", "delivered_on", "delivered_records"])
    _site_pages_changed([line.site_id])
    return records
