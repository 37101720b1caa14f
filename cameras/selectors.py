"""
Read-side queries for cameras: lists, "77 of 87 working" summaries, uptime, and coverage gaps.

Coverage (độ phủ): a key site whose kind has a `CoverageTemplate` must have each template zone
covered. A zone is a placement on one floor (per-floor zones) or once for the site (the gate, the
yard). A camera covers a zone when it is in service at that site with that placement (and floor);
faulty and removed cameras cover nothing. A zone with fewer covering cameras than it needs is a gap
"uncovered"; a covered zone with none of its preferred type (360° in corridors and stairways, as the
district asked) is a gap "no_preferred_type". The investment plan turns gaps into line items.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cameras.choices import CameraStatus, CameraType, Health
from cameras.models import Camera, CameraAlert, CameraIncident, CameraOutage, CoverageTemplate

if TYPE_CHECKING:
    from accounts.models import User
    from sites.models import Site

__all__ = [
    "CoverageGap",
    "SiteCoverage",
    "Zone",
    "ZoneCoverage",
    "alert_list",
    "camera_get_offline",
    "camera_list",
    "camera_offline_counts",
    "camera_summary",
    "camera_totals",
    "camera_uptimes",
    "coverage_for_sites",
    "coverage_gaps",
    "dashboard_numbers",
    "incident_list",
    "site_coverage",
    "site_zones",
]

UPTIME_WINDOWS = {"24h": timedelta(hours=24), "30d": timedelta(days=30)}


#
# Lists and summaries
#


def camera_list(*, user: User) -> QuerySet[Camera]:
    return Camera.objects.visible_to(user).select_related("site", "recorder")


def camera_get_offline(*, user: User) -> QuerySet[Camera]:
    """In-service cameras that the probes found offline, longest outage first."""
    return (
        camera_list(user=user)
        .filter(status=CameraStatus.IN_SERVICE, maintenance=False, health=Health.OFFLINE)
        .order_by("health_changed_at", "code")
    )


def camera_offline_counts(*, site_ids: Iterable[int]) -> dict[int, int]:
    """
    How many monitored cameras each site has offline now (in service, not in maintenance), for the
    sites among `site_ids` that have any. One query. Not scoped: callers pass the sites they may show.
    """
    rows = (
        Camera.objects.filter(
            site_id__in=list(site_ids), status=CameraStatus.IN_SERVICE, maintenance=False, health=Health.OFFLINE
        )
        .values("site_id")
        .annotate(offline=Count("pk"))
        .order_by()
    )
    return {row["site_id"]: row["offline"] for row in rows}


def alert_list(*, user: User, open_only: bool = False) -> QuerySet[CameraAlert]:
    alerts = CameraAlert.objects.visible_to(user).select_related("camera", "camera__site", "acknowledged_by")
    return alerts.filter(acknowledged_at__isnull=True) if open_only else alerts


def incident_list(
    *, user: User, acknowledged: bool | None = None, needs_attention: bool = False
) -> QuerySet[CameraIncident]:
    """
    The incidents of the sites the user sees, newest first, with their alerts and cameras (two
    queries). `needs_attention`: still open or not acknowledged yet (what the dashboard shows).
    """
    incidents = (
        CameraIncident.objects.visible_to(user)
        .select_related("site", "acknowledged_by")
        .prefetch_related(
            Prefetch(
                "alerts",
                queryset=CameraAlert.objects.select_related("camera")
                .defer("camera__password")
                .order_by("created_at", "pk"),
            )
        )
    )
    if acknowledged is not None:
        incidents = incidents.filter(acknowledged_at__isnull=not acknowledged)
    if needs_attention:
        incidents = incidents.filter(Q(ended_at__isnull=True) | Q(acknowledged_at__isnull=True))
    return incidents


# Sites and recorders the dashboard lists, worst first; a province's hundreds are in the camera and
# recorder lists (the page listed them all, and took 100 ms to, issue 18).
DASHBOARD_ROWS = 20


def _worst_first(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The first DASHBOARD_ROWS rows, most offline, then most faulty, then fewest working; and how many more."""
    rows = sorted(rows, key=lambda r: (-r["offline"], -r["faulty"], r["working"] - r["total"], str(r["name"])))
    return rows[:DASHBOARD_ROWS], max(0, len(rows) - DASHBOARD_ROWS)


def dashboard_numbers(*, user: User) -> dict[str, Any]:
    """
    Everything the camera dashboard counts and lists, read together so that its cards and tables
    always agree (the page and its live refresh both render from this).
    """
    sites = camera_summary(user=user, by="site")
    by_site, more_sites = _worst_first(sites)
    by_recorder, more_recorders = _worst_first(camera_summary(user=user, by="recorder"))
    # The sites' counts add up to camera_totals: one aggregate over a province's 10,000 cameras less.
    totals = {name: sum(row[name] for row in sites) for name in _counts()}
    offline = list(camera_get_offline(user=user)[:DASHBOARD_ROWS])
    return {
        "totals": totals,
        "by_site": by_site,
        "more_sites": more_sites,
        "by_recorder": by_recorder,
        "more_recorders": more_recorders,
        "offline": offline,
        "more_offline": max(0, totals["offline"] - len(offline)),
        "incidents": list(incident_list(user=user, needs_attention=True)[:50]),
    }


