"""
Write-side logic for cameras: saving the inventory (the password needs the technician's right),
recording probe results with flap suppression, the health sweep, alerts and their acknowledgement.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cameras.choices import AlertKind, CameraStatus, Health, Placement
from cameras.constants import SITE_SECTION, SWEEP_LOCK_KEY
from cameras.models import (
    HEALTH_FIELDS,
    Camera,
    CameraAlert,
    CameraIncident,
    CameraOutage,
    CoverageTemplate,
    Recorder,
)
from cameras.probes import ProbeResult, ProbeTarget, run_probes
from common.datacache import data_written
from common.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from sites.live import site_section_changed

if TYPE_CHECKING:
    from accounts.models import User
    from sites.models import Site

__all__ = [
    "SweepReport",
    "alert_acknowledge",
    "camera_create",
    "camera_health_record",
    "camera_health_sweep",
    "camera_offline_recipients",
    "camera_save",
    "incidents_acknowledge",
    "recorder_save",
]

logger = logging.getLogger(__name__)
PASSWORD_PERMISSION = "cameras.change_camera_password"  # noqa: S105 - a permission name


#
# Inventory
#


@transaction.atomic
def camera_save(*, camera: Camera, password: str | None = None, changed_by: User | None = None) -> Camera:
    """
    Create or update a camera. `password=None` keeps the stored password; any other value replaces
    it, which only a user with the technician's right may do (`changed_by=None` is the system).
    """
    if password is not None:
        camera.password = password
    # Compare with the stored value, not the instance: callers may have set the attribute already.
    before = Camera.objects.filter(pk=camera.pk).values("password", "site_id").first() if camera.pk else None
    stored = before["password"] if before else None
    if (camera.password or "") != (stored or ""):
        if changed_by is not None and not changed_by.has_perm(PASSWORD_PERMISSION):
            raise PermissionDeniedError(_("Only a technician may change a camera's password."))
        camera.password_changed_at = timezone.now()
    camera.full_clean()
    camera.save()
    if camera.maintenance or camera.status != CameraStatus.IN_SERVICE:
        _camera_monitoring_stop(camera)
    site_section_changed(site_id=camera.site_id, section=SITE_SECTION)
    _dashboards_changed(camera.site_id)
    if before and before["site_id"] != camera.site_id:  # moved: its old site's page loses it
        site_section_changed(site_id=before["site_id"], section=SITE_SECTION)
        _dashboards_changed(before["site_id"])
    return camera


def _dashboards_changed(site_id: int) -> None:
    """After commit, the camera dashboards that see the site fetch their numbers again."""
    from cameras.events import cameras_changed

    transaction.on_commit(lambda: cameras_changed(site_ids=[site_id]))


def _camera_monitoring_stop(camera: Camera) -> None:
    """
    A camera leaving monitoring forgets its streaks, so that it starts afresh when it returns: its
    first good probe brings it online without a "back online" alert. Maintenance (planned) and
    removal end its open outage; a faulty camera is down until it is seen again, so its outage stays
    open (or opens now) and counts against its uptime.
    """
    now = timezone.now()
    open_outage = CameraOutage.objects.filter(camera=camera, ended_at__isnull=True)
    if camera.status == CameraStatus.FAULTY and not camera.maintenance:
        if camera.monitored_since is not None and not open_outage.exists():
            CameraOutage.objects.create(camera=camera, started_at=now)
    else:
        open_outage.update(ended_at=now)
    Camera.objects.filter(pk=camera.pk).exclude(health=Health.UNKNOWN).update(
        health=Health.UNKNOWN,
        health_changed_at=now,
        consecutive_failures=0,
        consecutive_successes=0,
        failing_since=None,
    )
    # Out of monitoring, it no longer keeps its site's incident open.
    incident_id = _camera_incident_id(camera)
    if incident_id is not None:
        _incident_clear_if_over(incident_id, now)


@transaction.atomic
def recorder_save(*, recorder: Recorder) -> Recorder:
    """Create or update a recorder; refuse fewer channels than cameras already use."""
    recorder.full_clean()
    if recorder.pk:
        highest = recorder.cameras.exclude(recorder_channel=None).order_by("-recorder_channel").first()
        if highest is not None and highest.recorder_channel > recorder.channels:
            raise ApplicationError(
                _("Camera %(camera)s records on channel %(channel)d; keep at least that many channels.")
                % {"camera": highest, "channel": highest.recorder_channel}
            )
    recorder.save()
    return recorder


def _zone_placement(site: Site, zone: str) -> tuple[str, int] | None:
    """(placement, floor) of the zone of `site` labelled `zone`, in any of the portal's languages."""
    from cameras.selectors import site_top_floor, site_zones

    template = CoverageTemplate.objects.filter(site_kind=site.kind).prefetch_related("zones").first()
    if template is None:
        return None
    floors = max(template.floors, site_top_floor(site=site))
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for candidate in site_zones(template=template, floors=floors):
                if candidate.label == zone:
                    return candidate.placement, candidate.floor or 1
    return None


