"""Navigation shown on every page, filtered by what the user may see."""

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (area label, [(item label, url name, permission)])
NAVIGATION: list[tuple[Any, list[tuple[Any, str, str]]]] = [
    (
        _("Sites"),
        [
            (_("Administrative units"), "sites:unit_tree", "sites.view_administrativeunit"),
            (_("Sites"), "sites:site_list", "sites.view_site"),
            (_("Rooms"), "sites:room_list", "sites.view_room"),
            (_("Bridge points"), "sites:bridgepoint_list", "sites.view_bridgepoint"),
            (_("Equipment"), "sites:equipment_list", "sites.view_equipment"),
            (_("Contacts"), "sites:sitecontact_list", "sites.view_sitecontact"),
        ],
    ),
]


def register_area(label: Any, items: list[tuple[Any, str, str]]) -> None:
    """Apps add their menu from AppConfig.ready()."""
    NAVIGATION.append((label, items))


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    areas = []
    for label, items in NAVIGATION:
        visible = []
        for item_label, url_name, permission in items:
            if permission and not user.has_perm(permission):
                continue
            try:
                visible.append({"label": item_label, "url": reverse(url_name)})
            except NoReverseMatch:
                continue
        if visible:
            areas.append({"label": label, "items": visible})
    return {"navigation": areas}