def _counts() -> dict[str, Any]:
    in_service = Q(status=CameraStatus.IN_SERVICE)
    return {
        "total": Count("pk", filter=~Q(status=CameraStatus.REMOVED)),
        "working": Count("pk", filter=in_service & ~Q(health=Health.OFFLINE, maintenance=False)),
        "faulty": Count("pk", filter=Q(status=CameraStatus.FAULTY)),
        "online": Count("pk", filter=in_service & Q(maintenance=False, health=Health.ONLINE)),
        "offline": Count("pk", filter=in_service & Q(maintenance=False, health=Health.OFFLINE)),
        "maintenance": Count("pk", filter=in_service & Q(maintenance=True)),
    }


def camera_totals(*, user: User) -> dict[str, int]:
    """
    Counts over the cameras the user sees. `working` is in service and not found offline (the
    district's "77 of 87 working"); `total` leaves out removed cameras.
    """
    return Camera.objects.visible_to(user).aggregate(**_counts())


def camera_summary(*, user: User, by: str) -> list[dict[str, Any]]:
    """Per site (`by="site"`) or per recorder (`by="recorder"`): the same counts as camera_totals."""
    if by not in ("site", "recorder"):
        raise ValueError(by)
    counts = _counts()
    rows = (
        Camera.objects.visible_to(user)
        .exclude(status=CameraStatus.REMOVED)
        .values(f"{by}_id", f"{by}__name")
        .annotate(**counts)
        .order_by(f"{by}__name")
    )
    return [
        {"id": row[f"{by}_id"], "name": row[f"{by}__name"] or _("No recorder"), **{k: row[k] for k in counts}}
        for row in rows
    ]


#
# Uptime
#


def camera_uptimes(
    *, cameras: Iterable[Camera], window: timedelta, now: datetime | None = None
) -> dict[int, float | None]:
    """
    Share of `window` (up to now) that each camera was seen working, from 0 to 100, counted from when
    monitoring began; None for a camera never probed. Down is every recorded outage (a faulty
    camera's stays open until it is seen again) and, for a camera offline or faulty now, the time
    since it was last seen (since monitoring began when never seen), counted once where they
    overlap. Time in maintenance is planned and not counted as down. One query for all cameras.
    """
    now = now or timezone.now()
    starts: dict[int, datetime] = {}
    result: dict[int, float | None] = {}
    down: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for camera in cameras:
        if camera.monitored_since is None:
            result[camera.pk] = None
            continue
        starts[camera.pk] = max(now - window, camera.monitored_since)
        if camera.status == CameraStatus.FAULTY or (
            camera.status == CameraStatus.IN_SERVICE and camera.health == Health.OFFLINE
        ):
            down[camera.pk].append((camera.last_seen_at or camera.monitored_since, now))
    if not starts:
        return result
    outages = CameraOutage.objects.filter(camera_id__in=list(starts), started_at__lt=now).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=now - window)
    )
    for camera_id, started_at, ended_at in outages.values_list("camera_id", "started_at", "ended_at"):
        down[camera_id].append((started_at, ended_at or now))
    for camera_id, start in starts.items():
        span = (now - start).total_seconds()
        seconds = _covered_seconds(down[camera_id], start=start, end=now)
        result[camera_id] = 100.0 if span <= 0 else round(max(0.0, 100.0 * (1 - seconds / span)), 2)
    return result


def _covered_seconds(intervals: list[tuple[datetime, datetime]], *, start: datetime, end: datetime) -> float:
    """Seconds of [start, end] inside the union of `intervals` (overlaps counted once)."""
    total, reached = 0.0, start
    for begin, finish in sorted(intervals):
        begin, finish = max(begin, reached), min(finish, end)
        if finish > begin:
            total += (finish - begin).total_seconds()
            reached = finish
    return total


#
# Coverage
#


@dataclass(frozen=True, slots=True)
class CoverageGap:
    """A zone of a key site that needs cameras: what the investment plan should buy."""

    site_id: int
    zone: str  # the zone's label, e.g. "Hành lang – tầng 2"; camera_create(zone=...) accepts it back
    camera_type: str  # the preferred Camera.camera_type value ("" when the template prefers none)
    quantity: int
    reason: str  # "uncovered" | "no_preferred_type"


@dataclass(frozen=True, slots=True)
class Zone:
    """A required zone at one site: a placement on one floor, or once for the site (`floor` None)."""

    label: str
    placement: str
    floor: int | None
    preferred_type: str
    quantity: int

    @property
    def preferred_type_display(self) -> str:
        return str(CameraType(self.preferred_type).label) if self.preferred_type else ""

    def is_covered_by(self, camera: Camera) -> bool:
        return camera.placement == self.placement and (self.floor is None or camera.floor == self.floor)


