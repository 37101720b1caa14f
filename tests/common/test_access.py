"""
Access (issue 15): the API map needs a login; login throttling cannot be escaped with a made-up
X-Forwarded-For, checked against uvicorn started as the Procfile starts it.
"""

import re
import shlex
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from tests.janus_server import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_schema_and_swagger_ui_need_a_login(client, api, admin_user):
    assert api(None).get("/api/schema/").status_code == 401
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/accounts/login/")
    client.force_login(admin_user)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


class ProcfileServer:
    """The portal under uvicorn with the Procfile's own options (in a thread, same test database)."""

    def __init__(self) -> None:
        line = next(x for x in (ROOT / "Procfile").read_text().splitlines() if x.startswith("web:"))
        self.port = free_port()
        args = shlex.split(line.partition(":")[2].replace("${WEB_PORT:-8000}", str(self.port)))[1:]
        params = uvicorn.main.make_context("uvicorn", args).params
        config = uvicorn.Config(
            params["app"],
            host=params["host"],
            port=self.port,
            proxy_headers=params["proxy_headers"],
            forwarded_allow_ips=params["forwarded_allow_ips"],
            lifespan="off",
            log_level="warning",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def _failed_login(http: httpx.Client, forwarded_for: str) -> int:
    page = http.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = http.post(
        "/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": "victim", "password": "wrong"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return response.status_code


def test_a_made_up_x_forwarded_for_does_not_escape_the_lockout(transactional_db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    with ProcfileServer() as url, httpx.Client(base_url=url) as http:
        codes = [_failed_login(http, f"198.51.100.{n}") for n in range(1, 6)]
    assert codes[:2] == [200, 200], codes  # the form again, with its error
    assert codes[3:] == [429, 429], codes  # locked out, whatever the header says


def test_x_forwarded_for_is_believed_from_a_configured_proxy_only(transactional_db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.PORTAL_TRUSTED_PROXIES = ["127.0.0.1"]  # nginx on the same host
    with ProcfileServer() as url, httpx.Client(base_url=url) as http:
        attacker = [_failed_login(http, "203.0.113.7") for _ in range(4)]
        other_client = _failed_login(http, "203.0.113.8")
    assert attacker[3] == 429 and other_client == 200, (attacker, other_client)
