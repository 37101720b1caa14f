"""
Production settings serve pages (issue 17): `collectstatic` with the manifest storage succeeds on this
machine (Debian JavaScript packages with dangling source maps, like libjs-sphinxdoc, are installed
here), and the main pages answer 200 through the real ASGI server as a logged-in user, every static
file they refer to by its hashed name.
"""

import asyncio
import json
import ssl
from datetime import timedelta

import httpx
import pytest
import websockets
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from meetings.models import Meeting, MeetingInvitation
from sites.choices import BridgePointRole, UnitKind
from tests.deploy.production import (
    AsgiServer,
    Nginx,
    ProxiedClient,
    collectstatic,
    production_env,
    production_password,
    self_signed_certificate,
    static_refs,
)
from tests.factories import PASSWORD
from tests.factories.sites import BridgePointFactory, RoomFactory, SiteFactory, UnitFactory
from tests.janus_server import janus  # noqa: F401  (fixture)


@pytest.fixture(scope="module")
def production(django_db_setup, tmp_path_factory):
    """Collected once for the module (brotli and gzip of every file: about a minute of CPU)."""
    tmp_path = tmp_path_factory.mktemp("production")
    env = production_env(tmp_path / "static")
    result = collectstatic(env)
    assert result.returncode == 0, result.stderr[-3000:]
    server = AsgiServer(env, tmp_path / "uvicorn.log", workers=2).start()
    yield server, tmp_path / "static"
    server.stop()


def test_collectstatic_takes_only_the_debian_files_the_portal_uses(production):
    _, static_root = production
    debian = sorted(p.relative_to(static_root).as_posix() for p in (static_root / "debian").rglob("*.js"))
    assert [p for p in debian if "." not in p.rsplit("/", 1)[1].removesuffix(".js")] == [
        "debian/janus-gateway/janus.js",
        "debian/webrtc-adapter/adapter.js",
    ]
    assert not (static_root / "debian" / "sphinxdoc").exists()
    assert (static_root / "staticfiles.json").is_file()


def test_main_pages_answer_through_the_asgi_server_with_hashed_static_files(production, transactional_db, make_user):
    server, _ = production
    district = UnitFactory(kind=UnitKind.DISTRICT, name="Huyện Núi Thành")
    host = BridgePointFactory(
        room=RoomFactory(site=SiteFactory(unit=district, name="UBND huyện")), role=BridgePointRole.HOST
    )
    commune = UnitFactory(parent=district, name="Xã Tam Hải")
    site = BridgePointFactory(room=RoomFactory(site=SiteFactory(unit=commune)))
    admin = make_user(Role.ADMINISTRATOR, username="quantri")
    admin.password = production_password(PASSWORD)
    admin.is_staff = True
    admin.save(update_fields=["password", "is_staff"])
    now = timezone.now()
    meeting = Meeting.objects.create(
        title="Giao ban tuần",
        host_bridge_point=host,
        chair="Chủ tịch UBND huyện",
        organiser=admin,
        starts_at=now + timedelta(minutes=10),
        ends_at=now + timedelta(hours=2),
        status=Meeting.Status.SCHEDULED,
    )
    MeetingInvitation.objects.create(meeting=meeting, bridge_point=site)

    client = ProxiedClient(server.url)
    try:
        # Plain HTTP is sent to HTTPS; the session cookie is secure and HTTP-only.
        plain = client.client.get("/accounts/login/")
        assert plain.status_code == 301 and plain.headers["location"].startswith("https://")
        login = client.login("quantri", PASSWORD)
        assert "secure" in login.headers["set-cookie"].lower()

        pages = [
            reverse("home"),
            reverse("sites:site_list"),
            reverse("meetings:meeting_list"),
            reverse("meetings:meeting_detail", args=[meeting.pk]),
            reverse("meetings:briefing_dashboard"),
            reverse("meetings:booking_calendar"),
            reverse("live:index"),
            reverse("live:board", args=[meeting.pk]),
            reverse("live:join", args=[meeting.pk, host.pk]),
            reverse("dashboards:map"),
            reverse("cameras:camera_list"),
            reverse("investments:investmentplan_list"),
            reverse("notifications:notification_list"),
            "/admin/",
            "/api/docs/",
        ]
        refs: set[str] = set()
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code, response.text[:500])
            assert response.headers["strict-transport-security"].startswith("max-age=")
            found = static_refs(response.text)
            assert found, path
            refs |= found
        room = client.get(reverse("live:join", args=[meeting.pk, host.pk])).text
        assert any(r.startswith("/static/debian/janus-gateway/janus.") for r in static_refs(room))
        assert any(r.startswith("/static/debian/webrtc-adapter/adapter.") for r in static_refs(room))
        assert any(r.startswith("/static/vendor/chartjs/chart.umd.min.") for r in refs)
        for ref in sorted(refs):
            name = ref.rsplit("/", 1)[1]
            # The manifest's hashed name (e.g. app.3f2a9c1b7d4e.js), served with a long cache life.
            assert len(name.split(".")) >= 3, ref
            response = client.get(ref)
            assert response.status_code == 200, ref
            assert "max-age=315360000" in response.headers["cache-control"], ref
        # The 404 page renders too (it needs the manifest as much as any page).
        assert client.get("/nowhere/").status_code == 404
    finally:
        client.close()


