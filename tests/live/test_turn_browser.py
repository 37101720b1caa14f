"""
NAT traversal (issue 17): bridge points whose direct UDP path to Janus is blocked (4G, satellite, the
government data network) still publish and receive, relayed by coturn with the time-limited
credentials the portal hands each room page (TURN REST scheme, live/services/turn.py).

Janus, coturn (Debian's, with deploy/coturn/turnserver.conf.in) and Chromium run in the test's
network namespace (JANUS.md §6, §10). nftables inside the namespace drops every UDP packet between
Janus's media ports and any port but coturn's relay ports; the namespace's ephemeral ports (which
Chromium's sockets take) are kept apart from the relay ports, so only the relayed path works.
"""

import os
import re
import secrets
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from django.test import Client

from accounts.roles import Role
from deploy.render import render_file
from live.models import VideoRoom
from live.services.turn import turn_credentials
from tests.browser import chromium, page_as, require_chromium
from tests.deploy.production import self_signed_certificate
from tests.janus_server import ADMIN_SECRET, free_port
from tests.live.conftest import media_server_for, session_cookie, wait_for
from tests.live.helpers import BoardWatcher
from tests.live.netns import HOST_ADDRESS, netns  # noqa: F401  (fixture)
from tests.live.test_e2e_webrtc import janus_in_netns  # noqa: F401  (fixture)
from tests.live.test_room_browser import FAKE_MEDIA, chromium_in_netns, frames  # noqa: F401  (fixture)
from tests.real import require

