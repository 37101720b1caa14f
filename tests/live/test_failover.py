"""
Several media servers (issue 17): meetings go to the least-loaded healthy Janus; when one is killed
(SIGKILL) mid-meeting, the probe marks it down after LIVE_FAILOVER_PROBES failures and its live
meetings move to the other, where their rooms exist with the same id, PIN and join tokens; the board's
snapshot lists the move; a site back within the merge window keeps one attendance interval. Two real
Janus processes. (The room pages following by themselves: test_failover_browser.py.)
"""

from __future__ import annotations

import signal

import pytest

from integrations.janus import JanusAdminClient
from live import selectors, services
from live.models import LiveAction, MediaServer, VideoRoom
from meetings.models import AttendanceInterval, Meeting
from tests.janus_server import ADMIN_SECRET
from tests.live.conftest import media_server_for

pytestmark = [pytest.mark.janus, pytest.mark.django_db(transaction=True)]


def test_a_killed_janus_moves_its_live_meetings_to_the_other(janus_factory, make_briefing, settings):
    settings.LIVE_FAILOVER_PROBES = 2
    first, second = janus_factory(), janus_factory()
    servers = [media_server_for(first, "a"), media_server_for(second, "b")]
    briefings = [make_briefing(n=2) for _ in range(2)]
    Meeting.objects.update(status=Meeting.Status.LIVE)
    rooms = services.rooms_provision(meeting_ids=[b.meeting.pk for b in briefings])
    # Least loaded first: one meeting on each server.
    assert sorted(room.server_id for room in rooms) == sorted(server.pk for server in servers)
    room = next(room for room in rooms if room.server_id == servers[0].pk)
    meeting = room.meeting
    site = room.participants.get(bridge_point=briefings[[b.meeting.pk for b in briefings].index(meeting.pk)].sites[0])
    services.participant_update(row=site, state="publishing")
    before = AttendanceInterval.objects.get(meeting=meeting, bridge_point=site.bridge_point_id, source="media")

    first.stop(signal.SIGKILL)
    assert services.media_servers_probe() == {servers[0].name: 0}  # one failure: not yet
    assert VideoRoom.objects.get(pk=room.pk).server_id == servers[0].pk
    assert services.media_servers_probe() == {servers[0].name: 1}  # the second: down, moved
    assert services.media_servers_probe() == {servers[0].name: 0}  # nothing left to move

    room.refresh_from_db()
    down = MediaServer.objects.get(pk=servers[0].pk)
    assert room.server_id == servers[1].pk and room.status == VideoRoom.Status.ACTIVE
    assert not down.is_healthy and down.failed_probes == 3
    site.refresh_from_db()
    assert site.state == "not_connected"  # the server is gone: so is everyone in it
    # The room is on the other Janus, with its tokens: the pages join it with their own configuration.
    with services.janus_client(servers[1]) as janus:
        assert room.room_id in {r.room_id for r in janus.room_list()}
    with JanusAdminClient(second.admin_url, admin_secret=ADMIN_SECRET) as admin:
        assert site.join_token in set(admin.token_list())
    # The board's snapshot shows the move and the new server.
    state = selectors.board_snapshot(meeting_id=meeting.pk)["room"]
    assert state["server_id"] == servers[1].pk
    assert [move["target"] for move in state["moves"]] == [servers[1].name]
    assert LiveAction.objects.filter(meeting=meeting, action="failover").count() == 1

    # Back in media on the new server within the merge window: the same interval goes on.
    services.participant_update(row=site, state="publishing")
    intervals = AttendanceInterval.objects.filter(meeting=meeting, bridge_point=site.bridge_point_id, source="media")
    assert list(intervals.values_list("pk", "left_at")) == [(before.pk, None)]

    # The other meeting stayed where it was; new meetings go to the healthy server only.
    other = next(r for r in rooms if r.pk != room.pk)
    assert VideoRoom.objects.get(pk=other.pk).server_id == servers[1].pk
    third = make_briefing(n=1)
    assert services.room_prepare(meeting=third.meeting).server_id == servers[1].pk


def test_the_server_answers_again_and_its_count_resets(janus_factory, settings):
    settings.LIVE_FAILOVER_PROBES = 3
    server = janus_factory()
    row = media_server_for(server)
    server.stop(signal.SIGKILL)
    assert services.media_servers_probe() == {row.name: 0}
    row.refresh_from_db()
    assert row.failed_probes == 1 and row.is_healthy  # one missed probe is not an outage
    server.start()
    assert services.media_servers_probe() == {}
    row.refresh_from_db()
    assert row.failed_probes == 0


def test_no_healthy_server_left_the_meetings_wait_and_say_so(janus_factory, make_briefing, settings, caplog):
    settings.LIVE_FAILOVER_PROBES = 1
    server = janus_factory()
    row = media_server_for(server)
    briefing = make_briefing(n=1)
    Meeting.objects.update(status=Meeting.Status.LIVE)
    (room,) = services.rooms_provision(meeting_ids=[briefing.meeting.pk])
    server.stop(signal.SIGKILL)
    assert services.media_servers_probe() == {row.name: 0}
    assert VideoRoom.objects.get(pk=room.pk).server_id == row.pk
    assert any("no other is healthy" in r.getMessage() for r in caplog.records)
