"""Websocket stream of camera alerts for the cameras dashboard (read-only)."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from cameras.constants import ALL_GROUP, WS_NOT_AUTHENTICATED, WS_NOT_AUTHORIZED, unit_group
from common.consumers import PortalJsonConsumer


@database_sync_to_async
def _groups_for(user: Any) -> list[str] | None:
    """The groups this user may listen to, or None when the role may not see camera alerts."""
    if not user.has_perm("cameras.view_cameraalert"):
        return None
    unit_id = None if user.is_superuser else getattr(user, "unit_id", None)
    return [ALL_GROUP] if unit_id is None else [unit_group(unit_id)]


@database_sync_to_async
def _snapshot(user: Any) -> dict[str, Any]:
    from cameras.events import alert_payload
    from cameras.selectors import alert_list, camera_totals

    # Open alerts too, so that a browser that reconnects catches up on what it missed.
    alerts = [alert_payload(a) for a in alert_list(user=user, open_only=True)[:50]]
    return {"totals": camera_totals(user=user), "alerts": alerts}


class CameraAlertConsumer(PortalJsonConsumer):
    """
    On connect: a `cameras.snapshot` with the totals and open alerts the user sees; then every
    `camera.alert` for cameras in the user's units, and `cameras.changed` when their numbers changed
    otherwise. Events are sent to one group per unit up the tree (see cameras.events), so a commune
    user joins only its own unit's group.
    """

    groups_joined: list[str]

    async def connect(self) -> None:
        self.groups_joined = []
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=WS_NOT_AUTHENTICATED)
            return
        groups = await _groups_for(user)
        if groups is None:
            await self.close(code=WS_NOT_AUTHORIZED)
            return
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = groups
        await self.accept()
        await self.send_json({"type": "cameras.snapshot", "data": await _snapshot(user)})

    async def disconnect(self, code: int) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def camera_alert(self, event: dict[str, Any]) -> None:  # handles "camera.alert"
        await self.send_json(event)

    async def cameras_changed(self, event: dict[str, Any]) -> None:  # handles "cameras.changed"
        await self.send_json(event)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """The stream is read-only; anything the browser sends is ignored."""