@transaction.atomic
def camera_create(
    *,
    site: Site,
    camera_type: str,
    model: str = "",
    serial: str = "",
    cost_vnd: int | None = None,
    install_date: date | None = None,
    placement: str = "other",
    zone: str = "",
) -> Camera:
    """
    Add a camera to the inventory, e.g. when a delivered investment-plan line becomes a record. A
    `zone` label from `coverage_gaps()` places the camera in that zone (placement and floor). The
    camera starts in maintenance mode: it has no stream address yet, and a technician turns
    monitoring on when it is configured.
    """
    floor = 1
    if zone:
        found = _zone_placement(site, zone)
        if found is None:
            raise ApplicationError(_("Site %(site)s has no zone named %(zone)s.") % {"site": site, "zone": zone})
        placement, floor = found
    if placement not in Placement.values:
        raise ApplicationError(_("Unknown placement: %(value)s.") % {"value": placement})
    prefix = f"{site.code}-cam"[:56]
    number = Camera.objects.filter(code__startswith=prefix).count() + 1
    while Camera.objects.filter(code=f"{prefix}-{number}").exists():
        number += 1
    camera = Camera(
        code=f"{prefix}-{number}",
        site=site,
        camera_type=camera_type,
        model=model,
        serial=serial,
        cost_vnd=cost_vnd,
        install_date=install_date,
        placement=placement,
        floor=floor,
        status=CameraStatus.IN_SERVICE,
        maintenance=True,
    )
    return camera_save(camera=camera)


#
# Health
#


@dataclass(frozen=True, slots=True)
class SweepReport:
    probed: int
    ok: int
    failed: int
    went_offline: int
    recovered: int
    seconds: float
    skipped: bool = False


def _transition_alert(
    camera: Camera, kind: str, at: datetime, message: str, incident: CameraIncident | None
) -> CameraAlert:
    from cameras.events import alert_broadcast

    alert = CameraAlert.objects.create(
        camera=camera, kind=kind, created_at=at, message=message[:255], incident=incident
    )
    if kind == AlertKind.RECOVERED and incident is not None and incident.acknowledged_at is not None:
        # The incident's acknowledgement covers the news that its cameras are back.
        alert.acknowledged_at, alert.acknowledged_by_id = incident.acknowledged_at, incident.acknowledged_by_id
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    transaction.on_commit(lambda: alert_broadcast(alert_id=alert.pk))
    return alert


def _camera_incident_id(camera: Camera) -> int | None:
    """The open incident the camera went offline in, if any."""
    return (
        CameraAlert.objects.filter(camera=camera, kind=AlertKind.OFFLINE, incident__ended_at__isnull=True)
        .order_by("-created_at", "-pk")
        .values_list("incident_id", flat=True)
        .first()
    )


def _incident_join(camera: Camera, at: datetime) -> tuple[CameraIncident, bool]:
    """
    The site's open incident for a camera that went offline, opened now if the site has none
    (returns it and whether it was opened). A camera joining an acknowledged incident makes it
    need looking at again.
    """
    incident = CameraIncident.objects.select_for_update().filter(site_id=camera.site_id, ended_at__isnull=True).first()
    if incident is None:
        return CameraIncident.objects.create(site_id=camera.site_id, started_at=camera.failing_since or at), True
    if incident.acknowledged_at is not None:
        incident.acknowledged_at, incident.acknowledged_by = None, None
        incident.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return incident, False