pytestmark = [pytest.mark.janus, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
RELAY_PORTS = (25000, 25199)
EPHEMERAL_PORTS = (20000, 24999)


def test_credentials_follow_the_turn_rest_scheme(settings):
    settings.TURN_SECRET = "shared-with-coturn"
    settings.TURN_CREDENTIAL_TTL_SECONDS = 3600
    username, password = turn_credentials(name="bp7", now=1_800_000_000)
    assert username == "1800003600:bp7"
    # What coturn computes from static-auth-secret (and `turnadmin`/Janus's turn_rest_api alike).
    import base64
    import hashlib
    import hmac

    expected = base64.b64encode(hmac.new(b"shared-with-coturn", username.encode(), hashlib.sha1).digest()).decode()
    assert password == expected


class Coturn:
    """Debian's turnserver in the namespace, configured from the production template."""

    def __init__(self, netns, folder: Path) -> None:  # noqa: F811
        self.netns, self.folder = netns, folder
        self.port = free_port()
        self.secret = secrets.token_urlsafe(32)
        self.log = folder / "turnserver.log"

    def start(self) -> None:
        cert, key = self_signed_certificate(self.folder)
        values = {
            "TURN_PORT": str(self.port),
            "TURN_TLS_PORT": str(free_port()),
            "TURN_MIN_PORT": str(RELAY_PORTS[0]),
            "TURN_MAX_PORT": str(RELAY_PORTS[1]),
            "DOMAIN": "portal.test",
            "TURN_SECRET": self.secret,
            "TLS_CERT": str(cert),
            "TLS_KEY": str(key),
            # Here Janus is on a loopback address (127.0.0.2) inside the namespace: production refuses
            # loopback peers, the test allows them; everything stays in the namespace.
            "TURN_EXTRA": "\n".join(
                [
                    f"listening-ip={HOST_ADDRESS}",
                    f"relay-ip={HOST_ADDRESS}",
                    "allow-loopback-peers",
                    f"log-file={self.log}",
                    f"pidfile={self.folder / 'turnserver.pid'}",
                ]
            ),
        }
        conf = render_file(ROOT / "deploy" / "coturn" / "turnserver.conf.in", self.folder / "turnserver.conf", values)
        self.netns.popen(
            "turnserver", "-c", str(conf), inside=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while "Total General servers" not in self.text():
            if time.monotonic() > deadline:
                pytest.fail(f"coturn did not start: {self.text()[-2000:]}")
            time.sleep(0.1)

    def text(self) -> str:
        logs = sorted(self.folder.glob("turnserver*.log"))
        return "".join(p.read_text(errors="replace") for p in logs)


def block_direct_udp(netns, janus_ports: tuple[int, int]) -> None:  # noqa: F811
    """Drop UDP between Janus's media ports and anything but coturn's relay ports (counted)."""
    low, high = janus_ports
    relay = f"{RELAY_PORTS[0]}-{RELAY_PORTS[1]}"
    rules = f"""
table inet turntest {{
    chain out {{
        type filter hook output priority 0; policy accept;
        udp dport {low}-{high} udp sport != {relay} counter drop comment "direct"
        udp sport {low}-{high} udp dport != {relay} counter drop comment "direct"
        udp dport {low}-{high} udp sport {relay} counter accept comment "relayed"
    }}
}}
"""
    subprocess.run(
        ["ip", "netns", "exec", netns.name, "nft", "-f", "-"], input=rules, text=True, check=True, capture_output=True
    )
    netns.run("sysctl", "-q", "-w", f"net.ipv4.ip_local_port_range={EPHEMERAL_PORTS[0]} {EPHEMERAL_PORTS[1]}")


def counters(netns) -> dict[str, int]:  # noqa: F811
    out = subprocess.run(
        ["ip", "netns", "exec", netns.name, "nft", "list", "table", "inet", "turntest"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    totals: dict[str, int] = {}
    for packets, name in re.findall(r'counter packets (\d+) bytes \d+ \w+ comment "(\w+)"', out):
        totals[name] = totals.get(name, 0) + int(packets)
    return totals


def selected_pairs(janus) -> list[str]:
    """Janus's selected ICE pair of every handle (Admin API)."""

    def admin(body: dict, path: str = "") -> dict:
        body = {**body, "admin_secret": ADMIN_SECRET, "transaction": secrets.token_hex(6)}
        return httpx.post(f"{janus.admin_url}{path}", json=body, timeout=5).json()

    pairs = []
    for session in admin({"janus": "list_sessions"}).get("sessions", []):
        for handle in admin({"janus": "list_handles"}, f"/{session}").get("handles", []):
            info = admin({"janus": "handle_info"}, f"/{session}/{handle}").get("info", {})
            pair = info.get("webrtc", {}).get("ice", {}).get("selected-pair")
            if pair:
                pairs.append(pair)
    return pairs


def test_pages_behind_blocked_udp_publish_and_receive_through_turn(
    netns,  # noqa: F811
    janus_in_netns,  # noqa: F811
    chromium_in_netns,  # noqa: F811
    portal_server,
    make_briefing,
    make_user,
    eager_tasks,
    settings,
    tmp_path,
):
    require_chromium()
    require(shutil.which("turnserver") and shutil.which("nft"), "coturn and nftables (Debian coturn, nftables)")
    conf = (Path(janus_in_netns.folder) / "janus.jcfg").read_text()
    low, high = map(int, re.search(r'rtp_port_range = "(\d+)-(\d+)"', conf).groups())
    assert high < EPHEMERAL_PORTS[0] or low > RELAY_PORTS[1]
    coturn = Coturn(netns, tmp_path)
    coturn.start()
    block_direct_udp(netns, (low, high))
    settings.TURN_URLS = [f"turn:{HOST_ADDRESS}:{coturn.port}?transport=udp"]
    settings.TURN_SECRET = coturn.secret

    briefing = make_briefing(n=1)
    meeting = briefing.meeting
    media_server_for(janus_in_netns)
    host = make_user(Role.HOST)
    officer = make_user(Role.COMMUNE_OFFICER, unit=briefing.communes[0])
    chair_api = Client()
    chair_api.force_login(host)
    api = f"/api/live/meetings/{meeting.pk}/"
    assert chair_api.post(api + "start/").status_code == 200
    room = VideoRoom.objects.get(meeting=meeting)
    states = {s.bridge_point_id: s for s in room.participants.all()}
    chair_state, site_state = states[briefing.host.pk], states[briefing.sites[0].pk]
    # The join config hands the page coturn with its own expiring credentials.
    officer_api = Client()
    officer_api.force_login(officer)
    config = officer_api.get(api + f"sites/{briefing.sites[0].pk}/join/").json()
    [server] = config["ice_servers"]
    assert server["urls"] == settings.TURN_URLS
    assert server["username"].endswith(f":bp{briefing.sites[0].pk}")
    assert int(server["username"].split(":")[0]) > time.time() + 3600

    board = BoardWatcher(
        f"{portal_server.ws_url}/ws/live/meetings/{meeting.pk}/", session_cookie(host), portal_server.url
    ).start()
    base = portal_server.url
    try:
        with chromium(executable=chromium_in_netns, extra_args=FAKE_MEDIA, env={**os.environ}) as browser:
            chair = page_as(browser, base, session_cookie(host), viewport={"width": 1280, "height": 720})
            commune = page_as(browser, base, session_cookie(officer), viewport={"width": 1280, "height": 720})
            chair.goto(f"{base}/live/meetings/{meeting.pk}/sites/{briefing.host.pk}/")
            commune.goto(f"{base}/live/meetings/{meeting.pk}/sites/{briefing.sites[0].pk}/")
            for page in (chair, commune):
                page.click("#btn-join")
            for state in (chair_state, site_state):
                board.wait(
                    lambda s=state: board.row(s.pk).get("state") == "publishing", timeout=45, message="no publish"
                )
            # Each page decodes the other's picture: media flows both ways.
            wait_for(lambda: frames(commune, chair_state.janus_id) > 10, timeout=30, message="commune: no chair video")
            wait_for(lambda: frames(chair, site_state.janus_id) > 10, timeout=30, message="chair: no commune video")

            # ... through coturn: the direct checks were dropped, the relayed packets flowed, and Janus
            # selected relay candidates for the pages' PeerConnections (a relay candidate exists only
            # once coturn accepted the page's credentials for an allocation).
            seen = counters(netns)
            assert seen.get("direct", 0) > 0, seen
            assert seen.get("relayed", 0) > 200, seen
            pairs = selected_pairs(janus_in_netns)
            assert pairs and all("relay" in pair for pair in pairs), pairs
    finally:
        board.stop()
