"""Read-side queries for the dashboards and the map; every one is scoped to the user's units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from common.scoping import scope_queryset
from dashboards.status import Level, SiteStatus, site_statuses
from sites.choices import EquipmentStatus, TestCallResult
from sites.models import BridgePoint, Equipment, Site
from sites.selectors import unit_descendant_ids

WARRANTY_WARNING_DAYS = 90


@dataclass(frozen=True, slots=True)
class Readiness:
    total: int
    ready: int
    not_ready: list[BridgePoint]  # the first few, failed first


def bridge_point_readiness(*, user: User, limit: int = 8) -> Readiness:
    """Active bridge points the user sees: how many passed their last test call, and those that did not."""
    qs = scope_queryset(BridgePoint.objects.filter(is_active=True), user)
    counts = qs.aggregate(total=Count("pk"), ready=Count("pk", filter=Q(last_test_result=TestCallResult.OK)))
    not_ready = list(
        qs.exclude(last_test_result=TestCallResult.OK)
        .select_related("room__site")
        .order_by("-last_test_result", "room__site__name")[:limit]  # "failed" > "degraded" > never
    )
    return Readiness(total=counts["total"], ready=counts["ready"], not_ready=not_ready)


def equipment_faulty(*, user: User) -> QuerySet[Equipment]:
    return (
        scope_queryset(Equipment.objects.filter(status=EquipmentStatus.FAULTY), user)
        .select_related("site", "room")
        .order_by("site__name", "kind", "code")
    )


def warranties_expiring(*, user: User, days: int = WARRANTY_WARNING_DAYS) -> QuerySet[Equipment]:
    """Equipment in service whose warranty ends between today and `days` from now, soonest first."""
    today = timezone.localdate()
    return (
        scope_queryset(Equipment.objects.exclude(status=EquipmentStatus.RETIRED), user)
        .filter(warranty_end__gte=today, warranty_end__lte=today + timedelta(days=days))
        .select_related("site")
        .order_by("warranty_end", "code")
    )


def equipment_value(*, user: User) -> dict[str, Any]:
    """Value of the equipment in đồng: total, still usable for the upgrade, faulty (one query)."""
    return scope_queryset(Equipment.objects.exclude(status=EquipmentStatus.RETIRED), user).aggregate(
        items=Count("pk"),
        total=Sum("cost_vnd", default=0),
        reusable=Sum("cost_vnd", filter=Q(is_reusable=True, status=EquipmentStatus.WORKING), default=0),
        faulty=Sum("cost_vnd", filter=Q(status=EquipmentStatus.FAULTY), default=0),
        faulty_items=Count("pk", filter=Q(status=EquipmentStatus.FAULTY)),
    )


@dataclass(frozen=True, slots=True)
class SiteWithStatus:
    site: Site
    status: SiteStatus


MARKER_COLUMNS = (
    "pk",
    "name",
    "kind",
    "terrain",
    "is_key_site",
    "latitude",
    "longitude",
    "unit__name",
    "unit__terrain",
)


def site_markers(
    *, user: User, terrain: str = "", unit_id: int | None = None
) -> list[tuple[dict[str, Any], SiteStatus]]:
    """
    Visible sites (optionally of one terrain or under one unit) with their worst state, as rows of the
    columns a map marker shows (MARKER_COLUMNS): a province's 500 sites and their units as model
    instances were a third of the map's time.
    """
    qs = scope_queryset(Site.objects.all(), user)
    if unit_id is not None:
        qs = qs.filter(unit_id__in=unit_descendant_ids(unit_id=unit_id))
    if terrain:  # a site's own terrain, else its unit's (Site.effective_terrain)
        qs = qs.filter(Q(terrain=terrain) | Q(terrain="", unit__terrain=terrain))
    rows = list(qs.values(*MARKER_COLUMNS))
    statuses = site_statuses(site_ids=[row["pk"] for row in rows])
    return [(row, statuses[row["pk"]]) for row in rows]


def site_status_summary(*, user: User, limit: int = 8) -> dict[str, Any]:
    """
    How many visible sites are at each level, and the worst few with their reasons: the sites' names
    for all, whole rows for the few (a province's 500 sites were read whole for eight).
    """
    names = dict(scope_queryset(Site.objects.all(), user).values_list("pk", "name"))
    statuses = site_statuses(site_ids=names)
    counts = dict.fromkeys((Level.OK, Level.WARNING, Level.DANGER), 0)
    for status in statuses.values():
        counts[status.level] += 1
    worst_ids = sorted(
        (pk for pk, status in statuses.items() if status.level > Level.OK),
        key=lambda pk: (-statuses[pk].level, names[pk]),
    )
    shown = Site.objects.select_related("unit").in_bulk(worst_ids[:limit])
    worst = [SiteWithStatus(site=shown[pk], status=statuses[pk]) for pk in worst_ids[:limit]]
    return {
        "total": len(names),
        "levels": [
            {"level": level, "label": Level.LABELS[level], "badge": Level.BADGES[level], "count": counts[level]}
            for level in (Level.DANGER, Level.WARNING, Level.OK)
        ],
        "worst": worst,
        "more": max(0, len(worst_ids) - limit),
    }


def recent_jobs(*, limit: int = 10) -> list[Any]:
    """
    The latest background jobs with their result (django-celery-results), each with a readable
    `label`; successful runs of quiet periodic tasks (`common.jobs.quiet_task_names`) are left out.
    """
    from django_celery_results.models import TaskResult

    from common.jobs import job_label, quiet_task_names

    jobs = list(
        TaskResult.objects.only("task_id", "task_name", "status", "date_done", "date_created", "result", "traceback")
        .exclude(task_name__in=quiet_task_names(), status="SUCCESS")
        .order_by("-date_done")[:limit]
    )
    for job in jobs:
        job.label = job_label(job.task_name)
    return jobs
