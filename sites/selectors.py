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


def site_list(*, user: User) -> QuerySet[Site]:
    return Site.objects.visible_to(user).select_related("unit")


def sites_in_units(*, unit_ids: Iterable[int]) -> QuerySet[Site]:
    return Site.objects.filter(unit_id__in=list(unit_ids))
