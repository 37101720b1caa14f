"""
Object-level visibility. Every model that belongs to a place names the path from itself to its
administrative unit (`unit_scope_lookup`, e.g. "site__unit"); a user whose account is tied to a unit
(a commune officer, a commune technician) sees only objects of that unit and the units below it.
Users tied to no unit (district staff) see everything their role lets them see.

Objects outside the scope are *not found* (404), never "forbidden", so that their existence does not
leak; role permissions (403) are checked separately.

The unit tree belongs to the `sites` app; `common` imports no app, so `sites` hands it over at start
(`register_unit_tree` in `SitesConfig.ready()`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models

if TYPE_CHECKING:
    from accounts.models import User

_SCOPE_CACHE_ATTR = "_scope_unit_ids"

UnitTree = Callable[..., Iterable[int]]  # called as tree(unit_id=...): the unit and every unit below it

_unit_tree: UnitTree | None = None


def register_unit_tree(tree: UnitTree) -> None:
    """Give scoping the unit tree: `tree(unit_id=...)` returns the ids of the unit and every unit below it."""
    global _unit_tree  # one registry, set once at start
    _unit_tree = tree


def _unit_descendant_ids(unit_id: int) -> Iterable[int]:
    if _unit_tree is None:
        raise ImproperlyConfigured(
            "No unit tree is registered for scoping: the app that owns the administrative units must call "
            "common.scoping.register_unit_tree() in its AppConfig.ready() (sites does)."
        )
    return _unit_tree(unit_id=unit_id)


def user_scope_unit_ids(user: User) -> frozenset[int] | None:
    """Ids of the units the user may see, or None when the user is not restricted."""
    if not user.is_authenticated:
        return frozenset()
    if user.is_superuser or getattr(user, "unit_id", None) is None:
        return None
    cached = getattr(user, _SCOPE_CACHE_ATTR, None)
    if cached is None:
        cached = frozenset(_unit_descendant_ids(user.unit_id))
        setattr(user, _SCOPE_CACHE_ATTR, cached)
    return cached


def scope_queryset(queryset: models.QuerySet, user: User) -> models.QuerySet:
    """Restrict `queryset` to what `user` may see. Models without `unit_scope_lookup` are global."""
    lookup = getattr(queryset.model, "unit_scope_lookup", None)
    if lookup is None:
        return queryset
    unit_ids = user_scope_unit_ids(user)
    if unit_ids is None:
        return queryset
    field = f"{lookup}_id__in" if lookup else "pk__in"
    return queryset.filter(**{field: unit_ids})


def instance_unit_id(instance: models.Model) -> int | None:
    """Follow `unit_scope_lookup` on an unsaved or saved instance to its unit id."""
    lookup = getattr(type(instance), "unit_scope_lookup", None)
    if lookup is None:
        return None
    if lookup == "":
        return instance.pk
    obj: Any = instance
    *path, last = lookup.split("__")
    for name in path:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def ensure_in_scope(user: User, instance: models.Model) -> None:
    """Refuse to save an object that would land outside the user's units."""
    unit_ids = user_scope_unit_ids(user)
    if unit_ids is None:
        return
    if instance_unit_id(instance) not in unit_ids:
        raise PermissionDenied


class ScopedQuerySet(models.QuerySet):
    """QuerySet with `.visible_to(user)`; models set `unit_scope_lookup` to use it."""

    def visible_to(self, user: User) -> ScopedQuerySet:
        return scope_queryset(self, user)


def restrict_related_choices(fields: dict[str, Any], user: User) -> None:
    """Limit every related-object choice (form field or serializer field) to what the user sees."""
    for field in fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is None:
            child = getattr(field, "child_relation", None)
            if child is not None and getattr(child, "queryset", None) is not None:
                child.queryset = scope_queryset(child.queryset, user)
            continue
        field.queryset = scope_queryset(queryset, user)
