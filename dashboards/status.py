"""
The state of each site, gathered from every app (for the map's marker colours and the summaries).

A status provider is a function `(site_ids) -> {site_id: (level, reason)}` that answers, in a fixed
number of queries whatever the number of sites, the worst problem it knows of at each of those sites
(sites without a problem are left out). Apps register theirs with `@register_status_provider`,
e.g. cameras: "2 cameras offline"; meetings: "3 overdue tasks". A site's state is the worst level
any provider reports, with every provider's reason.

A provider names the models it reads (`depends_on`); the states are kept in the cache (common.datacache)
until one of them is saved, and at most STATUS_CACHE_SECONDS: what changes without a save through the
model (camera health is written with `.update()` and says so itself; a talking site's live state is not
followed, on purpose) and what changes with time (a briefing starting within the hour, a task falling
due) is seen within that. The map and the home page's summary read them on every visit, and on a
province's 500 sites the providers took 40 ms (issue 18).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.datacache import cached_by_data, watch
from sites.choices import EquipmentStatus, TestCallResult
from sites.models import BridgePoint, Equipment


class Level:
    """Severity of a site's state; higher is worse. Colours are Bootstrap's."""

    OK = 0
    WARNING = 1
    DANGER = 2

    LABELS = {OK: _("Ready"), WARNING: _("Needs attention"), DANGER: _("Not ready")}
    COLOURS = {OK: "#198754", WARNING: "#fd7e14", DANGER: "#dc3545"}
    BADGES = {OK: "success", WARNING: "warning", DANGER: "danger"}


StatusProvider = Callable[[list[int]], dict[int, tuple[int, str]]]


@dataclass(frozen=True, slots=True)
class _Provider:
    answer: StatusProvider
    depends_on: tuple[str, ...]


_PROVIDERS: dict[str, _Provider] = {}

STATUS_CACHE_SECONDS = 60


def register_status_provider(name: str, *, depends_on: Iterable[str]) -> Callable[[StatusProvider], StatusProvider]:
    """
    Decorator: add a provider under a unique name (registering the name again replaces it), with the
    models ("app_label.Model") whose saves change what it answers.
    """

    def decorator(func: StatusProvider) -> StatusProvider:
        _PROVIDERS[name] = _Provider(answer=func, depends_on=watch(depends_on))
        return func

    return decorator


def status_providers() -> dict[str, StatusProvider]:
    return {name: provider.answer for name, provider in _PROVIDERS.items()}


@dataclass(slots=True)
class SiteStatus:
    level: int = Level.OK
    reasons: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(Level.LABELS[self.level])

    @property
    def colour(self) -> str:
        return Level.COLOURS[self.level]

    @property
    def badge(self) -> str:
        return Level.BADGES[self.level]


def site_statuses(*, site_ids: Iterable[int]) -> dict[int, SiteStatus]:
    """
    The worst state of each site over every registered provider (OK where none reports); kept in the
    cache per set of sites (the users of one scope and one map filter share it) and language.
    """
    ids = sorted(set(site_ids))
    if not ids:
        return {}
    digest = hashlib.blake2b(",".join(map(str, ids)).encode(), digest_size=12).hexdigest()
    depends_on = sorted({label for provider in _PROVIDERS.values() for label in provider.depends_on})
    # Kept as plain (level, reasons) of the sites with a problem: unpickling 500 SiteStatus objects
    # cost more than building them.
    problems = cached_by_data(
        f"site-statuses:{translation.get_language()}:{digest}",
        depends_on=depends_on,
        seconds=STATUS_CACHE_SECONDS,
        build=lambda: {pk: (s.level, s.reasons) for pk, s in _statuses(ids).items() if s.level or s.reasons},
    )
    return {pk: SiteStatus(*problems[pk]) if pk in problems else SiteStatus() for pk in ids}


def _statuses(ids: list[int]) -> dict[int, SiteStatus]:
    statuses = {pk: SiteStatus() for pk in ids}
    for provider in _PROVIDERS.values():
        for site_id, (level, reason) in provider.answer(ids).items():
            status = statuses.get(site_id)
            if status is None:
                continue
            status.level = max(status.level, level)
            status.reasons.append(reason)
    return statuses


#
# Providers from the sites app's data
#


@register_status_provider("sites.bridge_points", depends_on=["sites.BridgePoint", "sites.Room"])
def bridge_points_not_ready(site_ids: list[int]) -> dict[int, tuple[int, str]]:
    """Active bridge points whose last test call failed (danger), was degraded or never ran (warning)."""
    found: dict[int, tuple[int, str]] = {}
    rows = (
        BridgePoint.objects.filter(is_active=True, room__site_id__in=site_ids)
        .exclude(last_test_result=TestCallResult.OK)
        .values_list("room__site_id", "janus_display", "last_test_result")
    )
    for site_id, display, result in rows:
        if result == TestCallResult.FAILED:
            level, reason = Level.DANGER, _("%(bp)s: last test call failed")
        elif result == TestCallResult.DEGRADED:
            level, reason = Level.WARNING, _("%(bp)s: last test call degraded")
        else:
            level, reason = Level.WARNING, _("%(bp)s: never tested")
        if site_id not in found or found[site_id][0] < level:
            found[site_id] = (level, str(reason) % {"bp": display})
    return found


@register_status_provider("sites.equipment", depends_on=["sites.Equipment"])
def faulty_equipment(site_ids: list[int]) -> dict[int, tuple[int, str]]:
    """Sites with faulty equipment: a warning naming how many items."""
    rows = (
        Equipment.objects.filter(site_id__in=site_ids, status=EquipmentStatus.FAULTY)
        .values("site_id")
        .annotate(faulty=Count("pk"))
        .order_by()
    )
    return {
        row["site_id"]: (
            Level.WARNING,
            ngettext("%(n)d item of equipment faulty", "%(n)d items of equipment faulty", row["faulty"])
            % {"n": row["faulty"]},
        )
        for row in rows
    }
