"""
Recording end to end (b21): a real Janus (in a private network namespace) records a briefing of two
real WebRTC publishers (aiortc: the host hall and one commune, each playing its own tone), a real
Celery worker creates and closes the room and post-processes the recording with the real
janus-pp-rec and ffmpeg; ffprobe and ffmpeg check what came out.

- ~5 s briefing: the programme and a file per site exist, their durations (ffprobe) are within 1 s of
  what was recorded, and the programme carries both sites' tones (each heard through a band-pass).
- A Janus restart mid-recording: the commune's file joins its two segments in order, and the
  programme keeps the gap (listed on the rows).
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time

import pytest
from django.conf import settings
from django.test import Client

from accounts.roles import Role
from live.models import Recording, VideoRoom
from tests.live.conftest import media_server_for, wait_for
from tests.live.helpers import Publisher
from tests.live.netns import HOST_ADDRESS, netns  # noqa: F401  (fixture)
from tests.real import require

pytestmark = [pytest.mark.janus, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

HOST_TONE, SITE_TONE = 440, 2500


@pytest.fixture
def janus_in_netns(netns, janus_factory, tmp_path):  # noqa: F811
    server = janus_factory(
        start=False, netns=netns.name, nat_extra=f'ice_enforce_list = "{netns.veth}"', interface=HOST_ADDRESS
    )
    relays = tmp_path / "relays"
    relays.mkdir()
    for port in (server.http_port, server.admin_port, server.ws_port):
        netns.relay_out(port, relays)
    server.start()
    server.wait_ready()
    return server


def ffprobe_duration(path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(out.strip())


def band_level(path, frequency: int, tail: float | None = None) -> float:
    """
    Mean volume (dB) of the file's audio through a narrow band-pass around `frequency`; over its last
    `tail` seconds when given, else over the whole file.
    """
    window = ["-sseof", f"-{tail}"] if tail else []
    out = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "info", *window, "-i", str(path), "-vn", "-af",
         f"bandpass=f={frequency}:width_type=q:w=8,volumedetect", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr  # fmt: skip
    return float(re.search(r"mean_volume: (-?[\d.]+) dB", out).group(1))


def has_stream(path, kind: str) -> bool:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", kind, "-show_entries", "stream=codec_type", "-of", "csv=p=0",
         str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout  # fmt: skip
    return bool(out.strip())


def _start(make_briefing, make_user, janus):
    for tool in ("janus-pp-rec", "ffmpeg", "ffprobe"):
        require(shutil.which(tool), f"{tool} (scripts/install.sh)")
    briefing = make_briefing(n=1)
    media_server_for(janus)
    host, officer = make_user(Role.HOST), make_user(Role.COMMUNE_OFFICER, unit=briefing.communes[0])
    host_api, officer_api = Client(), Client()
    host_api.force_login(host)
    officer_api.force_login(officer)
    api = f"/api/live/meetings/{briefing.meeting.pk}/"
    assert host_api.post(api + "start/").status_code == 200
    wait_for(
        lambda: VideoRoom.objects.filter(meeting=briefing.meeting, status="active").first(),
        timeout=20,
        message="the worker did not create the room",
    )
    configs = {
        "host": host_api.get(api + f"sites/{briefing.host.pk}/join/").json(),
        "site": officer_api.get(api + f"sites/{briefing.sites[0].pk}/join/").json(),
    }
    return briefing, host_api, api, configs


def _publish(netns, janus, configs):  # noqa: F811
    ws = f"ws://127.0.0.1:{janus.ws_port}"
    publishers = [
        Publisher(netns, ws, configs["host"], tone=HOST_TONE),
        Publisher(netns, ws, configs["site"], tone=SITE_TONE),
    ]
    for publisher in publishers:
        publisher.wait_event("webrtcup", timeout=30)
    return publishers


def _end_and_process(host_api, api, briefing):
    assert host_api.post(api + "end/").status_code == 200
    return wait_for(
        lambda: Recording.objects.filter(
            meeting=briefing.meeting, kind="programme", status__in=("ready", "failed")
        ).first(),
        timeout=120,
        interval=0.5,
        message="the recording was not processed",
    )


def test_a_briefing_is_recorded_into_a_programme_and_a_file_per_site(
    netns,  # noqa: F811
    janus_in_netns,
    recordings_root,
    celery_worker_process,
    make_briefing,
    make_user,
):
    janus = janus_in_netns
    briefing, host_api, api, configs = _start(make_briefing, make_user, janus)
    _publish(netns, janus, configs)
    started = time.monotonic()
    time.sleep(5)
    programme = _end_and_process(host_api, api, briefing)
    recorded = time.monotonic() - started
    assert programme.status == "ready", programme.error

    root = settings.RECORDINGS_ROOT
    path = root / programme.path
    assert path.exists() and path.stat().st_size == programme.size_bytes
    assert has_stream(path, "v") and has_stream(path, "a")
    # About five seconds (the media starts a little after webrtcup and ends with the room's close).
    assert abs(ffprobe_duration(path) - programme.duration_seconds) < 1
    assert 4 <= programme.duration_seconds <= recorded + 1.5, (programme.duration_seconds, recorded)

    sites = {r.bridge_point_id: r for r in Recording.objects.filter(meeting=briefing.meeting, kind="site")}
    assert set(sites) == {briefing.host.pk, briefing.sites[0].pk}
    for row in sites.values():
        assert row.status == "ready"
        file = root / row.path
        assert has_stream(file, "v") and has_stream(file, "a")
        assert abs(ffprobe_duration(file) - row.duration_seconds) < 1
        assert abs(row.duration_seconds - programme.duration_seconds) < 1
        assert len(row.segments) == 1 and row.segments[0]["offset"] < 1

    # The programme sounds like the meeting: both tones are in it, each far above the silence around it.
    host_level, site_level, quiet = (band_level(path, f) for f in (HOST_TONE, SITE_TONE, 1200))
    assert host_level > quiet + 15 and site_level > quiet + 15, (host_level, site_level, quiet)
    # Each site's own file has its own tone only.
    assert (
        band_level(root / sites[briefing.host.pk].path, HOST_TONE)
        > band_level(root / sites[briefing.host.pk].path, SITE_TONE) + 15
    )
    # The raw Janus files are gone once the files are made (RECORDING_KEEP_RAW off).
    assert not (path.parent / "raw").exists()


def test_a_janus_restart_gives_two_segments_joined_in_order(
    netns,  # noqa: F811
    janus_in_netns,
    recordings_root,
    celery_worker_process,
    make_briefing,
    make_user,
):
    janus = janus_in_netns
    briefing, host_api, api, configs = _start(make_briefing, make_user, janus)
    _publish(netns, janus, configs)
    time.sleep(3)
    janus.stop(sig=signal.SIGKILL)
    time.sleep(2)
    janus.start()
    janus.wait_ready()
    from live.tasks import server_reconcile

    room = VideoRoom.objects.get(meeting=briefing.meeting)
    server_reconcile.delay(server_id=room.server_id)  # what Janus's "started" event does
    from tests.live.test_e2e_webrtc import room_exists

    wait_for(lambda: room_exists(janus, room.room_id), timeout=20, message="room not recreated")
    _publish(netns, janus, configs)
    time.sleep(3)
    programme = _end_and_process(host_api, api, briefing)
    assert programme.status == "ready", programme.error

    site = Recording.objects.get(meeting=briefing.meeting, kind="site", bridge_point=briefing.sites[0])
    assert len(site.segments) == 2
    first, second = site.segments
    assert first["offset"] < second["offset"] and first["started_at"] < second["started_at"]
    # Joined in order: the file is as long as both segments, without the gap.
    assert abs(ffprobe_duration(settings.RECORDINGS_ROOT / site.path) - (first["duration"] + second["duration"])) < 1
    # The programme keeps the meeting's time: the gap is in it and listed.
    assert len(programme.gaps) == 1 and programme.gaps[0]["seconds"] >= 1.5
    assert programme.duration_seconds >= second["offset"] + second["duration"] - 1
