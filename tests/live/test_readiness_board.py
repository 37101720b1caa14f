"""
The readiness board (issue 14): live over the meeting's websocket instead of a 15-second reload, rows
that are links, a checklist page for district technicians (no commune token), and the host's hall.
"""

import asyncio
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from live import services
from live.models import MediaServer, ParticipantState, ReadinessCheck
from live.routing import websocket_urlpatterns
from live.selectors import readiness_board
from sites.choices import TestCallResult as Result
from sites.models import BridgePoint
from tests.live.wsclient import WebsocketCommunicator


@pytest.fixture
def room(briefing):
    MediaServer.objects.create(name="rb", server_name="janus-rb", api_url="http://127.0.0.1:1/janus")
    return services.room_prepare(meeting=briefing.meeting)


def board_url(briefing):
    return f"/live/meetings/{briefing.meeting.pk}/readiness/"


def checklist_url(briefing, bridge_point):
    return f"/live/meetings/{briefing.meeting.pk}/sites/{bridge_point.pk}/checklist/"


#
# Live over the websocket
#


async def _receive_readiness(comm):
    while True:
        message = await comm.receive_json_from(timeout=3)
        if message["type"] == "readiness":
            return message["data"]["rows"]


@pytest.mark.django_db(transaction=True)
def test_a_checklist_change_reaches_the_board_over_the_websocket(briefing, room, make_user):
    asyncio.run(_test_a_checklist_change_reaches_the_board(briefing, make_user))


async def _test_a_checklist_change_reaches_the_board(briefing, make_user):
    from asgiref.sync import sync_to_async
    from channels.routing import URLRouter

    organiser = await sync_to_async(make_user)(Role.OFFICE_STAFF)
    comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/live/meetings/{briefing.meeting.pk}/")
    comm.scope["user"] = organiser
    assert (await comm.connect())[0]
    assert (await comm.receive_json_from(timeout=3))["type"] == "snapshot"
    site = briefing.sites[1]

    def tick():
        technician = make_user(Role.TECHNICIAN)
        invitation = briefing.meeting.invitations.get(bridge_point=site)
        services.readiness_record(invitation=invitation, user=technician, camera_ok=True, microphone_ok=True)

    await sync_to_async(tick)()
    rows = await _receive_readiness(comm)
    assert rows == [
        {
            "bridge_point_id": site.pk,
            "host": False,
            "colour": "amber",
            "camera_ok": True,
            "microphone_ok": True,
            "display_ok": False,
            "link_ok": False,
            "test_call": "",
            "media_received": False,
        }
    ]

    def test_call():
        state = ParticipantState.objects.get(bridge_point=site)
        ParticipantState.objects.filter(pk=state.pk).update(state="publishing", media_received=True)
        state.refresh_from_db()
        services.readiness_from_state(state=state)

    await sync_to_async(test_call)()
    rows = await _receive_readiness(comm)
    assert rows[0]["bridge_point_id"] == site.pk and rows[0]["media_received"]
    assert re.fullmatch(r"\d\d:\d\d", rows[0]["test_call"]) and rows[0]["colour"] == "amber"

    def host_test_call():
        state = ParticipantState.objects.get(bridge_point=briefing.host, invitation__isnull=True)
        ParticipantState.objects.filter(pk=state.pk).update(state="publishing", media_received=True)
        state.refresh_from_db()
        services.readiness_from_state(state=state)

    await sync_to_async(host_test_call)()
    rows = await _receive_readiness(comm)
    assert rows[0]["bridge_point_id"] == briefing.host.pk and rows[0]["host"] and rows[0]["colour"] == "green"
    await comm.disconnect()


@pytest.mark.django_db
def test_the_board_no_longer_reloads_itself(client, briefing, room, make_user):
    client.force_login(make_user(Role.OFFICE_STAFF))
    html = client.get(board_url(briefing)).content.decode()
    assert 'http-equiv="refresh"' not in html
    assert "live/readiness.js" in html and f"/ws/live/meetings/{briefing.meeting.pk}/" in html


#
# Rows are links; district technicians tick communes' checklists without their tokens
#


def _links(html):
    return dict(re.findall(r'<tr data-site="(\d+)"(?:(?!</tr>).)*?<a href="([^"]+)" data-link', html, re.S))


