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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from accounts.roles import Role

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
) -> Callable[[PanelBuilder], PanelBuilder]:
    """Decorator: register the decorated builder as a panel (registering a key again replaces it)."""

    def decorator(build: PanelBuilder) -> PanelBuilder:
        _PANELS[key] = Panel(
            key=key,
            title=title,
            template=template,
            roles=frozenset(str(r) for r in roles),
            build=build,
            order=order,
            wide=wide,
            permission=permission,
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


def panels_for(request: HttpRequest) -> list[ShownPanel]:
    """The panels the requesting user sees, built, in order."""
    roles = user_roles(request.user)
    shown = []
    for panel in registered_panels():
        if not panel.roles & roles:
            continue
        if panel.permission and not request.user.has_perm(panel.permission):
            continue
        context = panel.build(request)
        if context is not None:
            shown.append(ShownPanel(panel=panel, context=context))
    return shown
