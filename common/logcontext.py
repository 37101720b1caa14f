"""
Structured logs: every log line carries the id of the request it belongs to and, where known, the
meeting's id.

- `RequestIdMiddleware` (first in MIDDLEWARE; `CommonConfig.ready` clears the ids when the request
  finishes) gives each request its id: the `X-Request-ID` a trusted
  proxy (`PORTAL_TRUSTED_PROXIES`) sent, if it is a short token of safe characters, else a new one;
  the response echoes it. Views of a meeting (a `meeting_id` or `meeting_pk` in the URL, or the `pk` of
  `…/meetings/<pk>/…` and `…/briefings/<pk>/…`) set the meeting id too.
- The live board's websocket consumer sets both for its connection (`log_context`).
- Celery: a task queued while they are set carries them in its message headers, and the worker sets
  them while it runs (a task's own `meeting_id` argument wins over the header).
- `ContextFilter`, on the handlers, puts them on every record (`request_id`, `meeting_id`; "-" when
  unknown; a record's own `extra` wins); `JsonFormatter` writes one JSON object per line (production).

Only these ids and the message are added: no header, cookie, token or body is ever logged here.
"""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextvars import ContextVar, Token
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from pythonjsonlogger.json import JsonFormatter as _LibraryJsonFormatter

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
meeting_id_var: ContextVar[int | None] = ContextVar("meeting_id", default=None)

HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_MEETING_ROUTE = re.compile(r"(?:^|/)(?:meetings|briefings)/<int:pk>/")


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextlib.contextmanager
def log_context(*, request_id: str | None = None, meeting_id: int | None = None) -> Iterator[None]:
    """Within the block, log records carry these ids (the ones not given stay as they were)."""
    tokens: list[tuple[ContextVar, Token]] = []
    if request_id is not None:
        tokens.append((request_id_var, request_id_var.set(request_id)))
    if meeting_id is not None:
        tokens.append((meeting_id_var, meeting_id_var.set(int(meeting_id))))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def incoming_request_id(request: HttpRequest) -> str | None:
    """The proxy's X-Request-ID, if the request came from a trusted proxy and the id is safe to log."""
    if request.META.get("REMOTE_ADDR") not in set(settings.PORTAL_TRUSTED_PROXIES):
        return None
    value = request.META.get("HTTP_X_REQUEST_ID", "")
    return value if _SAFE_ID.match(value) else None


def meeting_id_of(route: str, kwargs: dict[str, Any]) -> int | None:
    """The meeting a URL is about, from its route and arguments (None if it is about none)."""
    for name in ("meeting_id", "meeting_pk"):
        if isinstance(kwargs.get(name), int):
            return kwargs[name]
    if isinstance(kwargs.get("pk"), int) and _MEETING_ROUTE.search(route):
        return kwargs["pk"]
    return None


class RequestIdMiddleware:
    """Each request's id (and meeting id) for its log lines; the id is echoed in X-Request-ID."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Set for the rest of the request, not just this call: Django logs a 4xx/5xx ("Not Found: …")
        # after the middleware returns. Cleared when the response is closed (`request_finished`).
        request_id = incoming_request_id(request) or new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        request_id_var.set(request_id)
        meeting_id_var.set(None)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response

    def process_view(self, request: HttpRequest, view: Callable, args: tuple, kwargs: dict[str, Any]) -> None:
        match = request.resolver_match
        meeting_id = meeting_id_of(match.route if match else "", kwargs)
        if meeting_id is not None:
            meeting_id_var.set(meeting_id)


def request_context_clear(**kwargs: Any) -> None:
    """`request_finished`: the request is over; lines logged after it are no longer its own."""
    request_id_var.set(None)
    meeting_id_var.set(None)


class ContextFilter(logging.Filter):
    """Put the request id and the meeting id on each record (a record's own `extra` wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get() or "-"
        if getattr(record, "meeting_id", None) is None:
            meeting_id = meeting_id_var.get()
            record.meeting_id = meeting_id if meeting_id is not None else "-"
        return True


class JsonFormatter(_LibraryJsonFormatter):
    """
    One JSON object per line (python-json-logger): time (UTC), level, logger, message, the ids where
    known, and the traceback if any. Nothing else of the record: a call's `extra` may hold more than a
    log collector should keep.
    """

    KEYS = ("time", "level", "logger", "message", "request_id", "meeting_id", "task_id", "task_name", "exc", "stack")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("json_ensure_ascii", False)
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault(
            "rename_fields", {"levelname": "level", "name": "logger", "exc_info": "exc", "stack_info": "stack"}
        )
        super().__init__("%(levelname)s %(name)s %(message)s", *args, **kwargs)

    def process_log_record(self, log_record: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in log_record.items() if key in self.KEYS and value not in (None, "-", "???")}


#
# Celery: the ids travel in the task's message headers
#

_task_tokens: dict[str, list[tuple[ContextVar, Token]]] = {}


def task_headers_add(headers: dict[str, Any] | None) -> None:
    """`before_task_publish`: a task queued within a request (or a task) carries its ids."""
    if headers is None:
        return
    request_id, meeting_id = request_id_var.get(), meeting_id_var.get()
    if request_id and not headers.get("request_id"):
        headers["request_id"] = request_id
    if meeting_id is not None and headers.get("meeting_id") is None:
        headers["meeting_id"] = meeting_id


def task_context_enter(task: Any, task_id: str, kwargs: dict[str, Any] | None) -> None:
    """`task_prerun`: the ids from the headers, the task's `meeting_id` argument, or the caller's (eager)."""
    request = getattr(task, "request", None)
    headers = getattr(request, "headers", None) or {}

    def header(name: str) -> Any:
        return getattr(request, name, None) or headers.get(name)

    meeting_id = (kwargs or {}).get("meeting_id")
    if not isinstance(meeting_id, int):
        meeting_id = header("meeting_id")
    request_id = header("request_id")
    tokens = []
    if request_id and isinstance(request_id, str) and _SAFE_ID.match(request_id):
        tokens.append((request_id_var, request_id_var.set(request_id)))
    if isinstance(meeting_id, int):
        tokens.append((meeting_id_var, meeting_id_var.set(meeting_id)))
    _task_tokens[task_id] = tokens


def task_context_exit(task_id: str) -> None:
    """`task_postrun`: back to what was set before the task."""
    for var, token in reversed(_task_tokens.pop(task_id, [])):
        with contextlib.suppress(ValueError):  # set in another context (should not happen)
            var.reset(token)
