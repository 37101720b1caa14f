"""
The meeting's archive (b21): who gets the page and the files (404 outside the meeting, a commune only
its own site's file), HTTP Range on the files (206 with the right bytes, 416, If-Range), the web
server's hand-off, chapters, retention (expired files go with an audit line, approved minutes keep
theirs for their period), the storage panel, and the low-disk refusal at the start.

The files are real media made by ffmpeg; the recording itself is tested in test_recording_e2e.py.
"""

from __future__ import annotations

import shutil
import subprocess
import warnings
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client, override_settings
from django.utils import timezone

from accounts.roles import Role
from live import services
from live.archive import recordings_expire, storage_by_month
from live.models import LiveAction, MediaServer, Recording
from live.panels import recordings_storage
from live.selectors import meeting_row
from meetings.models import FloorTurn, Meeting, Minutes
from tests.factories.sites import UnitFactory
from tests.real import require


def make_media(path, seconds: int = 2) -> None:
    require(shutil.which("ffmpeg"), "ffmpeg (scripts/install.sh)")
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc=size=320x240:rate=10:d={seconds}",
         "-f", "lavfi", "-i", f"sine=frequency=440:d={seconds}", "-c:v", "libx264", "-preset", "ultrafast",
         "-c:a", "aac", "-shortest", "-movflags", "+faststart", str(path)],
        check=True,
    )  # fmt: skip


def add_recordings(meeting, root, sites):
    folder = f"meeting-{meeting.pk}"
    start = meeting.starts_at + timedelta(seconds=5)
    make_media(root / folder / "programme.mp4")
    programme = Recording.objects.create(
        meeting=meeting,
        kind="programme",
        status="ready",
        path=f"{folder}/programme.mp4",
        size_bytes=(root / folder / "programme.mp4").stat().st_size,
        duration_seconds=2,
        started_at=start,
        segments=[{"started_at": start.isoformat(), "offset": 0, "duration": 1}, {"offset": 2.5, "duration": 0.5}],
    )
    rows = {}
    for bp in sites:
        shutil.copy(root / folder / "programme.mp4", root / folder / f"site-{bp.pk}.mp4")
        rows[bp.pk] = Recording.objects.create(
            meeting=meeting,
            kind="site",
            bridge_point=bp,
            status="ready",
            path=f"{folder}/site-{bp.pk}.mp4",
            size_bytes=programme.size_bytes,
            duration_seconds=2,
            started_at=start,
            segments=[{"started_at": start.isoformat(), "offset": 0, "duration": 2}],
        )
    return programme, rows


@pytest.fixture
def ended(briefing):
    meeting = briefing.meeting
    meeting.status = Meeting.Status.ENDED
    meeting.starts_at = timezone.now() - timedelta(hours=2)
    meeting.ends_at = timezone.now() - timedelta(hours=1)
    meeting.save()
    return briefing


@pytest.fixture
def recorded(ended, recordings_root):
    programme, sites = add_recordings(ended.meeting, recordings_root, [ended.host, *ended.sites])
    return ended, programme, sites


