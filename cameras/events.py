"""
Live camera events over the channel layer. One envelope shape, `{"type", "data"}`:
`camera.alert` when a camera goes offline or comes back, and `cameras.changed` when what the
dashboard counts changed otherwise (a camera's first probe, maintenance, an incident acknowledged).
Sent only after the transaction that made the change commits (see `cameras.services`); the dashboard
then fetches its numbers again, so its cards and tables always come from the same query.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone
from django.utils.formats import date_format

from cameras.constants import ALL_GROUP, unit_group
from cameras.models import CameraAlert

__all__ = ["alert_broadcast", "alert_payload", "cameras_changed", "groups_for_unit"]


def groups_for_unit(unit_id: int) -> list[str]:
    """ALL_GROUP plus the unit's group and each ancestor's (a district user hears its communes)."""
    from sites.models import AdministrativeUnit

    parents = dict(AdministrativeUnit.objects.values_list("pk", "parent_id"))
    groups, current, seen = [ALL_GROUP], unit_id, set()
    while current is not None and current not in seen:
        seen.add(current)
        groups.append(unit_group(current))
        current = parents.get(current)
    return groups


def alert_payload(alert: CameraAlert) -> dict[str, Any]:
    camera = alert.camera
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "kind_display": str(alert.get_kind_display()),
        "created_at": timezone.localtime(alert.created_at).isoformat(),
        "created_at_display": date_format(timezone.localtime(alert.created_at), "d/m/Y H:i:s"),
        "message": alert.message,
        "incident": alert.incident_id,
        "camera": {
            "id": camera.pk,
            "code": camera.code,
            "name": str(camera),
            "site": camera.site.name,
            "health": camera.health,
            "url": camera.get_absolute_url(),
        },
    }


def alert_broadcast(*, alert_id: int) -> None:
    """Push one alert to every browser that may see its camera. Call after commit."""
    alert = CameraAlert.objects.select_related("camera", "camera__site").filter(pk=alert_id).first()
    if alert is None:
        return
    layer = get_channel_layer()
    event = {"type": "camera.alert", "data": alert_payload(alert)}
    for group in groups_for_unit(alert.camera.site.unit_id):
        async_to_sync(layer.group_send)(group, event)


def cameras_changed(*, site_ids: Iterable[int]) -> None:
    """Tell the dashboards that may see these sites that their numbers changed. Call after commit."""
    from sites.models import Site

    layer = get_channel_layer()
    groups: set[str] = set()
    for unit_id in Site.objects.filter(pk__in=list(site_ids)).values_list("unit_id", flat=True).distinct():
        groups.update(groups_for_unit(unit_id))
    event = {"type": "cameras.changed", "data": {}}
    for group in sorted(groups):
        async_to_sync(layer.group_send)(group, event)
