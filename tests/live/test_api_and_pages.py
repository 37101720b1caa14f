"""Permissions (403 without the role, 404 outside the user's meetings, 200 with both) for every API and page."""

import pytest

from accounts.roles import Role
from live import services
from live.models import LiveAction, MediaServer, ReadinessCheck
from meetings.models import Meeting
from tests.factories.sites import UnitFactory


@pytest.fixture
def room(briefing):
    MediaServer.objects.create(name="p", server_name="janus-p", api_url="http://127.0.0.1:1/janus")
    return services.room_prepare(meeting=briefing.meeting)


@pytest.fixture
def users(briefing, make_user):
    return {
        "nobody": make_user(None),
        "host": make_user(Role.HOST),
        "leader": make_user(Role.LEADER),
        "officer": make_user(Role.COMMUNE_OFFICER, unit=briefing.communes[0]),
        "other_officer": make_user(Role.COMMUNE_OFFICER, unit=UnitFactory()),
        "technician": make_user(Role.TECHNICIAN, unit=briefing.communes[1]),
    }


def api_url(briefing, tail):
    return f"/api/live/meetings/{briefing.meeting.pk}/{tail}"


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("nobody", 403), ("other_officer", 404), ("officer", 200), ("host", 200), ("leader", 200)],
)
def test_board_snapshot(api, briefing, room, users, who, status):
    user = users.get(who)
    response = api(user).get(api_url(briefing, "board/"))
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert len(body["participants"]) == 4
        assert "token" not in response.content.decode() and room.pin not in response.content.decode()


@pytest.mark.parametrize(("who", "status"), [("officer", 403), ("leader", 403), ("nobody", 403), ("host", 200)])
def test_start_needs_operate(api, briefing, room, users, who, status):
    response = api(users[who]).post(api_url(briefing, "start/"))
    assert response.status_code == status
    if status == 200:
        assert response.json()["status"] == "live"
        assert LiveAction.objects.get().user == users[who]


def test_start_conflict_and_end(api, briefing, room, users):
    host = api(users["host"])
    assert host.post(api_url(briefing, "start/")).status_code == 200
    assert host.post(api_url(briefing, "start/")).status_code == 409
    assert host.post(api_url(briefing, "end/")).status_code == 200
    assert Meeting.objects.get().status == "ended"
    assert host.post(api_url(briefing, "end/")).status_code == 409


def test_mute_drop_permissions(api, briefing, room, users):
    state = room.participants.filter(invitation__isnull=False).first()
    assert api(users["officer"]).post(api_url(briefing, f"participants/{state.pk}/mute/")).status_code == 403
    assert api(users["leader"]).post(api_url(briefing, f"participants/{state.pk}/drop/")).status_code == 403
    # Allowed, but the site is not in the room: a 409 with a message, not a 500.
    response = api(users["host"]).post(api_url(briefing, f"participants/{state.pk}/mute/"), {"mute": True})
    assert response.status_code == 409 and response.json()["message"]


def test_join_config_only_for_the_sites_own_users(api, briefing, room, users):
    own, other = briefing.sites[0], briefing.sites[1]
    response = api(users["officer"]).get(api_url(briefing, f"sites/{own.pk}/join/"))
    assert response.status_code == 200
    body = response.json()
    state = room.participants.get(bridge_point=own)
    assert body["token"] == state.join_token and body["pin"] == room.pin and body["id"] == state.janus_id
    assert body["display"] == own.janus_display
    text = response.content.decode()
    assert services.room_secret(room.room_id) not in text and "secret" not in text
    assert api(users["officer"]).get(api_url(briefing, f"sites/{other.pk}/join/")).status_code == 404
    assert api(users["other_officer"]).get(api_url(briefing, f"sites/{own.pk}/join/")).status_code == 404
    assert api(users["leader"]).get(api_url(briefing, f"sites/{own.pk}/join/")).status_code == 403
    # A district host joins from the host bridge point only, never with a commune's token.
    assert api(users["host"]).get(api_url(briefing, f"sites/{own.pk}/join/")).status_code == 404
    assert api(users["host"]).get(api_url(briefing, f"sites/{briefing.host.pk}/join/")).status_code == 200


def test_readiness_checklist(api, briefing, room, users):
    site = briefing.sites[1]
    url = api_url(briefing, f"sites/{site.pk}/readiness/")
    response = api(users["technician"]).post(url, {"camera_ok": True, "microphone_ok": True}, format="json")
    assert response.status_code == 200 and response.json()["colour"] == "amber"
    check = ReadinessCheck.objects.get()
    assert check.camera_ok and check.microphone_ok and check.checked_by == users["technician"]
    assert api(users["leader"]).post(url, {"camera_ok": True}, format="json").status_code == 403
    assert api(users["officer"]).post(url, {"camera_ok": True}, format="json").status_code == 404
    bad = api(users["technician"]).post(url, {"camera_ok": "maybe"}, format="json")
    assert bad.status_code == 400


def test_readiness_green_needs_checklist_and_received_media(briefing, room, make_user):
    from live.selectors import readiness_board

    invitation = briefing.meeting.invitations.first()
    user = make_user(Role.TECHNICIAN)
    services.readiness_record(
        invitation=invitation, user=user, camera_ok=True, microphone_ok=True, display_ok=True, link_ok=True
    )
    ReadinessCheck.objects.filter(invitation=invitation).update(test_call_published=True)
    colours = {r["invitation"].pk: r["colour"] for r in readiness_board(meeting=briefing.meeting) if not r["host"]}
    assert colours[invitation.pk] == "amber"
    ReadinessCheck.objects.filter(invitation=invitation).update(test_call_media_received=True)
    colours = {r["invitation"].pk: r["colour"] for r in readiness_board(meeting=briefing.meeting) if not r["host"]}
    assert colours[invitation.pk] == "green"
    assert sorted(colours.values()).count("red") == 2


@pytest.mark.parametrize(
    ("who", "page", "status"),
    [
        ("anonymous", "board", 302),
        ("nobody", "board", 403),
        ("other_officer", "board", 404),
        ("officer", "board", 200),
        ("host", "board", 200),
        ("nobody", "readiness", 403),
        ("other_officer", "readiness", 404),
        ("leader", "readiness", 200),
        ("officer", "join", 200),
        ("other_officer", "join", 404),
        ("leader", "join", 403),
        ("host", "join", 404),
        ("nobody", "index", 403),
        ("officer", "index", 200),
    ],
)
def test_pages(client, briefing, room, users, who, page, status):
    user = users.get(who)
    if user is not None:
        client.force_login(user)
    url = {
        "board": f"/live/meetings/{briefing.meeting.pk}/board/",
        "readiness": f"/live/meetings/{briefing.meeting.pk}/readiness/",
        "join": f"/live/meetings/{briefing.meeting.pk}/sites/{briefing.sites[0].pk}/",
        "index": "/live/",
    }[page]
    response = client.get(url)
    assert response.status_code == status
    if page == "join" and status == 200:
        text = response.content.decode()
        state = room.participants.get(bridge_point=briefing.sites[0])
        assert state.join_token in text
        assert services.room_secret(room.room_id) not in text
        others = room.participants.exclude(pk=state.pk).values_list("join_token", flat=True)
        assert not any(token in text for token in others)
        assert "janus-gateway/janus.js" in text and "webrtc-adapter/adapter.js" in text
    if page == "index" and status == 200:
        assert briefing.meeting.title in response.content.decode()
