"""
Home dashboard panels. Each app contributes small panels for the roles that need them; the home
page shows, in order, every panel for any of the user's roles whose builder returns a context.

    @register_panel(
        key="meetings.today", title=_("Today's meetings"), template="meetings/panels/today.html",
        roles=[Role.OFFICE_STAFF, Role.LEADER], order=10,
    )
    def today(request: HttpRequest) -> dict | None:
        return {"meetings": meeting_list_for_day(user=request.user, day=timezone.localdate())}

A builder runs a fixed number of queries (count them in a test) and returns None to hide its panel.

A panel whose figures take long to gather on a province's data (a year of briefings, every plan line)
names the models it reads and is kept in the cache, per user and language, until one of them is saved
or deleted (`depends_on`), and at most `cache_seconds` (writes that bypass the model signals, such as
`QuerySet.update`, and the passing of time are caught up with then):

    @register_panel(key="meetings.savings", ..., cache_seconds=300,
                    depends_on=["meetings.Meeting", "meetings.MeetingInvitation", "meetings.RollCall"])

The versions are those of common.datacache (on when settings.DATA_CACHE is true; off in the test
settings, whose database is rolled back while Redis is not, except in the tests of the cache).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import translation

from accounts.roles import Role
from common.datacache import enabled as datacache_enabled
from common.datacache import versioned_keys, watch

PanelBuilder = Callable[[HttpRequest], dict[str, Any] | None]


@dataclass(frozen=True, slots=True)
class Panel:
    """A panel: who sees it (roles, optional permission), where (order, width) and how (template)."""

    key: str
    title: Any
    template: str
    roles: frozenset[str]
    build: PanelBuilder
    order: int = 100
    wide: bool = False  # full row width instead of half
    permission: str = ""
    cache_seconds: int = 0
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ShownPanel:
    panel: Panel
    context: dict[str, Any]


_PANELS: dict[str, Panel] = {}


def register_panel(
    *,
    key: str,
    title: Any,
    template: str,
    roles: Iterable[str],
    order: int = 100,
    wide: bool = False,
    permission: str = "",
    cache_seconds: int = 0,
    depends_on: Iterable[str] = (),
) -> Callable[[PanelBuilder], PanelBuilder]:
    """Decorator: register the decorated builder as a panel (registering a key again replaces it)."""
    depends_on = tuple(depends_on)
    if cache_seconds and not depends_on:
        raise ValueError(f"panel {key}: a cached panel names the models it reads (depends_on)")

    def decorator(build: PanelBuilder) -> PanelBuilder:
        watch(depends_on)
        _PANELS[key] = Panel(
            key=key,
            title=title,
            template=template,
            roles=frozenset(str(r) for r in roles),
            build=build,
            order=order,
            wide=wide,
            permission=permission,
            cache_seconds=cache_seconds,
            depends_on=depends_on,
        )
        return build

    return decorator


def first_rows(queryset: Any, limit: int) -> tuple[list[Any], bool]:
    """The first `limit` rows and whether there are more, in one query (a panel's list and its "more" link)."""
    rows = list(queryset[: limit + 1])
    return rows[:limit], len(rows) > limit


def registered_panels() -> list[Panel]:
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.key))


def user_roles(user: Any) -> set[str]:
    """The user's role names; a superuser without a group counts as an administrator."""
    roles = set(user.role_names)
    if user.is_superuser and not roles:
        roles.add(Role.ADMINISTRATOR.value)
    return roles


def _cache_keys(panels: list[Panel], user: Any) -> dict[str, str]:
    """
    Each cached panel's key: the panel, the user and their unit (what they may see), the language and
    the versions of what it reads (common.datacache).
    """
    language = translation.get_language() or ""
    names = {p.key: f"panel:{p.key}:{user.pk}:{user.unit_id}:{language}" for p in panels}
    keys = versioned_keys({names[p.key]: p.depends_on for p in panels})
    return {p.key: keys[names[p.key]] for p in panels}


def panels_for(request: HttpRequest) -> list[ShownPanel]:
    """
    The panels the requesting user sees, built, in order. Cached panels cost two cache reads for
    all of them (their data versions, then their contexts) and one write for those built again.
    """
    roles = user_roles(request.user)
    visible = [
        panel
        for panel in registered_panels()
        if panel.roles & roles and (not panel.permission or request.user.has_perm(panel.permission))
    ]
    cached_panels = [p for p in visible if p.cache_seconds] if datacache_enabled() else []
    keys = _cache_keys(cached_panels, request.user) if cached_panels else {}
    hits = cache.get_many(list(keys.values())) if keys else {}
    shown = []
    for panel in visible:
        key = keys.get(panel.key)
        if key is not None and key in hits:
            context = hits[key]["context"]  # wrapped: a hidden panel (None) is cached too
        else:
            context = panel.build(request)
            if key is not None:
                cache.set(key, {"context": context}, panel.cache_seconds)
        if context is not None:
            shown.append(ShownPanel(panel=panel, context=context))
    return shown