def _incident_clear_if_over(incident_id: int, at: datetime) -> bool:
    """
    Clear the incident when none of its cameras is offline and monitored any more: it ends at `at`,
    its offline notices are answered, and the same people get one recovery notice.
    """
    incident = CameraIncident.objects.select_for_update().filter(pk=incident_id, ended_at__isnull=True).first()
    if incident is None:
        return False
    camera_ids = incident.alerts.filter(kind=AlertKind.OFFLINE).values_list("camera_id", flat=True)
    still_down = Camera.objects.filter(
        pk__in=camera_ids, status=CameraStatus.IN_SERVICE, maintenance=False, health=Health.OFFLINE
    )
    if still_down.exists():
        return False
    incident.ended_at = at
    incident.save(update_fields=["ended_at"])
    _notify_recovered(incident)
    return True


def _incident_notice_recipients(incident: CameraIncident) -> QuerySet[User]:
    from sites.models import Site

    return camera_offline_recipients(site=Site.objects.only("pk", "name", "unit_id").get(pk=incident.site_id))


def _notify_offline(camera: Camera, incident: CameraIncident, at: datetime) -> None:
    """Once per incident, when it opens: the cameras that join it later are listed on its page."""
    from notifications.choices import NotificationKind
    from notifications.services import notify

    since = date_format(timezone.localtime(camera.failing_since or at), "d/m/Y H:i")
    notify(
        recipients=_incident_notice_recipients(incident),
        kind=NotificationKind.CAMERA_OFFLINE,
        title=_("Camera %(camera)s at %(site)s is offline") % {"camera": camera, "site": incident.site.name},
        body=_("No answer since %(since)s. Last error: %(error)s") % {"since": since, "error": camera.last_probe_error},
        url=incident.get_absolute_url(),
    )


def _notices_count_cameras(incident: CameraIncident) -> None:
    """A camera joined the incident: its unread offline notices say how many cameras are down, no new one."""
    from notifications.choices import NotificationKind
    from notifications.models import Notification

    count = incident.alerts.filter(kind=AlertKind.OFFLINE).values("camera_id").distinct().count()
    title = ngettext("%(n)d camera at %(site)s is offline", "%(n)d cameras at %(site)s are offline", count) % {
        "n": count,
        "site": incident.site.name,
    }
    Notification.objects.filter(
        kind=NotificationKind.CAMERA_OFFLINE, url=incident.get_absolute_url(), read_at__isnull=True
    ).update(title=title[:200])


def _notify_recovered(incident: CameraIncident) -> None:
    from notifications.choices import NotificationKind
    from notifications.services import notification_mark_done, notify

    url = incident.get_absolute_url()
    notification_mark_done(kind=NotificationKind.CAMERA_OFFLINE, url=url)
    cameras = CameraIncident.objects.prefetch_related("alerts__camera").get(pk=incident.pk).cameras
    notify(
        recipients=_incident_notice_recipients(incident),
        kind=NotificationKind.CAMERA_OFFLINE,
        title=_("Cameras at %(site)s are back online") % {"site": incident.site.name},
        body=_("The incident from %(start)s to %(end)s (%(duration)s) is over. Cameras: %(cameras)s.")
        % {
            "start": date_format(timezone.localtime(incident.started_at), "d/m/Y H:i"),
            "end": date_format(timezone.localtime(incident.ended_at), "d/m/Y H:i"),
            "duration": timesince(incident.started_at, incident.ended_at),
            "cameras": ", ".join(str(c) for c in cameras),
        },
        url=url,
    )


