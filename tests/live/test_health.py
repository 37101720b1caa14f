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