@pytest.fixture
def people(briefing, make_user):
    return {
        "host": make_user(Role.HOST),
        "leader": make_user(Role.LEADER),
        "officer": make_user(Role.COMMUNE_OFFICER, unit=briefing.communes[0]),
        "other_officer": make_user(Role.COMMUNE_OFFICER, unit=UnitFactory()),
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def archive_url(meeting):
    return f"/live/meetings/{meeting.pk}/archive/"


def file_url(meeting, recording):
    return f"/live/meetings/{meeting.pk}/recordings/{recording.pk}/"


def test_archive_page_programme_chapters_and_the_users_site_files(recorded, people, recordings_root):
    briefing, programme, sites = recorded
    meeting = briefing.meeting
    item = meeting.agenda_items.create(title="Báo cáo của xã Tam Hải", position=2, duration_minutes=10)
    meeting.agenda_items.create(title="Khai mạc", position=1, duration_minutes=5)
    action = LiveAction.objects.create(meeting=meeting, action=LiveAction.Action.AGENDA, target=item.title)
    LiveAction.objects.filter(pk=action.pk).update(at=programme.started_at + timedelta(seconds=75))
    FloorTurn.objects.create(
        meeting=meeting,
        bridge_point=briefing.sites[0],
        status="done",
        started_at=programme.started_at + timedelta(seconds=90),
        ended_at=programme.started_at + timedelta(seconds=120),
    )

    page = client_for(people["leader"]).get(archive_url(meeting))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'src="{file_url(meeting, programme)}"' in html
    # The chapter is numbered as on the agenda and seeks to its offset; the floor turn follows.
    assert 'data-seek="75.0"><span class="font-monospace small text-muted">0:01:15</span> 2. Báo cáo' in html
    assert 'data-seek="90.0"' in html and briefing.sites[0].janus_display in html
    assert 'data-testid="gaps"' in html  # the break between the two segments is listed
    # District users get every site's file; a commune officer only its own site's.
    for bp_pk, row in sites.items():
        assert file_url(meeting, row) in html, bp_pk
    own = client_for(people["officer"]).get(archive_url(meeting)).content.decode()
    assert file_url(meeting, sites[briefing.sites[0].pk]) in own
    assert file_url(meeting, sites[briefing.sites[1].pk]) not in own
    assert file_url(meeting, sites[briefing.host.pk]) not in own


def test_files_only_for_those_who_may_see_the_meeting(recorded, people):
    briefing, programme, sites = recorded
    meeting = briefing.meeting
    other = client_for(people["other_officer"])
    assert other.get(archive_url(meeting)).status_code == 404
    assert other.get(file_url(meeting, programme)).status_code == 404
    assert other.get(file_url(meeting, sites[briefing.sites[0].pk])).status_code == 404
    officer = client_for(people["officer"])
    assert officer.get(file_url(meeting, programme)).status_code == 200
    assert officer.get(file_url(meeting, sites[briefing.sites[0].pk])).status_code == 200
    assert officer.get(file_url(meeting, sites[briefing.sites[1].pk])).status_code == 404
    # Not logged in: to the login page, never the file.
    assert Client().get(file_url(meeting, programme)).status_code == 302
    # A file of another meeting is not reachable through this one's URL.
    assert officer.get(f"/live/meetings/{meeting.pk}/recordings/{programme.pk + 1000}/").status_code == 404


def test_range_requests(recorded, people, recordings_root):
    briefing, programme, _sites = recorded
    client = client_for(people["leader"])
    url = file_url(briefing.meeting, programme)
    data = (recordings_root / programme.path).read_bytes()
    size = len(data)

    full = client.get(url)
    assert full.status_code == 200 and full["Accept-Ranges"] == "bytes"
    assert full["Content-Type"] == "video/mp4" and full["Content-Length"] == str(size)
    assert b"".join(full.streaming_content) == data
    assert full["Content-Disposition"].startswith("inline")

    part = client.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{size}" and part["Content-Length"] == "100"
    assert b"".join(part.streaming_content) == data[100:200]

    tail = client.get(url, HTTP_RANGE="bytes=-50")
    assert tail.status_code == 206 and tail["Content-Range"] == f"bytes {size - 50}-{size - 1}/{size}"
    assert b"".join(tail.streaming_content) == data[-50:]

    rest = client.get(url, HTTP_RANGE=f"bytes={size - 10}-")
    assert rest.status_code == 206 and b"".join(rest.streaming_content) == data[-10:]
    beyond_end = client.get(url, HTTP_RANGE=f"bytes={size - 10}-{size + 1000}")
    assert beyond_end["Content-Range"] == f"bytes {size - 10}-{size - 1}/{size}"

    unsatisfiable = client.get(url, HTTP_RANGE=f"bytes={size}-")
    assert unsatisfiable.status_code == 416 and unsatisfiable["Content-Range"] == f"bytes */{size}"

    # Several ranges, another unit, a malformed one: the whole file.
    for header in ("bytes=0-1,5-6", "items=0-1", "bytes=9-3"):
        assert client.get(url, HTTP_RANGE=header).status_code == 200, header
    # If-Range: the current ETag gets the range; an old one (the file changed) the whole file.
    assert client.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=full["ETag"]).status_code == 206
    assert client.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"old"').status_code == 200

    download = client.get(url + "?download=1")
    assert download["Content-Disposition"].startswith("attachment; filename*=UTF-8''")