@dataclass(slots=True)
class ZoneCoverage:
    zone: Zone
    cameras: list[Camera] = field(default_factory=list)  # in service, covering the zone
    other_cameras: list[Camera] = field(default_factory=list)  # faulty ones at the zone

    @property
    def has_preferred(self) -> bool:
        return bool(self.zone.preferred_type) and any(c.camera_type == self.zone.preferred_type for c in self.cameras)

    @property
    def gap(self) -> tuple[str, int] | None:
        """(reason, quantity) when the zone is a gap, else None."""
        missing = self.zone.quantity - len(self.cameras)
        if missing > 0:
            return "uncovered", missing
        if self.zone.preferred_type and not self.has_preferred:
            return "no_preferred_type", 1
        return None


@dataclass(slots=True)
class SiteCoverage:
    site: Site
    template: CoverageTemplate
    zones: list[ZoneCoverage]

    @property
    def gaps(self) -> list[CoverageGap]:
        found = []
        for zc in self.zones:
            if (gap := zc.gap) is not None:
                found.append(CoverageGap(self.site.pk, zc.zone.label, zc.zone.preferred_type, gap[1], gap[0]))
        return found

    @property
    def covered_count(self) -> int:
        return sum(1 for zc in self.zones if zc.gap is None)


def site_zones(*, template: CoverageTemplate, floors: int) -> list[Zone]:
    """Expand a template into the zones of a site with `floors` floors (per-floor zones first)."""
    zones: list[Zone] = []
    requirements = list(template.zones.all())
    for floor in range(1, floors + 1):
        for req in requirements:
            if req.per_floor:
                label = _("%(zone)s – floor %(floor)d") % {"zone": req.label, "floor": floor}
                zones.append(Zone(label, req.placement, floor, req.preferred_type, req.quantity))
    zones += [Zone(r.label, r.placement, None, r.preferred_type, r.quantity) for r in requirements if not r.per_floor]
    return zones


def coverage_sites(*, sites: QuerySet[Site]) -> QuerySet[Site]:
    """The key sites among `sites` whose kind has a coverage template, by name (what the coverage page pages)."""
    kinds = CoverageTemplate.objects.values("site_kind")
    return sites.filter(is_key_site=True, kind__in=kinds).order_by("name", "pk")


def coverage_for_sites(*, sites: QuerySet[Site]) -> list[SiteCoverage]:
    """The coverage of every key site in `sites` whose kind has a template. Three queries."""
    templates = {t.site_kind: t for t in CoverageTemplate.objects.prefetch_related("zones")}
    key_sites = [s for s in sites.filter(is_key_site=True).order_by("name", "pk") if s.kind in templates]
    by_site: dict[int, list[Camera]] = defaultdict(list)
    for camera in (
        Camera.objects.filter(site__in=[s.pk for s in key_sites])
        .exclude(status=CameraStatus.REMOVED)
        .only("pk", "code", "name", "site_id", "floor", "placement", "camera_type", "status", "health")
        .order_by("floor", "code")
    ):
        by_site[camera.site_id].append(camera)
    return [site_coverage(site=site, template=templates[site.kind], cameras=by_site[site.pk]) for site in key_sites]


def site_coverage(*, site: Site, template: CoverageTemplate, cameras: Iterable[Camera]) -> SiteCoverage:
    """
    The coverage of one site by `cameras` (its cameras, removed ones already left out), against
    `template` (with its zones prefetched). No query: callers that already hold the cameras, such
    as the site page, pass them in.
    """
    cameras = [c for c in cameras if c.status != CameraStatus.REMOVED]
    top_floor = max((c.floor for c in cameras), default=1)
    zones = []
    for zone in site_zones(template=template, floors=max(template.floors, top_floor)):
        here = [c for c in cameras if zone.is_covered_by(c)]
        zones.append(
            ZoneCoverage(
                zone,
                cameras=[c for c in here if c.status == CameraStatus.IN_SERVICE],
                other_cameras=[c for c in here if c.status != CameraStatus.IN_SERVICE],
            )
        )
    return SiteCoverage(site, template, zones)


def coverage_gaps(*, site_ids: Iterable[int] | None = None) -> list[CoverageGap]:
    """
    Gaps of every key site (or of `site_ids`), site by site in zone order. Not scoped: callers pass
    the ids of the sites their user may see.
    """
    from sites.models import Site

    sites = Site.objects.all() if site_ids is None else Site.objects.filter(pk__in=list(site_ids))
    return [gap for coverage in coverage_for_sites(sites=sites) for gap in coverage.gaps]


def site_top_floor(*, site: Site) -> int:
    return Camera.objects.filter(site=site).aggregate(top=Max("floor"))["top"] or 1
