"""
The live room board's websocket: a snapshot on connect, numbered deltas after. A client that sees a
gap in the numbers sends `{"type": "resync"}` (or reconnects) and gets a fresh snapshot.
"""

from __future__ import annotations

import logging
from typing import Any

from channels.db import database_sync_to_async

from common.consumers import PortalJsonConsumer
from live.broadcast import meeting_group
from live.constants import WS_FORBIDDEN, WS_NOT_AUTHENTICATED

logger = logging.getLogger("live.websocket")


@database_sync_to_async
def _may_watch(user: Any, meeting_id: int) -> bool:
    from live.selectors import meeting_visible_to
    from meetings.models import Meeting

    meeting = Meeting.objects.select_related("host_bridge_point__room__site").filter(pk=meeting_id).first()
    return meeting is not None and meeting_visible_to(user=user, meeting=meeting)


@database_sync_to_async
def _snapshot(meeting_id: int) -> dict[str, Any]:
    from live.selectors import board_snapshot

    return board_snapshot(meeting_id=meeting_id)


class LiveBoardConsumer(PortalJsonConsumer):
    """Read-only stream of one meeting's live state, for users who may see the meeting."""

    meeting_id: int
    joined_group = False

    async def connect(self) -> None:
        self.meeting_id = int(self.scope["url_route"]["kwargs"]["meeting_id"])
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=WS_NOT_AUTHENTICATED)
            return
        if not await _may_watch(user, self.meeting_id):
            await self.close(code=WS_FORBIDDEN)
            return
        # Join the group before taking the snapshot, so no delta falls between the two.
        await self.channel_layer.group_add(meeting_group(self.meeting_id), self.channel_name)
        self.joined_group = True
        await self.accept()
        await self.send_snapshot()

    async def disconnect(self, code: int) -> None:
        if self.joined_group:
            await self.channel_layer.group_discard(meeting_group(self.meeting_id), self.channel_name)

    async def send_snapshot(self) -> None:
        await self.send_json({"type": "snapshot", "data": await _snapshot(self.meeting_id)})

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """The only client message: `{"type": "resync"}` after a gap in the delta numbers."""
        if isinstance(content, dict) and content.get("type") == "resync":
            await self.send_snapshot()

    async def live_delta(self, event: dict[str, Any]) -> None:
        """Handles `live.delta` from the channel layer: forward the numbered delta."""
        await self.send_json({"type": "delta", "data": event["data"]})

    async def live_test_call(self, event: dict[str, Any]) -> None:
        """Handles `live.test_call`: the portal asks the named bridge points' room pages for a test call."""
        await self.send_json({"type": "test_call", "data": event["data"]})

    async def live_readiness(self, event: dict[str, Any]) -> None:
        """Handles `live.readiness`: rows of the readiness board whose checklist or test call changed."""
        await self.send_json({"type": "readiness", "data": event["data"]})