def test_files_stream_under_asgi_without_being_read_whole(recorded, people, recordings_root):
    """
    Under the ASGI server the body is an asynchronous iterator: Django's ASGI handler reads a
    synchronous one whole into memory before sending its first byte (and warns), an hour's recording.
    """
    briefing, programme, _sites = recorded
    data = (recordings_root / programme.path).read_bytes()
    client = AsyncClient()
    client.force_login(people["leader"])

    async def fetch(**headers):
        response = await client.get(file_url(briefing.meeting, programme), headers=headers)
        assert response.is_async
        return response, b"".join([chunk async for chunk in response.streaming_content])

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "must consume synchronous iterators" would fail the test
        full, body = async_to_sync(fetch)()
        part, piece = async_to_sync(fetch)(Range="bytes=100-199")
    assert full.status_code == 200 and full["Content-Length"] == str(len(data)) and body == data
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{len(data)}" and piece == data[100:200]


@override_settings(PROTECTED_MEDIA_SERVER="nginx", PROTECTED_RECORDINGS_PREFIX="/protected-recordings/")
def test_nginx_sends_the_file_after_the_check(recorded, people):
    briefing, programme, _sites = recorded
    response = client_for(people["leader"]).get(file_url(briefing.meeting, programme))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-recordings/{programme.path}"
    assert client_for(people["other_officer"]).get(file_url(briefing.meeting, programme)).status_code == 404


def test_archive_says_when_the_recording_is_not_there(ended, people):
    client = client_for(people["leader"])
    assert 'data-testid="no-recording"' in client.get(archive_url(ended.meeting)).content.decode()
    row = Recording.objects.create(meeting=ended.meeting, kind="programme", status="processing")
    assert 'data-testid="processing"' in client.get(archive_url(ended.meeting)).content.decode()
    Recording.objects.filter(pk=row.pk).update(status="failed", error="ffmpeg failed (1)")
    assert 'data-testid="failed"' in client.get(archive_url(ended.meeting)).content.decode()
    assert client.get(file_url(ended.meeting, row)).status_code == 404
    # Linked from the meeting's page once it ended.
    assert archive_url(ended.meeting) in client.get(ended.meeting.get_absolute_url()).content.decode()


def _approve(meeting):
    Minutes.objects.create(
        meeting=meeting,
        issuing_body="UBND huyện",
        place="Núi Thành",
        title="Biên bản",
        body="Nội dung",
        chair="Chủ tịch",
        status=Minutes.Status.APPROVED,
        approved_at=timezone.now(),
        drafted_by=meeting.organiser,
        approved_by=meeting.organiser,
    )


