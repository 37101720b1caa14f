"""
Janus's event endpoint under ASGI, without Django's request machinery (portal/asgi.py routes it here).

Every event of every briefing arrives here (JANUS.md §11.1), and the live board's latency starts
here. Through Django's ASGIHandler a POST crossed between the event loop and threads three times (the
request_started signal, the middleware chain and view, closing the response) and opened a new thread
for each request: most of an event's path to the boards on a busy machine. Here the body is read on
the loop and the events are handled in one hop to a worker thread by the same function as Django's
view (`janus_events_answer`: basic auth, JSON, `events.ingest`, each event's delta pushed as it
commits). Django's view still serves the path under WSGI and in the test client.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.http.request import split_domain_port, validate_host

from common.logcontext import log_context, new_request_id
from live.api.views import janus_events_answer

logger = logging.getLogger("live.api")

PATH = "/api/janus/events/"


class _Disconnected(Exception):
    """Janus went away before its body was read: nothing to answer."""


def _answer(*, authorization: str, body: bytes, request_id: str) -> tuple[int, dict[str, Any], dict[str, str]]:
    with log_context(request_id=request_id):
        close_old_connections()
        try:
            # Each event's delta is pushed as its transaction commits (live.broadcast), not after the
            # batch: a delta held back would reach the boards after a later one from the API or a worker.
            return janus_events_answer(authorization=authorization, body=body)
        except Exception:  # the database is down, say: Janus is told, and retries nothing (it never does)
            logger.exception("Janus events could not be handled")
            return 500, {"message": "internal error"}, {}
        finally:
            close_old_connections()


class JanusEventsRoute:
    """ASGI middleware: POSTs to the event path are answered here, everything else goes to `app`."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        domain, _port = split_domain_port(headers.get("host", ""))
        if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
            await self._respond(send, 400, {"message": "host not allowed"}, {}, request_id)
            return
        if scope["method"] != "POST":
            await self._respond(send, 405, {"message": "POST only"}, {"Allow": "POST"}, request_id)
            return
        try:
            body = await self._body(receive)
        except _Disconnected:
            return
        if body is None:
            await self._respond(send, 413, {"message": "body too large"}, {}, request_id)
            return
        status, payload, extra = await sync_to_async(_answer, thread_sensitive=False)(
            authorization=headers.get("authorization", ""), body=body, request_id=request_id
        )
        await self._respond(send, status, payload, extra, request_id)

    @staticmethod
    async def _body(receive: Any) -> bytes | None:
        """The request body; None when it is larger than DATA_UPLOAD_MAX_MEMORY_SIZE."""
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if limit is not None and size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    @staticmethod
    async def _respond(send: Any, status: int, payload: dict[str, Any], extra: dict[str, str], request_id: str) -> None:
        body = json.dumps(payload).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-request-id", request_id.encode()),
            *((name.lower().encode(), value.encode()) for name, value in extra.items()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