@pytest.fixture(scope="module")
def behind_nginx(production, janus, tmp_path_factory):  # noqa: F811
    server, _ = production
    folder = tmp_path_factory.mktemp("nginx")
    cert, key = self_signed_certificate(folder)
    nginx = Nginx(
        folder,
        {
            "DOMAIN": "127.0.0.1",
            "TLS_CERT": str(cert),
            "TLS_KEY": str(key),
            "WEB_PORT": str(server.port),
            "JANUS_HTTP_PORT": str(janus.http_port),
            "JANUS_WS_PORT": str(janus.ws_port),
        },
    )
    checked = nginx.test_config()
    assert checked.returncode == 0, checked.stderr
    nginx.start()
    yield nginx, cert
    nginx.stop()


def test_nginx_serves_the_portal_and_janus_over_tls_with_websockets(behind_nginx, transactional_db, make_user):
    nginx, cert = behind_nginx
    user = make_user(Role.ADMINISTRATOR, username="quantri2")
    user.password = production_password(PASSWORD)
    user.save(update_fields=["password"])
    district = UnitFactory(kind=UnitKind.DISTRICT)
    host = BridgePointFactory(room=RoomFactory(site=SiteFactory(unit=district)), role=BridgePointRole.HOST)
    now = timezone.now()
    meeting = Meeting.objects.create(
        title="Giao ban",
        chair="Chủ tịch UBND huyện",
        host_bridge_point=host,
        organiser=user,
        starts_at=now + timedelta(minutes=5),
        ends_at=now + timedelta(hours=1),
        status=Meeting.Status.SCHEDULED,
    )

    # Plain HTTP is sent to HTTPS by nginx.
    plain = httpx.get(f"http://127.0.0.1:{nginx.http_port}/live/")
    assert plain.status_code == 301 and plain.headers["location"] == "https://127.0.0.1/live/"

    client = ProxiedClient(nginx.url, cafile=cert)
    try:
        client.login("quantri2", PASSWORD)
        home = client.get("/")
        assert home.status_code == 200 and home.headers["strict-transport-security"]
        ref = sorted(static_refs(home.text))[0]
        assert client.get(ref).status_code == 200
        # Janus's HTTP API under the portal's origin; its event receiver is not reachable from outside.
        info = client.get("/janus/info")
        assert info.status_code == 200 and info.json()["janus"] == "server_info"
        assert client.request("POST", "/api/janus/events/", json=[]).status_code == 404
        session_cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    finally:
        client.close()

    context = ssl.create_default_context(cafile=str(cert))
    wss = nginx.url.replace("https://", "wss://")

    async def websockets_through_nginx() -> tuple[dict, dict]:
        async with websockets.connect(
            f"{wss}/ws/live/meetings/{meeting.pk}/",
            ssl=context,
            origin=nginx.url,
            additional_headers={"Cookie": session_cookie},
            open_timeout=20,
        ) as board:
            snapshot = json.loads(await asyncio.wait_for(board.recv(), 20))
        async with websockets.connect(
            f"{wss}/janus-ws", ssl=context, subprotocols=["janus-protocol"], open_timeout=20
        ) as janus_ws:
            await janus_ws.send(json.dumps({"janus": "info", "transaction": "t1"}))
            reply = json.loads(await asyncio.wait_for(janus_ws.recv(), 20))
        return snapshot, reply

    snapshot, reply = asyncio.run(websockets_through_nginx())
    assert snapshot["type"] == "snapshot" and snapshot["data"]["meeting"]["status"] == "scheduled"
    assert reply["janus"] == "server_info" and reply["transaction"] == "t1"


def test_janus_events_and_health_reach_the_server_on_loopback_without_redirect(production):
    """Janus posts its events in plain HTTP on loopback: a redirect to HTTPS would lose every one."""
    server, _ = production
    events = httpx.post(f"{server.url}/api/janus/events/", json=[], timeout=30)
    assert events.status_code == 401  # not 301: only the basic auth stands in the way
    assert httpx.get(f"{server.url}/healthz", timeout=30).status_code in (200, 503)
    assert httpx.get(f"{server.url}/", timeout=30).status_code == 301
