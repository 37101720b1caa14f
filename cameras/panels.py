"""
What the cameras app adds to the rest of the portal: the home panel `cameras.health`, the map's
status provider `cameras.offline` and the site page section `cameras.cameras`. Imported from
CamerasConfig.ready(); each runs a fixed number of queries whatever the number of cameras.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.roles import Role
from cameras import selectors
from cameras.choices import CameraStatus, Health
from cameras.constants import SITE_SECTION
from cameras.models import Camera, CameraIncident, CoverageTemplate
from dashboards.registry import register_panel
from dashboards.status import Level, register_status_provider
from sites.models import Site
from sites.sections import SiteSection, register_site_section

OFFLINE_LIMIT = 10  # offline cameras listed on the home panel; the rest behind a link

#
# Home panel
#


@register_panel(
    key="cameras.health",
    title=_("Camera health"),
    template="cameras/panels/health.html",
    roles=[Role.TECHNICIAN, Role.COMMUNE_OFFICER, Role.POLICE_OPERATOR, Role.LEADER, Role.ADMINISTRATOR],
    permission="cameras.view_camera",
    order=35,
    # Counts over a province's 10,000 cameras; health written with .update() tells the cache itself.
    cache_seconds=60,
    depends_on=["cameras.Camera", "cameras.CameraIncident"],
)
def health(request: HttpRequest, limit: int = OFFLINE_LIMIT) -> dict[str, Any]:
    """
    "77 of 87 working" over the cameras the user sees, the cameras offline now (longest first) and
    the incidents nobody has acknowledged yet (as the alerts page lists them: by site and incident,
    not one per camera). Three queries (the incidents only with the right to see them).
    """
    user = request.user
    totals = selectors.camera_totals(user=user)
    offline = list(selectors.camera_get_offline(user=user)[:limit])
    open_alerts = None
    if user.has_perm("cameras.view_cameraincident"):
        open_alerts = CameraIncident.objects.visible_to(user).filter(acknowledged_at__isnull=True).count()
    return {
        "totals": totals,
        "offline": offline,
        "more": max(0, totals["offline"] - len(offline)),
        "open_alerts": open_alerts,
    }


#
# Map status
#


@register_status_provider("cameras.offline", depends_on=["cameras.Camera"])
def cameras_offline(site_ids: list[int]) -> dict[int, tuple[int, str]]:
    """A site with monitored cameras offline is not ready (cameras in maintenance or removed don't count)."""
    return {
        site_id: (
            Level.DANGER,
            ngettext("%(n)d camera offline", "%(n)d cameras offline", count) % {"n": count},
        )
        for site_id, count in selectors.camera_offline_counts(site_ids=site_ids).items()
    }


#
# Site page section
#


@dataclass(frozen=True, slots=True)
class CameraRow:
    """One camera of the site page: its state as people read it and its uptime over 24 hours."""

    camera: Camera
    state: str  # "online" | "offline" | "unknown" | "maintenance" | "faulty"
    state_display: str
    uptime: float | None


def camera_state(camera: Camera) -> tuple[str, str]:
    """(value, label) of what a camera is doing now: inventory status and maintenance first, then health."""
    if camera.status != CameraStatus.IN_SERVICE:
        return camera.status, str(camera.get_status_display())
    if camera.maintenance:
        return "maintenance", str(_("Maintenance"))
    return camera.health, str(Health(camera.health).label)


def _prefetch_cameras(queryset: QuerySet[Site]) -> QuerySet[Site]:
    # to_attr: another section may prefetch `cameras` differently without a clash.
    return queryset.prefetch_related(
        Prefetch(
            "cameras",
            queryset=Camera.objects.exclude(status=CameraStatus.REMOVED).defer("password").order_by("floor", "code"),
            to_attr="section_cameras",
        )
    )


def _site_cameras_context(site: Site, request: HttpRequest) -> dict[str, Any]:
    """The prefetched cameras with their state, one query for the uptimes, two for the coverage template."""
    cameras: list[Camera] = site.section_cameras
    uptimes = selectors.camera_uptimes(cameras=cameras, window=selectors.UPTIME_WINDOWS["24h"])
    rows = [CameraRow(c, *camera_state(c), uptimes.get(c.pk)) for c in cameras]
    coverage = None
    if site.is_key_site and request.user.has_perm("cameras.view_coveragetemplate"):
        template = CoverageTemplate.objects.filter(site_kind=site.kind).prefetch_related("zones").first()
        if template is not None:
            coverage = selectors.site_coverage(site=site, template=template, cameras=cameras)
    return {
        "rows": rows,
        "total": len(rows),
        "working": sum(1 for r in rows if r.state not in ("offline", "faulty")),
        "offline": sum(1 for r in rows if r.state == "offline"),
        "coverage": coverage,
        "gap_zones": [zc for zc in coverage.zones if zc.gap] if coverage is not None else [],
    }


register_site_section(
    SiteSection(
        key=SITE_SECTION,
        title=_("Cameras"),
        template="cameras/site_section.html",
        order=50,
        permission="cameras.view_camera",
        prefetch=_prefetch_cameras,
        context=_site_cameras_context,
    )
)
