"""Read-side queries for units and sites."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from sites.models import AdministrativeUnit, AdministrativeUnitVersion, Site, SiteUnitAssignment


def unit_descendant_ids(*, unit_id: int) -> set[int]:
    """The unit and every unit below it, at any depth (one query: the tree is small)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in AdministrativeUnit.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    found, stack = set(), [unit_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, ()))
    return found


def unit_ancestors(*, unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """From the root down to the unit's parent (for breadcrumbs)."""
    by_id = {u.pk: u for u in AdministrativeUnit.objects.only("pk", "name", "parent_id", "kind")}
    chain, current = [], by_id.get(unit.parent_id)
    while current is not None and current not in chain:
        chain.append(current)
        current = by_id.get(current.parent_id)
    return list(reversed(chain))


def unit_tree(*, user: User, on: date | None = None) -> list[tuple[AdministrativeUnit, int]]:
    """
    The visible units as (unit, depth) in tree order. With `on`, names and parents are those in force
    on that day, and units that did not exist then are left out.
    """
    units = {u.pk: u for u in AdministrativeUnit.objects.visible_to(user).annotate(site_count=Count("sites"))}
    parent_of = {pk: u.parent_id for pk, u in units.items()}
    if on is not None:
        # Count the sites each unit had on that day, not those it has now (a merger moved them).
        counts: dict[int, int] = defaultdict(int)
        for unit_id in site_unit_ids_on(day=on).values():
            counts[unit_id] += 1
        for pk, unit in units.items():
            unit.site_count = counts.get(pk, 0)
        versions = AdministrativeUnitVersion.objects.filter(valid_from__lte=on).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=on)
        )
        in_force = {v.unit_id: v for v in versions if v.unit_id in units}
        for pk in list(units):
            version = in_force.get(pk)
            if version is None:
                del units[pk]
                continue
            units[pk].name = version.name
            parent_of[pk] = version.parent_id
    children: dict[int | None, list[AdministrativeUnit]] = defaultdict(list)
    for pk, unit in units.items():
        parent = parent_of[pk] if parent_of[pk] in units else None
        children[parent].append(unit)
    ordered: list[tuple[AdministrativeUnit, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit in sorted(children.get(parent, ()), key=lambda u: u.name):
            ordered.append((unit, depth))
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return ordered


def site_unit_on(*, site: Site, day: date) -> AdministrativeUnit:
    """The unit a site belonged to on `day` (its current unit when no history covers the day)."""
    assignment = (
        SiteUnitAssignment.objects.filter(site=site, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .select_related("unit")
        .first()
    )
    return assignment.unit if assignment else site.unit


def site_unit_ids_on(*, day: date, site_ids: Iterable[int] | None = None) -> dict[int, int]:
    """{site id: id of the unit it belonged to on `day`} for existing sites (or the given ones); two queries."""
    sites = Site.objects.all() if site_ids is None else Site.objects.filter(pk__in=list(site_ids))
    current = dict(sites.values_list("pk", "unit_id"))
    assignments = SiteUnitAssignment.objects.filter(site_id__in=list(current), valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day)
    )
    then = dict(assignments.values_list("site_id", "unit_id"))
    return {site_id: then.get(site_id, unit_id) for site_id, unit_id in current.items()}


def unit_names_on(*, day: date, unit_ids: Iterable[int]) -> dict[int, str]:
    """{unit id: its name on `day`} (its current name when no version covers the day); two queries."""
    ids = set(unit_ids)
    names = dict(AdministrativeUnit.objects.filter(pk__in=ids).values_list("pk", "name"))
    versions = AdministrativeUnitVersion.objects.filter(unit_id__in=ids, valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day)
    )
    names.update(versions.values_list("unit_id", "name"))
    return names


def site_unit_names_on(*, day: date, site_ids: Iterable[int]) -> dict[int, str]:
    """{site id: the name of the unit it belonged to on `day`}, as a page about that day shows it."""
    unit_of = site_unit_ids_on(day=day, site_ids=site_ids)
    names = unit_names_on(day=day, unit_ids=unit_of.values())
    return {site_id: names.get(unit_id, "") for site_id, unit_id in unit_of.items()}


def site_list(*, user: User) -> QuerySet[Site]:
    return Site.objects.visible_to(user).select_related("unit")


def sites_in_units(*, unit_ids: Iterable[int]) -> QuerySet[Site]:
    return Site.objects.filter(unit_id__in=list(unit_ids))
