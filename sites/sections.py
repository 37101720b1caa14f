"""
Sections of the site page. The site page (a9) joins every area: each app adds its sections here,
from its AppConfig.ready():

    from sites.sections import SiteSection, register_site_section

    register_site_section(SiteSection(
        key="cameras.cameras", title=_("Cameras"), template="cameras/site_section.html", order=50,
        permission="cameras.view_camera",
        prefetch=lambda qs: qs.prefetch_related(Prefetch("cameras", queryset=Camera.objects.order_by("name"))),
        context=lambda site, request: {"offline": [c for c in site.cameras.all() if not c.is_online]},
    ))

The page stays at a constant number of queries whatever the site holds because a section reads only
what its `prefetch` added to the site's queryset (or a fixed number of its own queries in `context`).
Sections the user has no permission for are neither prefetched nor shown.

Each section is also served alone (sites:site_section) for the live page: when a service calls
`sites.live.site_section_changed(site_id=..., section=key)`, open pages fetch it again and swap it in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from django.db.models import Case, Count, Prefetch, QuerySet, When
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sites.choices import EquipmentStatus
from sites.models import Room, Site

WARRANTY_WARNING_DAYS = 90
SITE_EQUIPMENT_ROWS = 25


@dataclass(frozen=True, slots=True)
class SiteSection:
    """One block of the site page, in the side column (next to the fields) or below them."""

    key: str
    title: Any
    template: str
    order: int = 100
    column: Literal["side", "below"] = "below"
    permission: str = ""
    prefetch: Callable[[QuerySet[Site]], QuerySet[Site]] | None = None
    context: Callable[[Site, HttpRequest], dict[str, Any]] | None = None


@dataclass(frozen=True, slots=True)
class ShownSection:
    section: SiteSection
    context: dict[str, Any]


_SECTIONS: dict[str, SiteSection] = {}


def register_site_section(section: SiteSection) -> SiteSection:
    """Add a section (registering a key again replaces it)."""
    _SECTIONS[section.key] = section
    return section


def sections_for(user: Any) -> list[SiteSection]:
    """The sections `user` may see, in page order."""
    return [
        s
        for s in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
        if not s.permission or user.has_perm(s.permission)
    ]


def prefetch_sections(queryset: QuerySet[Site], sections: list[SiteSection]) -> QuerySet[Site]:
    for section in sections:
        if section.prefetch is not None:
            queryset = section.prefetch(queryset)
    return queryset


def build_sections(site: Site, request: HttpRequest, sections: list[SiteSection]) -> list[ShownSection]:
    return [ShownSection(section=s, context=s.context(site, request) if s.context else {}) for s in sections]


#
# The sites app's own sections
#


def _unit_context(site: Site, request: HttpRequest) -> dict[str, Any]:
    return {"assignments": site.unit_assignments.select_related("unit").order_by("-valid_from")}


def _equipment_context(site: Site, request: HttpRequest) -> dict[str, Any]:
    """
    The site's equipment by condition, and its first SITE_EQUIPMENT_ROWS pieces, faulty ones first
    (a commune hall has a hundred; the equipment list filtered on the site has them all). Two queries.
    """
    today = timezone.localdate()
    by_status = dict(site.equipment.order_by().values_list("status").annotate(n=Count("pk")))
    faulty_first = Case(
        When(status=EquipmentStatus.FAULTY, then=0), When(status=EquipmentStatus.WORKING, then=1), default=2
    )
    items = list(site.equipment.select_related("room").order_by(faulty_first, "kind", "code")[:SITE_EQUIPMENT_ROWS])
    total = sum(by_status.values())
    return {
        "items": items,
        "total": total,
        "more": total - len(items),
        "today": today,
        "warranty_soon": today + timedelta(days=WARRANTY_WARNING_DAYS),
        "condition": [
            (value, label, by_status[value]) for value, label in EquipmentStatus.choices if by_status.get(value)
        ],
    }


register_site_section(
    SiteSection(
        key="sites.unit",
        title=_("Unit and terrain"),
        template="sites/sections/unit.html",
        order=10,
        column="side",
        context=_unit_context,
    )
)
register_site_section(
    SiteSection(
        key="sites.contacts",
        title=_("Contacts"),
        template="sites/sections/contacts.html",
        order=20,
        column="side",
        permission="sites.view_sitecontact",
        prefetch=lambda qs: qs.prefetch_related("contacts"),
    )
)
register_site_section(
    SiteSection(
        key="sites.rooms",
        title=_("Rooms and bridge points"),
        template="sites/sections/rooms.html",
        order=30,
        permission="sites.view_room",
        prefetch=lambda qs: qs.prefetch_related(
            Prefetch(
                "rooms",
                queryset=Room.objects.select_related("bridge_point").prefetch_related("bridge_point__links"),
            )
        ),
    )
)
register_site_section(
    SiteSection(
        key="sites.equipment",
        title=_("Equipment"),
        template="sites/sections/equipment.html",
        order=40,
        permission="sites.view_equipment",
        context=_equipment_context,
    )
)
