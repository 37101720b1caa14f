"""/healthz checks every enabled media server row."""

import pytest

from common.health import portal_health
from live.models import MediaServer
from tests.janus_server import free_port
from tests.live.conftest import media_server_for

pytestmark = pytest.mark.janus


def test_each_media_server_is_checked(janus, db):
    media_server_for(janus, "up")
    MediaServer.objects.create(name="down", server_name="down", api_url=f"http://127.0.0.1:{free_port()}/janus")
    MediaServer.objects.create(name="off", server_name="off", api_url="http://127.0.0.1:1/janus", is_enabled=False)
    checks = portal_health()["checks"]
    up = next(v for k, v in checks.items() if k.startswith("janus:up"))
    assert up["ok"] and up["detail"] == "1.1.2"
    assert checks["janus:down"]["ok"] is False
    assert "janus:off" not in checks and "janus" not in checks


_http = None


def _healthz(url: str, cookie: str | None = None) -> tuple[int, dict, float]:
    """One GET /healthz on a kept connection (a new client's TLS setup alone takes tens of ms)."""
    import time

    import httpx

    global _http
    _http = _http or httpx.Client(timeout=10)
    started = time.perf_counter()
    response = _http.get(f"{url}/healthz", headers={"Cookie": cookie} if cookie else {})
    return response.status_code, response.json(), (time.perf_counter() - started) * 1000


def test_health_is_current_fast_logged_and_the_same_on_the_panel(
    janus_factory, celery_worker_process, portal_server, admin_user, caplog, settings
):
    """
    /healthz waited its 1 s worker ping on every call, and the administrator's panel was cached 30 s:
    it said Janus was fine while /healthz answered 503. Now both read one report, checked at once.
    """
    import logging
    import signal
    import statistics

    from django.test import Client
    from django.urls import reverse

    from tests.live.conftest import session_cookie, wait_for
    from tests.pages import panel_html

    caplog.set_level(logging.INFO, logger="portal.health")
    server = janus_factory()
    row = media_server_for(server, "hall")
    # The worker reports its heartbeat once started (no synchronous ping).
    wait_for(lambda: _healthz(portal_server.url)[0] == 200, timeout=15, message="never healthy")
    timings = [_healthz(portal_server.url)[2] for _ in range(15)]
    status, body, _ms = _healthz(portal_server.url, session_cookie(admin_user))
    print(f"/healthz median {statistics.median(timings):.1f} ms over {len(timings)} requests")
    assert statistics.median(timings) < 50, (timings, body)
    assert status == 200 and body["checks"]["workers"]["ok"] and body["checks"]["workers"]["ms"] < 20

    web = Client()
    web.force_login(admin_user)
    assert "Failing" not in panel_html(web.get(reverse("home")).content.decode(), "common.health")

    server.stop()
    for _ in range(3):
        status, body, _ms = _healthz(portal_server.url)
        assert status == 503 and body["checks"][f"janus:{row.name}"]["ok"] is False
    panel = panel_html(web.get(reverse("home")).content.decode(), "common.health")
    assert "Failing" in panel and "ConnectError" in panel  # the panel says what /healthz says, now
    failing = [r.getMessage() for r in caplog.records if "is failing" in r.getMessage()]
    assert len(failing) == 1 and f"janus:{row.name}" in failing[0], failing  # once, not per look

    server.start()
    assert _healthz(portal_server.url)[0] == 200
    assert len([r for r in caplog.records if "is OK again" in r.getMessage()]) == 1

    celery_worker_process.stop(signal.SIGKILL)  # no heartbeat any more
    wait_for(
        lambda: _healthz(portal_server.url)[0] == 503,
        timeout=3 * settings.WORKER_HEARTBEAT_SECONDS + 3,
        message="a dead worker still counts",
    )
    assert any("health: workers is failing" in r.getMessage() for r in caplog.records)