def test_retention_removes_expired_files_and_keeps_approved_minutes_recordings(
    make_briefing, recordings_root, settings
):
    settings.RECORDING_KEEP_DAYS, settings.RECORDING_UNAPPROVED_KEEP_DAYS = 5 * 365, 365
    now = timezone.now()

    def meeting_at(days_ago: int, approved: bool):
        briefing = make_briefing(n=1)
        Meeting.objects.filter(pk=briefing.meeting.pk).update(
            status="ended", starts_at=now - timedelta(days=days_ago), ends_at=now - timedelta(days=days_ago, hours=-1)
        )
        briefing.meeting.refresh_from_db()
        if approved:
            _approve(briefing.meeting)
        programme, sites = add_recordings(briefing.meeting, recordings_root, [briefing.host])
        return briefing.meeting, [programme, *sites.values()]

    approved_2y = meeting_at(2 * 365, approved=True)  # within 5 years: kept
    draft_2y = meeting_at(2 * 365, approved=False)  # draft past 1 year: deleted
    draft_100d = meeting_at(100, approved=False)  # draft within 1 year: kept
    approved_6y = meeting_at(6 * 365, approved=True)  # past 5 years: deleted

    assert recordings_expire(now=now) == 4  # the files go after commit: the next test sees them go
    for meeting, rows in (approved_2y, draft_100d):
        for row in rows:
            row.refresh_from_db()
            assert row.status == "ready" and (recordings_root / row.path).exists()
        assert not LiveAction.objects.filter(meeting=meeting, action="rec_deleted").exists()
    for meeting, rows in (draft_2y, approved_6y):
        for row in rows:
            row.refresh_from_db()
            assert row.status == "deleted" and row.deleted_at is not None
        audit = LiveAction.objects.get(meeting=meeting, action="rec_deleted")
        assert audit.user is None and "2 files" in audit.target
    assert recordings_expire(now=now) == 0  # idempotent
    # The storage per month counts only what is still on disk.
    months = storage_by_month()
    assert sum(m["files"] for m in months) == 4


@pytest.mark.django_db(transaction=True)
def test_retention_deletes_the_files_after_commit(make_briefing, recordings_root, settings):
    briefing = make_briefing(n=1)
    Meeting.objects.filter(pk=briefing.meeting.pk).update(
        status="ended", starts_at=timezone.now() - timedelta(days=400), ends_at=timezone.now() - timedelta(days=399)
    )
    programme, sites = add_recordings(briefing.meeting, recordings_root, [briefing.host])
    assert recordings_expire() == 2
    assert not (recordings_root / programme.path).exists()
    assert not (recordings_root / sites[briefing.host.pk].path).exists()
    assert "rec_deleted" in [a.action for a in LiveAction.objects.filter(meeting=briefing.meeting)]


def test_storage_panel(recorded, people, rf, settings):
    settings.RECORDING_MIN_FREE_BYTES = 1 << 60
    request = rf.get("/")
    request.user = people["leader"]
    panel = recordings_storage(request)
    assert panel["low"] is True and panel["months"][0]["files"] == Recording.objects.count() == 5
    assert panel["total"] == sum(r.size_bytes for r in Recording.objects.all())


@pytest.fixture
def startable(briefing):
    MediaServer.objects.create(name="p", server_name="janus-p", api_url="http://127.0.0.1:1/janus")
    return briefing


def test_low_disk_refuses_the_recording_and_the_host_starts_without_it(api, startable, make_user, settings):
    settings.RECORDING_MIN_FREE_BYTES = 1 << 60  # more than any disk has
    host = api(make_user(Role.HOST))
    url = f"/api/live/meetings/{startable.meeting.pk}/start/"
    refused = host.post(url)
    assert refused.status_code == 409
    body = refused.json()
    assert body["extra"]["confirm"] == "confirm_without_recording" and body["extra"]["low_disk"] is True
    assert "cannot be recorded" in body["message"]
    assert Meeting.objects.get(pk=startable.meeting.pk).status == "scheduled"

    started = host.post(url, {"confirm_without_recording": True}, format="json")
    assert started.status_code == 200 and started.json()["recording"] is False
    meeting = Meeting.objects.get(pk=startable.meeting.pk)
    assert meeting.status == "live" and meeting.record is False
    assert LiveAction.objects.filter(meeting=meeting, action="no_recording").exists()


def test_low_disk_warning_is_in_vietnamese(api, startable, make_user, settings):
    settings.RECORDING_MIN_FREE_BYTES = 1 << 60
    host = api(make_user(Role.HOST))
    with override_settings(LANGUAGE_CODE="vi"):
        body = host.post(f"/api/live/meetings/{startable.meeting.pk}/start/", HTTP_ACCEPT_LANGUAGE="vi").json()
    assert "không thể ghi hình" in body["message"] and "Vẫn bắt đầu cuộc họp mà không ghi hình?" in body["message"]