def camera_offline_recipients(*, site: Site) -> QuerySet[User]:
    """
    Who is told that a camera of `site` went offline: active technicians and commune officers
    attached to the site's unit, and the district's technicians (attached to no unit, or to a unit
    above the site's).
    """
    from accounts.models import User
    from accounts.roles import Role
    from sites.models import AdministrativeUnit

    parents = dict(AdministrativeUnit.objects.values_list("pk", "parent_id"))
    above, current = set(), parents.get(site.unit_id)
    while current is not None and current not in above:
        above.add(current)
        current = parents.get(current)
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(groups__name__in=[Role.TECHNICIAN, Role.COMMUNE_OFFICER], unit_id=site.unit_id)
            | Q(groups__name=Role.TECHNICIAN, unit__isnull=True)
            | Q(groups__name=Role.TECHNICIAN, unit_id__in=above)
        )
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def camera_health_record(*, camera_id: int, result: ProbeResult, at: datetime | None = None) -> str | None:
    """
    Record one probe result with flap suppression: a camera goes offline only after
    CAMERA_OFFLINE_AFTER_FAILURES failures in a row, and comes back after
    CAMERA_ONLINE_AFTER_SUCCESSES successes in a row. A never-probed camera is online at its first
    success. Each transition opens or closes an outage and raises an alert (pushed after commit).
    Returns "offline" or "recovered" on a transition, else None. Only health fields are written,
    so a technician's concurrent edit of the inventory is never overwritten.
    """
    at = at or timezone.now()
    camera = Camera.objects.select_for_update().defer("password").filter(pk=camera_id).first()
    if camera is None or camera.maintenance or camera.status != CameraStatus.IN_SERVICE:
        return None  # removed, or put in maintenance while the probe ran
    transition = None
    health_before = camera.health
    camera.last_probe_at = at
    camera.monitored_since = camera.monitored_since or at
    if result.ok:
        camera.consecutive_successes += 1
        camera.consecutive_failures = 0
        camera.failing_since = None
        camera.last_seen_at = at
        camera.last_probe_error = ""
        if camera.health == Health.UNKNOWN or (
            camera.health == Health.OFFLINE and camera.consecutive_successes >= settings.CAMERA_ONLINE_AFTER_SUCCESSES
        ):
            # Seen again: an outage left open (offline, or marked faulty and now repaired) ends here.
            CameraOutage.objects.filter(camera=camera, ended_at__isnull=True).update(ended_at=at)
            if camera.health == Health.OFFLINE:
                transition = "recovered"
            camera.health, camera.health_changed_at = Health.ONLINE, at
    else:
        camera.consecutive_failures += 1
        camera.consecutive_successes = 0
        camera.failing_since = camera.failing_since or at
        camera.last_probe_error = f"{result.stage}: {result.error}"[:255]
        if camera.health != Health.OFFLINE and camera.consecutive_failures >= settings.CAMERA_OFFLINE_AFTER_FAILURES:
            transition = "offline"
            camera.health, camera.health_changed_at = Health.OFFLINE, at
            # A camera back from "faulty" that still fails continues the outage it left open.
            if not CameraOutage.objects.filter(camera=camera, ended_at__isnull=True).update(
                last_error=camera.last_probe_error
            ):
                CameraOutage.objects.create(
                    camera=camera, started_at=camera.failing_since, last_error=camera.last_probe_error
                )
        elif camera.health == Health.OFFLINE:
            CameraOutage.objects.filter(camera=camera, ended_at__isnull=True).update(last_error=camera.last_probe_error)
    # .update(), not .save(): health only, so nothing else is clobbered and no history row is written.
    Camera.objects.filter(pk=camera.pk).update(**{name: getattr(camera, name) for name in HEALTH_FIELDS})
    if transition == "offline":
        incident, opened = _incident_join(camera, at)
        _transition_alert(camera, AlertKind.OFFLINE, at, camera.last_probe_error, incident)
        if opened:
            _notify_offline(camera, incident, at)
        else:
            _notices_count_cameras(incident)
    elif transition == "recovered":
        incident_id = _camera_incident_id(camera)
        incident = CameraIncident.objects.filter(pk=incident_id).first() if incident_id else None
        _transition_alert(camera, AlertKind.RECOVERED, at, _("Back online."), incident)
        if incident is not None:
            _incident_clear_if_over(incident.pk, at)
    if camera.health != health_before:  # offline, back online, or online at its first probe
        data_written("cameras.Camera")  # the sites' states (dashboards.status) count offline cameras
        site_section_changed(site_id=camera.site_id, section=SITE_SECTION)
        if transition is None:  # a transition's alert already tells the dashboards
            _dashboards_changed(camera.site_id)
    return transition


