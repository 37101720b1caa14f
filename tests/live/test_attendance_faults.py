"""
Attendance under faults (issue 15): a media connection that failed, leave events that were lost, and
Janus restarts. Events go through the real webhook; rooms live in a real Janus, which the reconcile asks.
"""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from live import services
from live.models import ParticipantState, VideoRoom
from meetings.models import AttendanceInterval
from tests.janus_server import EVENTS_PASSWORD, EVENTS_USER
from tests.live.conftest import media_server_for

pytestmark = pytest.mark.janus

AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{EVENTS_USER}:{EVENTS_PASSWORD}".encode()).decode()}


T0 = [0.0]  # the test's "now": events are stamped `ago` seconds before it, whatever the load


class Site:
    """One invited site, as Janus reports it to the portal (its events, stamped `ago` s before T0)."""

    def __init__(self, client, server, room: VideoRoom, state: ParticipantState, session: int) -> None:
        self.client, self.emitter, self.room, self.state = client, f"janus-test-{server.http_port}", room, state
        self.session, self.handle = session, session + 1

    def post(self, *events) -> None:
        response = self.client.post("/api/janus/events/", json.dumps(list(events)), "application/json", **AUTH)
        assert response.status_code == 200 and response.json()["failed"] == 0, response.content

    def ev(self, kind: int, body: dict, ago: float, subtype: int | None = None) -> dict:
        stamp = int((T0[0] - ago) * 1_000_000)
        out = {"emitter": self.emitter, "type": kind, "timestamp": stamp, "event": body}
        out |= {"session_id": self.session, "handle_id": self.handle}
        return out | ({"subtype": subtype} if subtype is not None else {})

    def plugin(self, data: dict, ago: float) -> dict:
        return self.ev(64, {"plugin": "janus.plugin.videoroom", "data": {"room": self.room.room_id, **data}}, ago)

    def join_and_publish(self, ago: float) -> None:
        services.participant_claim(state=self.state, session_id=self.session)
        pid = self.state.janus_id
        self.post(
            self.plugin({"event": "joined", "id": pid, "display": self.state.bridge_point.janus_display}, ago),
            self.ev(16, {"connection": "webrtcup"}, ago - 0.5, subtype=6),
            self.plugin({"event": "published", "id": pid, "streams": [{"type": "audio", "mid": "0"}]}, ago - 1),
        )

    def media(self, start_ago: float, end_ago: float) -> None:
        """Media statistics, one a second, with packets flowing (as Janus sends them)."""
        packets, stats = 0, []
        ago = start_ago
        while ago >= end_ago:
            packets += 50
            body = {"mid": "0", "media": "audio", "packets-received": packets, "lost": 0}
            stats.append(self.ev(32, body | {"bytes-received-lastsec": 4000}, ago, subtype=3))
            ago -= 1
        self.post(*stats)

    def hangup(self, ago: float) -> None:
        self.post(self.ev(16, {"connection": "hangup", "reason": "ICE failed"}, ago, subtype=6))

    def interval(self) -> AttendanceInterval:
        return AttendanceInterval.objects.get(bridge_point=self.state.bridge_point, source="media")


@pytest.fixture
def live(janus_factory, briefing, eager_tasks, django_capture_on_commit_callbacks, client):
    server = janus_factory()
    media_server_for(server)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_start(meeting=briefing.meeting, user=briefing.organiser)
    room = VideoRoom.objects.get(meeting=briefing.meeting, status="active")
    T0[0] = time.time()
    state = room.participants.select_related("bridge_point").get(bridge_point=briefing.sites[0])
    return server, Site(client, server, room, state, session=7_000_001)


def near(moment, seconds_ago: float, tolerance: float = 1.0) -> bool:
    t0 = datetime.fromtimestamp(T0[0], tz=UTC)
    return abs((t0 - timedelta(seconds=seconds_ago) - moment).total_seconds()) <= tolerance


def test_a_failed_media_connection_ends_the_interval_at_the_last_media(live):
    """ICE failed: Janus hangs up, the site stays 'connecting', and it was in the interval until someone left."""
    _server, site = live
    site.join_and_publish(ago=40)
    site.media(start_ago=39, end_ago=20)
    site.hangup(ago=12)  # no media from 20 s ago; Janus noticed at 12
    site.state.refresh_from_db()
    assert site.state.state == "connecting"
    interval = site.interval()
    assert interval.left_at is not None, "a site with no media connection kept its interval open"
    assert near(interval.left_at, 20) and near(interval.joined_at, 40.5)


def test_lost_leave_events_end_the_interval_at_the_last_media_not_at_repair_time(live):
    """
    The page died and Janus's leave events never reached the portal: the reconcile (asking the real
    Janus, where the site is no longer) repairs it 65 s later; the site left when its media stopped.
    """
    _server, site = live
    site.join_and_publish(ago=120)
    site.media(start_ago=119, end_ago=65)
    report = services.reconcile_all()
    assert report.participants_fixed >= 1
    site.state.refresh_from_db()
    assert site.state.state == "not_connected"
    interval = site.interval()
    late = (timezone.now() - interval.left_at).total_seconds()
    assert near(interval.left_at, 65), f"closed {late:.0f} s before the repair"


def test_janus_restarts_give_one_interval_per_short_outage_and_a_total(live, make_user, client, settings):
    server, site = live
    settings.LIVE_ATTENDANCE_MERGE_SECONDS = 30
    site.join_and_publish(ago=200)
    site.media(start_ago=199, end_ago=140)
    server.restart()  # an outage of 100 s (media last seen 140 s ago): longer than 30 s
    services.reconcile_all()
    site.state.refresh_from_db()
    assert site.state.state == "not_connected"
    first = site.interval()
    assert near(first.left_at, 140)

    site.session += 10
    site.handle += 10
    site.join_and_publish(ago=60)  # back after 80 s: a second interval
    site.media(start_ago=59, end_ago=15)
    server.restart()  # a short outage: media last seen 15 s ago, back now
    services.reconcile_all()
    site.session += 10
    site.handle += 10
    site.join_and_publish(ago=0.5)
    intervals = list(AttendanceInterval.objects.filter(bridge_point=site.state.bridge_point, source="media"))
    assert len(intervals) == 2, [(i.joined_at, i.left_at) for i in intervals]
    second = intervals[1]
    assert second.left_at is None and near(second.joined_at, 60)  # the restart did not split it

    services.meeting_end(meeting=site.room.meeting, user=site.room.meeting.organiser)
    intervals = list(AttendanceInterval.objects.filter(bridge_point=site.state.bridge_point, source="media"))
    durations = [(i.left_at - i.joined_at).total_seconds() for i in intervals]
    assert abs(durations[0] - 59.5) < 2 and durations[1] >= 59  # the second runs from its join to the end
    total = sum(durations)

    # The attendance page shows each site's total.
    client.force_login(make_user(Role.OFFICE_STAFF))
    html = client.get(reverse("meetings:briefing_attendance", args=[site.room.meeting_id])).content.decode()
    cells = [c.split(">", 1)[1].split("<", 1)[0] for c in html.split('data-testid="media-total"')[1:]]
    assert f"{-(-int(total) // 60)}′" in cells, cells
