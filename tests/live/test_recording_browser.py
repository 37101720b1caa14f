"""
Recording a briefing held through the real room pages (b21): the chair's hall and a commune publish
from their briefing room pages in headless Chromium (a browser each, each microphone speaking at its
own pitch), the chair gives the commune the floor, and after the end a real worker makes the
programme and a file per site with janus-pp-rec and ffmpeg. The programme is as long as the
briefing and carries both voices; each site's file carries its own.
"""

from __future__ import annotations

import math
import os
import shutil
import struct
import time
import wave

import pytest
from django.conf import settings
from django.test import Client

from accounts.roles import Role
from live.models import ParticipantState, Recording, VideoRoom
from tests.browser import CHROMIUM_ARGS, chromium, page_as, require_chromium
from tests.live.conftest import media_server_for, session_cookie, wait_for
from tests.live.helpers import in_thread
from tests.live.netns import netns  # noqa: F401  (fixture)
from tests.live.test_e2e_webrtc import janus_in_netns  # noqa: F401  (fixture)
from tests.live.test_recording_e2e import band_level, ffprobe_duration, has_stream
from tests.live.test_room_browser import FAKE_MEDIA, chromium_in_netns  # noqa: F401  (fixture)
from tests.real import require

pytestmark = [
    pytest.mark.janus,
    pytest.mark.worker,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

CHAIR_PITCH, COMMUNE_PITCH = 440, 2500


def voice_wav(path, pitch: int) -> str:
    """A microphone that keeps speaking: a loud tone at `pitch` with a 4 Hz syllable envelope (looped)."""
    rate = 48000
    samples = [
        int(20000 * (0.55 + 0.45 * math.sin(2 * math.pi * 4 * i / rate)) * math.sin(2 * math.pi * pitch * i / rate))
        for i in range(rate * 2)
    ]
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return str(path)


def test_a_briefing_held_in_the_room_pages_is_recorded_with_both_voices(
    netns,  # noqa: F811
    janus_in_netns,  # noqa: F811
    chromium_in_netns,  # noqa: F811
    portal_server,
    recordings_root,
    celery_worker_process,
    make_briefing,
    make_user,
    tmp_path,
):
    require_chromium()
    for tool in ("janus-pp-rec", "ffmpeg", "ffprobe"):
        require(shutil.which(tool), f"{tool} (scripts/install.sh)")
    briefing = make_briefing(n=1)
    meeting, commune = briefing.meeting, briefing.sites[0]
    media_server_for(janus_in_netns)
    host = make_user(Role.HOST)
    officer = make_user(Role.COMMUNE_OFFICER, unit=briefing.communes[0])
    chair_api = Client()
    chair_api.force_login(host)
    api = f"/api/live/meetings/{meeting.pk}/"
    assert chair_api.post(api + "start/").status_code == 200
    room = wait_for(
        lambda: VideoRoom.objects.filter(meeting=meeting, status="active").first(),
        timeout=30,
        message="the worker did not create the room",
    )

    base = portal_server.url
    voice = {
        "chair": f"--use-file-for-fake-audio-capture={voice_wav(tmp_path / 'chair.wav', CHAIR_PITCH)}",
        "commune": f"--use-file-for-fake-audio-capture={voice_wav(tmp_path / 'commune.wav', COMMUNE_PITCH)}",
    }
    viewport = {"width": 1280, "height": 720}
    with chromium(executable=chromium_in_netns, extra_args=(*FAKE_MEDIA, voice["chair"]), env={**os.environ}) as hall:
        commune_browser = hall.browser_type.launch(
            executable_path=chromium_in_netns, args=[*CHROMIUM_ARGS, *FAKE_MEDIA, voice["commune"]], env={**os.environ}
        )
        try:
            chair = page_as(hall, base, session_cookie(host), viewport=viewport)
            page = page_as(commune_browser, base, session_cookie(officer), viewport=viewport)
            chair.goto(f"{base}/live/meetings/{meeting.pk}/sites/{briefing.host.pk}/")
            page.goto(f"{base}/live/meetings/{meeting.pk}/sites/{commune.pk}/")
            for p in (chair, page):
                p.click("#btn-join")
            wait_for(
                lambda: ParticipantState.objects.filter(video_room=room, state="publishing").count() == 2,
                timeout=40,
                interval=0.25,
                message="the two room pages are not publishing",
            )
            # A moderated briefing: the commune is heard once the chair gives it the floor.
            given = in_thread(
                lambda: chair_api.post(
                    api + "floor/give/", {"bridge_point_id": commune.pk}, content_type="application/json"
                )
            )
            assert given.status_code == 200, given.content
            started = time.monotonic()
            # Six seconds of the floor once Janus hears the commune (its talking event): on a loaded machine
            # the commune's audio took long enough to start that a site file had none.
            wait_for(
                lambda: ParticipantState.objects.filter(video_room=room, bridge_point=commune, talking=True).exists(),
                timeout=30,
                interval=0.25,
                message="Janus never heard the commune after it was given the floor",
            )
            time.sleep(6)
            ended = in_thread(lambda: chair_api.post(api + "end/"))
            assert ended.status_code == 200, ended.content
            recorded = time.monotonic() - started
        finally:
            commune_browser.close()

    programme = wait_for(
        lambda: Recording.objects.filter(meeting=meeting, kind="programme", status__in=("ready", "failed")).first(),
        timeout=180,
        interval=0.5,
        message="the recording was not processed",
    )
    assert programme.status == "ready", programme.error
    root = settings.RECORDINGS_ROOT
    path = root / programme.path
    assert has_stream(path, "v") and has_stream(path, "a")
    assert abs(ffprobe_duration(path) - programme.duration_seconds) < 1
    # From the first page's media to the end: the six seconds of the floor and the join before it.
    assert recorded - 1 <= programme.duration_seconds <= recorded + 30, (programme.duration_seconds, recorded)

    sites = {r.bridge_point_id: r for r in Recording.objects.filter(meeting=meeting, kind="site")}
    assert set(sites) == {briefing.host.pk, commune.pk}
    for row in sites.values():
        assert row.status == "ready", row.error
        assert has_stream(root / row.path, "v") and has_stream(root / row.path, "a")
        assert abs(ffprobe_duration(root / row.path) - row.duration_seconds) < 1

    # Each site's own file: its own voice above the other's.
    chair_file, commune_file = root / sites[briefing.host.pk].path, root / sites[commune.pk].path
    chair_alone, commune_alone = band_level(chair_file, COMMUNE_PITCH), band_level(commune_file, CHAIR_PITCH)
    assert band_level(chair_file, CHAIR_PITCH) > chair_alone + 10
    assert band_level(commune_file, COMMUNE_PITCH) > commune_alone + 10
    # The programme sounds like the meeting: while the commune has the floor (its last seconds; how long the
    # pages took to join before it varies with the machine's load), each voice's band stands well above what
    # that band holds in a file without that voice. (Chromium's gain on a fake microphone varies from run to
    # run by several dB, so the levels are compared with each other, not with a fixed figure.)
    chair_level, commune_level = band_level(path, CHAIR_PITCH, tail=4), band_level(path, COMMUNE_PITCH, tail=4)
    assert chair_level > commune_alone + 10, (chair_level, commune_alone)
    assert commune_level > chair_alone + 10, (commune_level, chair_alone)
