"""
The base of the portal's websocket consumers.

Channels (4.2 and later) runs `close_old_connections` before every handler it dispatches, through
`sync_to_async`: one hop through the process's single thread-sensitive executor per message per
socket. A delta to a meeting watched by 200 boards made 200 such hops in a row, which was most of the
fan-out's time. The portal's consumers reach the database only inside `database_sync_to_async`
(connect, snapshots), which closes old connections itself before and after, so their handlers are
dispatched directly.
"""

from __future__ import annotations

from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer


class PortalJsonConsumer(AsyncJsonWebsocketConsumer):
    """AsyncJsonWebsocketConsumer whose handlers never touch the database outside `database_sync_to_async`."""

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
