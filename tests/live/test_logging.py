"""
Structured logs (issue 17): a request's log records carry its id, which the response echoes (a trusted
proxy's own id is kept if it is safe); views of a meeting, the board's websocket and Celery tasks add
the meeting id; a task queued by a request logs, in the real worker, with that request's id and the
meeting's; the JSON format writes both, and never a header or a token.
"""

from __future__ import annotations

import json
import logging
import re
import time

import pytest
from django.test import Client

from accounts.roles import Role
from common.logcontext import ContextFilter, JsonFormatter, log_context
from live import tasks
from meetings.models import Meeting

pytestmark = pytest.mark.django_db


class Collect(logging.Handler):
    """The records that reach the root logger, with the portal's filter (as its console handler has)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.addFilter(ContextFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def collected():
    handler = Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


def test_a_requests_log_lines_carry_its_id_and_the_meeting(collected, make_user, settings):
    client = Client()
    client.force_login(make_user(Role.HOST))
    missing = 987654
    response = client.get(f"/live/meetings/{missing}/board/")
    assert response.status_code == 404
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    (record,) = [r for r in collected.records if r.name == "django.request"]
    assert record.request_id == request_id and record.meeting_id == missing
    # Another request, another id; a page about no meeting has none.
    response = client.get("/no-such-page/")
    other = response.headers["X-Request-ID"]
    assert other != request_id
    record = [r for r in collected.records if r.name == "django.request"][-1]
    assert (record.request_id, record.meeting_id) == (other, "-")


def test_a_trusted_proxys_request_id_is_kept_if_safe(collected, settings):
    client = Client()
    proxy_id = "f3b1c2d4e5a60718293a4b5c6d7e8f90"
    assert client.get("/no-such-page/", HTTP_X_REQUEST_ID=proxy_id).headers["X-Request-ID"] != proxy_id
    settings.PORTAL_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client.get("/no-such-page/", HTTP_X_REQUEST_ID=proxy_id).headers["X-Request-ID"] == proxy_id
    assert collected.records[-1].request_id == proxy_id
    for unsafe in ("short", "a b c d e f g h", "x" * 65, "evil\nFAKE LOG LINE 12345"):
        echoed = client.get("/no-such-page/", HTTP_X_REQUEST_ID=unsafe).headers["X-Request-ID"]
        assert echoed != unsafe and re.fullmatch(r"[0-9a-f]{32}", echoed)


def test_the_json_format_has_the_ids_and_nothing_else_of_the_request():
    record = logging.LogRecord("live.services", logging.WARNING, __file__, 1, "meeting %s moved", (7,), None)
    with log_context(request_id="abcdef0123456789", meeting_id=7):
        ContextFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "meeting 7 moved" and line["level"] == "WARNING" and line["logger"] == "live.services"
    assert (line["request_id"], line["meeting_id"]) == ("abcdef0123456789", 7)
    assert set(line) == {"time", "level", "logger", "message", "request_id", "meeting_id"}


def test_the_production_settings_log_json():
    import subprocess
    import sys

    code = (
        "import django, logging; django.setup();"
        "from django.conf import settings as s; print(s.LOGGING['handlers']['console']['formatter'])"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "FIELD_ENCRYPTION_KEY": "k" * 44,
        "DJANGO_ALLOWED_HOSTS": "giaoban.example.vn",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "json"


def test_an_eager_live_task_logs_with_its_meeting(collected, eager_tasks, caplog):
    caplog.set_level(logging.INFO, logger="celery.app.trace")  # "Task … succeeded"
    with log_context(request_id="0123456789abcdef"):
        tasks.room_close.delay(meeting_id=4242)
        logging.getLogger("test").warning("after the task")
    trace = [r for r in collected.records if r.name == "celery.app.trace"]
    assert trace and all(r.meeting_id == 4242 and r.request_id == "0123456789abcdef" for r in trace)
    assert collected.records[-1].meeting_id == "-"  # back to the caller's context after the task


@pytest.mark.django_db(transaction=True)
def test_a_task_queued_by_a_request_logs_with_its_ids_in_the_worker(celery_worker_process, make_briefing, make_user):
    briefing = make_briefing(n=1)
    Meeting.objects.filter(pk=briefing.meeting.pk).update(status=Meeting.Status.LIVE)
    client = Client()
    client.force_login(make_user(Role.HOST))
    response = client.post(f"/api/live/meetings/{briefing.meeting.pk}/end/")  # queues live.tasks.room_close
    assert response.status_code == 200, response.content
    request_id = response.headers["X-Request-ID"]
    wanted = f"[req={request_id} meeting={briefing.meeting.pk}]"
    deadline = time.monotonic() + 30
    while True:
        lines = [line for line in celery_worker_process.log.read_text().splitlines() if "live.tasks.room_close" in line]
        done = [line for line in lines if "succeeded" in line]
        if done:
            break
        if time.monotonic() > deadline:
            pytest.fail(f"the task did not run: {lines}")
        time.sleep(0.2)
    assert wanted in done[0], done[0]


@pytest.mark.django_db(transaction=True)
def test_through_the_asgi_server_too(portal_server, make_user, collected):
    """Production serves through uvicorn: the id set by the middleware reaches Django's own 404 line."""
    import httpx

    from tests.live.conftest import session_cookie

    cookie = session_cookie(make_user(Role.HOST))
    response = httpx.get(f"{portal_server.url}/live/meetings/424242/board/", headers={"Cookie": cookie})
    assert response.status_code == 404
    request_id = response.headers["X-Request-ID"]
    (record,) = [r for r in collected.records if r.name == "django.request"]
    assert (record.request_id, record.meeting_id) == (request_id, 424242)