def probe_targets() -> list[ProbeTarget]:
    """One target per camera due for probing: in service, not in maintenance, with an address."""
    cameras = (
        Camera.objects.filter(status=CameraStatus.IN_SERVICE, maintenance=False)
        .exclude(stream_url="", ip_address__isnull=True)
        .only("pk", "stream_url", "ip_address", "snapshot_url", "username", "password")
        .order_by("pk")
    )
    return [
        ProbeTarget(
            camera_id=c.pk,
            stream_url=c.stream_url,
            host=c.ip_address or "",
            port=settings.CAMERA_DEFAULT_RTSP_PORT,
            snapshot_url=c.snapshot_url,
            username=c.username,
            password=c.password,
        )
        for c in cameras.iterator(chunk_size=1000)
    ]


def camera_health_sweep() -> SweepReport:
    """
    Probe every due camera (bounded concurrency, per-call timeouts, a deadline per camera) and
    record the results. Only one sweep runs at a time: a sweep that finds another still running
    returns at once with `skipped=True`.
    """
    started = time.monotonic()
    timeout = settings.CAMERA_PROBE_TIMEOUT_SECONDS
    deadline = settings.CAMERA_PROBE_DEADLINE_SECONDS
    if not cache.add(SWEEP_LOCK_KEY, "1", timeout=int(settings.CAMERA_PROBE_INTERVAL_SECONDS * 5)):
        return SweepReport(0, 0, 0, 0, 0, 0.0, skipped=True)
    try:
        targets = probe_targets()
        results = run_probes(targets, concurrency=settings.CAMERA_PROBE_CONCURRENCY, timeout=timeout, deadline=deadline)
        transitions: list[str | None] = []
        for result in results:
            transitions.append(camera_health_record(camera_id=result.camera_id, result=result))
    finally:
        cache.delete(SWEEP_LOCK_KEY)
    ok = sum(1 for r in results if r.ok)
    report = SweepReport(
        probed=len(results),
        ok=ok,
        failed=len(results) - ok,
        went_offline=transitions.count("offline"),
        recovered=transitions.count("recovered"),
        seconds=round(time.monotonic() - started, 3),
    )
    logger.info("camera sweep: %s", report)
    return report


@transaction.atomic
def alert_acknowledge(*, alert: CameraAlert, user: User) -> CameraAlert:
    """Mark an alert as seen by `user`. Acknowledging twice is refused (409) and names who did it."""
    alert = CameraAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.acknowledged_at is not None:
        raise ConflictError(
            _("This alert was already acknowledged by %(user)s.") % {"user": alert.acknowledged_by or "—"}
        )
    alert.acknowledged_at, alert.acknowledged_by = timezone.now(), user
    alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    if (
        alert.incident_id is not None
        and not CameraAlert.objects.filter(incident_id=alert.incident_id, acknowledged_at__isnull=True).exists()
    ):
        CameraIncident.objects.filter(pk=alert.incident_id, acknowledged_at__isnull=True).update(
            acknowledged_at=alert.acknowledged_at, acknowledged_by=user
        )
    return alert


@transaction.atomic
def incidents_acknowledge(*, incidents: Iterable[CameraIncident], user: User) -> int:
    """
    Acknowledge several incidents at once, with every alert of theirs not yet acknowledged; their
    offline notices are answered for everyone. Incidents already acknowledged are left as they
    are. Returns how many were acknowledged now.
    """
    from notifications.choices import NotificationKind
    from notifications.services import notification_mark_done

    now = timezone.now()
    pending = list(
        CameraIncident.objects.select_for_update()
        .filter(pk__in=[i.pk for i in incidents], acknowledged_at__isnull=True)
        .order_by("pk")
    )
    for incident in pending:
        incident.acknowledged_at, incident.acknowledged_by = now, user
        incident.save(update_fields=["acknowledged_at", "acknowledged_by"])
        CameraAlert.objects.filter(incident=incident, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=user
        )
        notification_mark_done(kind=NotificationKind.CAMERA_OFFLINE, url=incident.get_absolute_url())
    if pending:
        from cameras.events import cameras_changed

        site_ids = {i.site_id for i in pending}
        transaction.on_commit(lambda: cameras_changed(site_ids=site_ids))
    return len(pending)
