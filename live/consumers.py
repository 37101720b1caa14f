"""
The live room board's websocket: a snapshot on connect, numbered deltas after. A client that sees a
gap in the numbers sends `{"type": "resync"}` (or reconnects) and gets a fresh snapshot.

Every LIVE_BOARD_HEARTBEAT_SECONDS the consumer sends itself a heartbeat through the channel layer, the
road the deltas take, and passes it on with the room's current delta number. A page that hears no
heartbeat knows its updates stopped (Redis down: the socket itself stays up) and says so; a heartbeat
whose number is ahead of the page's shows deltas were lost (a quiet room after an outage), and the page
asks for a snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from common.consumers import PortalJsonConsumer
from common.logcontext import log_context, new_request_id
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


@database_sync_to_async
def _read_seq(meeting_id: int) -> int:
    from live.models import VideoRoom

    return VideoRoom.objects.filter(meeting_id=meeting_id).values_list("seq", flat=True).first() or 0


class _SeqReader:
    """
    The room's delta number for heartbeats, read from the database at most once per `max_age` seconds
    per meeting in this process, however many sockets watch it: 200 boards heartbeating every 5 s were
    40 queries a second on the thread that also applies Janus's events. Sockets asking while a read is
    under way wait for that read. All consumers of a process share its event loop, so no lock is needed.
    """

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.read: dict[int, tuple[float, int]] = {}
        self.pending: dict[int, asyncio.Task[int]] = {}

    async def __call__(self, meeting_id: int, *, max_age: float) -> int:
        loop = asyncio.get_running_loop()
        if loop is not self.loop:  # another event loop (tests run one each): what was read there is not ours
            self.loop, self.read, self.pending = loop, {}, {}
        cached = self.read.get(meeting_id)
        if cached is not None and loop.time() - cached[0] < max_age:
            return cached[1]
        task = self.pending.get(meeting_id)
        if task is None:
            task = self.pending[meeting_id] = loop.create_task(_read_seq(meeting_id))
            task.add_done_callback(lambda done: self._done(meeting_id, done))
        return await asyncio.shield(task)  # a socket closing while it waits does not cancel the others' read

    def _done(self, meeting_id: int, task: asyncio.Task[int]) -> None:
        self.pending.pop(meeting_id, None)
        if not task.cancelled() and task.exception() is None:
            self.read[meeting_id] = (task.get_loop().time(), task.result())


_seq = _SeqReader()


class LiveBoardConsumer(PortalJsonConsumer):
    """Read-only stream of one meeting's live state, for users who may see the meeting."""

    meeting_id: int
    joined_group = False
    heartbeats: asyncio.Task | None = None

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Log lines of this connection carry its own id (one per socket) and the meeting's.
        if not hasattr(self, "log_id"):
            self.log_id = new_request_id()
        with log_context(request_id=self.log_id, meeting_id=int(self.scope["url_route"]["kwargs"]["meeting_id"])):
            await super().dispatch(message)

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
        self.heartbeats = asyncio.create_task(self.send_heartbeats())

    async def disconnect(self, code: int) -> None:
        if self.heartbeats is not None:
            self.heartbeats.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.heartbeats
        if self.joined_group:
            await self.channel_layer.group_discard(meeting_group(self.meeting_id), self.channel_name)

    async def send_heartbeats(self) -> None:
        """Through the channel layer to this consumer itself: it arrives only if deltas can."""
        period = settings.LIVE_BOARD_HEARTBEAT_SECONDS
        while True:
            await asyncio.sleep(period)
            try:
                await asyncio.wait_for(self.channel_layer.send(self.channel_name, {"type": "live.heartbeat"}), period)
            except Exception as exc:  # the layer is down: the page hears nothing, and says it is stale
                logger.debug("board heartbeat not sent: %r", exc)

    async def live_heartbeat(self, event: dict[str, Any]) -> None:
        """Handles `live.heartbeat`: the layer delivers; tell the page, with the room's delta number now."""
        # At most half a period old: a number ahead of the page's still shows within one heartbeat.
        max_age = min(1.0, settings.LIVE_BOARD_HEARTBEAT_SECONDS / 2)
        await self.send_json({"type": "heartbeat", "data": {"seq": await _seq(self.meeting_id, max_age=max_age)}})

    async def send_snapshot(self) -> None:
        await self.send_json({"type": "snapshot", "data": await _snapshot(self.meeting_id)})

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """The only client message: `{"type": "resync"}` after a gap in the delta numbers."""
        if isinstance(content, dict) and content.get("type") == "resync":
            await self.send_snapshot()

    async def live_delta(self, event: dict[str, Any]) -> None:
        """Handles `live.delta` from the channel layer: forward the numbered delta (`delta_message`), as it is."""
        await self.send(text_data=event["text"])

    async def live_test_call(self, event: dict[str, Any]) -> None:
        """Handles `live.test_call`: the portal asks the named bridge points' room pages for a test call."""
        await self.send_json({"type": "test_call", "data": event["data"]})

    async def live_readiness(self, event: dict[str, Any]) -> None:
        """Handles `live.readiness`: rows of the readiness board whose checklist or test call changed."""
        await self.send_json({"type": "readiness", "data": event["data"]})
