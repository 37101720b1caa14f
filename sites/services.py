"""Write-side logic for units and sites: effective-dated changes and merges."""

from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError
from sites.choices import UnitKind
from sites.models import AdministrativeUnit, AdministrativeUnitVersion, Site, SiteUnitAssignment

EPOCH = date(1900, 1, 1)

# Called inside the merge's transaction as handler(sources=[absorbed units], target=unit, effective=date):
# each app moves its own open work (tasks, users) to the successor; `sites` imports no app.
MergeHandler = Callable[..., None]
_MERGE_HANDLERS: dict[str, MergeHandler] = {}


def register_merge_handler(key: str, handler: MergeHandler) -> MergeHandler:
    """Let an app move its open work when units merge (registering a key again replaces it)."""
    _MERGE_HANDLERS[key] = handler
    return handler


def _today() -> date:
    return timezone.localdate()


def _open_version(unit: AdministrativeUnit) -> AdministrativeUnitVersion | None:
    return unit.versions.filter(valid_to__isnull=True).order_by("-valid_from").first()


def unit_record_version(
    *, unit: AdministrativeUnit, effective: date | None = None, reason: str = ""
) -> AdministrativeUnitVersion:
    """
    Make the unit's version history agree with its current name and parent: if they differ from the
    version in force, close it the day before `effective` and open a new one. Idempotent.
    """
    effective = effective or _today()
    current = _open_version(unit)
    if current and current.name == unit.name and current.parent_id == unit.parent_id:
        return current
    if current is None:
        start = unit.established_on or EPOCH
        return AdministrativeUnitVersion.objects.create(
            unit=unit, name=unit.name, parent_id=unit.parent_id, valid_from=start, reason=reason
        )
    if effective <= current.valid_from:
        # A correction on the day the version started: amend it rather than make an empty period.
        current.name, current.parent_id = unit.name, unit.parent_id
        current.save(update_fields=["name", "parent"])
        return current
    current.valid_to = effective
    current.save(update_fields=["valid_to"])
    return AdministrativeUnitVersion.objects.create(
        unit=unit, name=unit.name, parent_id=unit.parent_id, valid_from=effective, reason=reason
    )


def _check_no_cycle(unit: AdministrativeUnit) -> None:
    seen, current = {unit.pk}, unit.parent
    while current is not None:
        if current.pk in seen:
            raise ApplicationError(_("A unit cannot be placed under one of its own descendants."))
        seen.add(current.pk)
        current = current.parent


@transaction.atomic
def unit_save(*, unit: AdministrativeUnit, effective: date | None = None, reason: str = "") -> AdministrativeUnit:
    """Create or update a unit and keep its dated history."""
    if unit.pk:
        _check_no_cycle(unit)
    unit.full_clean()
    unit.save()
    unit_record_version(unit=unit, effective=effective, reason=reason)
    return unit


@transaction.atomic
def site_save(*, site: Site, effective: date | None = None) -> Site:
    """Create or update a site and keep the history of which unit it belongs to."""
    site.full_clean()
    site.save()
    site_record_unit(site=site, effective=effective or _today())
    return site


def site_record_unit(*, site: Site, effective: date) -> None:
    current = site.unit_assignments.filter(valid_to__isnull=True).order_by("-valid_from").first()
    if current and current.unit_id == site.unit_id:
        return
    if current is None:
        SiteUnitAssignment.objects.create(site=site, unit_id=site.unit_id, valid_from=EPOCH)
        return
    if effective <= current.valid_from:
        current.unit_id = site.unit_id
        current.save(update_fields=["unit"])
        return
    current.valid_to = effective
    current.save(update_fields=["valid_to"])
    SiteUnitAssignment.objects.create(site=site, unit_id=site.unit_id, valid_from=effective)


@transaction.atomic
def unit_merge(
    *,
    sources: list[AdministrativeUnit],
    code: str,
    name: str,
    kind: str = UnitKind.COMMUNE,
    parent: AdministrativeUnit | None = None,
    effective: date,
    terrain: str = "",
) -> AdministrativeUnit:
    """
    Units A and B become C from `effective` (sáp nhập). C is created (or reused when `code` is one of
    the sources, as when a commune absorbs its neighbour). Every source other than C is dissolved on
    that date and points to C; their sites and child units move to C from that date. Versions and site
    assignments before the date are left alone, so a past date still shows the old names. Open work
    that hangs on a unit (open tasks, the units' users) moves to C through the handlers the apps
    registered (`register_merge_handler`); closed work keeps the old unit and its name of that date.
    """
    if len(sources) < 2:
        raise ApplicationError(_("A merge needs at least two units."))
    if effective <= max(s.established_on for s in sources):
        raise ApplicationError(_("The merge date must be after the units were established."))
    for source in sources:
        if source.dissolved_on is not None:
            raise ApplicationError(
                _("%(unit)s was already dissolved on %(day)s.")
                % {"unit": source.name, "day": source.dissolved_on.strftime("%d/%m/%Y")}
            )
    parent = parent if parent is not None else sources[0].parent
    target = next((s for s in sources if s.code == code), None)
    if target is None:
        if AdministrativeUnit.objects.filter(code=code).exists():
            raise ApplicationError(_("The code %(code)s is already used by another unit.") % {"code": code})
        target = AdministrativeUnit(
            code=code, name=name, kind=kind, parent=parent, established_on=effective, terrain=terrain
        )
        unit_save(unit=target, effective=effective, reason=_("Created by merger"))
    else:
        target.name, target.kind, target.parent = name, kind, parent
        target.terrain = terrain or target.terrain
        unit_save(unit=target, effective=effective, reason=_("Merger"))

    absorbed = [s for s in sources if s.pk != target.pk]
    for source in absorbed:
        version = _open_version(source)
        if version is not None:
            version.valid_to = effective
            version.save(update_fields=["valid_to"])
        source.dissolved_on, source.merged_into = effective, target
        source.save(update_fields=["dissolved_on", "merged_into", "updated_at"])
        for child in AdministrativeUnit.objects.filter(parent=source):
            child.parent = target
            unit_save(unit=child, effective=effective, reason=_("Parent merged"))
        for site in Site.objects.filter(unit=source):
            site.unit = target
            site.save(update_fields=["unit", "updated_at"])
            site_record_unit(site=site, effective=effective)
    if absorbed:
        for key in sorted(_MERGE_HANDLERS):
            _MERGE_HANDLERS[key](sources=absorbed, target=target, effective=effective)
    return target


def unit_check_deletable(*, unit: AdministrativeUnit) -> None:
    """A unit with sub-units or sites cannot be deleted; say which."""
    children, sites = unit.children.count(), unit.sites.count()
    if children or sites:
        raise ApplicationError(
            _("%(unit)s still has %(children)d sub-units and %(sites)d sites; move or delete them first.")
            % {"unit": unit.name, "children": children, "sites": sites}
        )