@pytest.mark.django_db
def test_rows_link_to_the_room_page_else_the_checklist_else_the_bridge_point(client, briefing, room, make_user):
    meeting, host, sites = briefing.meeting, briefing.host, briefing.sites
    room_page = lambda bp: f"/live/meetings/{meeting.pk}/sites/{bp.pk}/"  # noqa: E731
    # A district host opens the hall's room page; communes' rooms are not theirs: their bridge point pages.
    client.force_login(make_user(Role.HOST))
    links = _links(client.get(board_url(briefing)).content.decode())
    assert links[str(host.pk)] == room_page(host)
    assert links[str(sites[0].pk)] == sites[0].get_absolute_url()
    # A district technician: the hall's room page, and each commune's checklist (not its room page).
    client.force_login(make_user(Role.TECHNICIAN))
    links = _links(client.get(board_url(briefing)).content.decode())
    assert links[str(host.pk)] == room_page(host)
    assert {links[str(bp.pk)] for bp in sites} == {checklist_url(briefing, bp) for bp in sites}
    # A commune officer: its own room page; the other rows are not its to open.
    client.force_login(make_user(Role.COMMUNE_OFFICER, unit=briefing.communes[0]))
    links = _links(client.get(board_url(briefing)).content.decode())
    assert links == {str(sites[0].pk): room_page(sites[0])}


@pytest.mark.django_db
def test_district_technician_ticks_a_communes_checklist_without_its_token(client, briefing, room, make_user):
    site = briefing.sites[2]
    technician = make_user(Role.TECHNICIAN)
    client.force_login(technician)
    # The room page stays the commune's own (its token); the checklist page is open to the technician.
    assert client.get(f"/live/meetings/{briefing.meeting.pk}/sites/{site.pk}/").status_code == 404
    response = client.get(checklist_url(briefing, site))
    assert response.status_code == 200
    html = response.content.decode()
    assert not any(token and token in html for token in room.participants.values_list("join_token", flat=True))
    response = client.post(checklist_url(briefing, site), {"camera_ok": "on", "link_ok": "on"})
    assert response.status_code == 302
    check = ReadinessCheck.objects.get(invitation__bridge_point=site)
    assert (check.camera_ok, check.microphone_ok, check.link_ok, check.checked_by) == (True, False, True, technician)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "get", "post"),
    [("leader", 200, 403), ("other_officer", 404, 404), ("officer", 200, 302), ("own_site_officer", 404, 404)],
)
def test_checklist_page_permissions(client, briefing, room, make_user, who, get, post):
    from tests.factories.sites import UnitFactory

    site = briefing.sites[0]
    user = {
        "leader": lambda: make_user(Role.LEADER),
        "other_officer": lambda: make_user(Role.COMMUNE_OFFICER, unit=UnitFactory()),
        "officer": lambda: make_user(Role.COMMUNE_OFFICER, unit=briefing.communes[0]),
        # Invited, but the checklist asked for is another commune's.
        "own_site_officer": lambda: make_user(Role.COMMUNE_OFFICER, unit=briefing.communes[1]),
    }[who]()
    client.force_login(user)
    assert client.get(checklist_url(briefing, site)).status_code == get
    assert client.post(checklist_url(briefing, site), {"camera_ok": "on"}).status_code == post


#
# The host's hall
#


@pytest.mark.django_db
def test_the_host_hall_has_a_row_from_its_last_test_call(client, briefing, make_user):
    meeting = briefing.meeting
    rows = readiness_board(meeting=meeting)
    assert rows[0]["host"] and rows[0]["bridge_point"] == briefing.host and rows[0]["colour"] == "red"
    # A test call long before this meeting does not count; one from T-60 whose media arrived does.
    BridgePoint.objects.filter(pk=briefing.host.pk).update(
        last_test_at=meeting.starts_at - timedelta(hours=3), last_test_result=Result.OK
    )
    assert readiness_board(meeting=meeting)[0]["colour"] == "red"
    BridgePoint.objects.filter(pk=briefing.host.pk).update(
        last_test_at=timezone.now(), last_test_result=Result.DEGRADED
    )
    assert readiness_board(meeting=meeting)[0]["colour"] == "amber"
    BridgePoint.objects.filter(pk=briefing.host.pk).update(last_test_result=Result.OK)
    row = readiness_board(meeting=meeting)[0]
    assert row["colour"] == "green" and row["data"]["media_received"] and row["data"]["test_call"]
    client.force_login(make_user(Role.LEADER))
    html = client.get(board_url(briefing)).content.decode()
    assert re.search(rf'<tr data-site="{briefing.host.pk}" data-colour="green"', html)