def test_recording_on_by_default_shown_while_live_and_off_when_the_host_says(api, startable, make_user):
    host = api(make_user(Role.HOST))
    assert host.post(f"/api/live/meetings/{startable.meeting.pk}/start/").json()["recording"] is True
    room = services.room_prepare(meeting=Meeting.objects.get(pk=startable.meeting.pk))
    from live.services.placement import _room_spec

    body = _room_spec(room).to_body()
    assert body["record"] is True and body["lock_record"] is True
    assert body["rec_dir"].endswith(f"meeting-{startable.meeting.pk}/raw")

    other = Meeting.objects.create(
        title="Không ghi hình",
        host_bridge_point=startable.host,
        chair="Chủ tịch",
        organiser=startable.organiser,
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=1),
        record=False,
    )
    assert meeting_row(other)["recording"] is False
    assert "record" not in _room_spec(services.room_prepare(meeting=other)).to_body()


def test_processing_without_media_fails_with_its_reason(ended, recordings_root):
    """Raw files that hold no media (a publisher that never sent a packet) give a FAILED row that says why."""
    require(shutil.which("janus-pp-rec"), "janus-pp-rec (scripts/install.sh)")
    from live.services.recording import raw_folder, recording_queue, recordings_process

    raw = raw_folder(ended.meeting.pk)
    raw.mkdir(parents=True)
    (raw / "videoroom-1-user-2-1700000000000000-audio-0.mjr").write_bytes(b"MJR00002\x00\x00not a recording")
    recording_queue(meeting_id=ended.meeting.pk)
    assert Recording.objects.get(meeting=ended.meeting).status == "pending"
    programme = recordings_process(meeting_id=ended.meeting.pk)
    assert programme.status == "failed" and "Nothing was recorded" in programme.error
    assert raw.exists()  # kept: nothing was made from it


def test_the_host_turns_recording_off_before_the_start_only(api, startable, make_user):
    host, leader = api(make_user(Role.HOST)), api(make_user(Role.LEADER))
    url = f"/api/live/meetings/{startable.meeting.pk}/"
    assert leader.post(url + "recording/", {"record": False}, format="json").status_code == 403
    off = host.post(url + "recording/", {"record": False}, format="json")
    assert off.status_code == 200 and off.json()["record"] is False
    assert Meeting.objects.get(pk=startable.meeting.pk).record is False
    started = host.post(url + "start/").json()
    assert started["recording"] is False
    late = host.post(url + "recording/", {"record": True}, format="json")
    assert late.status_code == 409
    assert Meeting.objects.get(pk=startable.meeting.pk).record is False


@pytest.mark.janus
def test_a_room_opened_early_starts_recording_at_the_start(janus, startable, recordings_root, make_user, api):
    """The usual path: the room exists for the test calls (not recording); the start turns recording on."""
    from integrations.janus import JanusClient
    from live.services.placement import room_provision
    from live.services.recording import recording_start
    from tests.janus_server import ADMIN_KEY, API_SECRET
    from tests.live.conftest import media_server_for

    MediaServer.objects.update(is_enabled=False)
    media_server_for(janus)
    room = room_provision(meeting_id=startable.meeting.pk)

    def record_flag() -> bool:
        with JanusClient(janus.url, api_secret=API_SECRET, admin_key=ADMIN_KEY) as client:
            rooms = client.videoroom({"request": "list", "admin_key": ADMIN_KEY})["list"]
            return next(r for r in rooms if r["room"] == room.room_id)["record"]

    assert room.status == "active" and record_flag() is False
    assert api(make_user(Role.HOST)).post(f"/api/live/meetings/{startable.meeting.pk}/start/").status_code == 200
    recording_start(meeting_id=startable.meeting.pk)  # what the task does after the start commits
    assert record_flag() is True
