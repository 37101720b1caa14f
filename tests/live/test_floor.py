"""
Floor control through the API (b18): who may ask, give and take the floor, the turns stored with the
agenda item, the room state every page receives, and the minutes draft's speakers per agenda item.
Janus enforcement with real pages is in test_room_browser.py.
"""

import threading
import time
from functools import partial

import pytest
from django.db import connection

from accounts.roles import Role
from live import selectors, services
from live.models import LiveAction, MediaServer, ParticipantState, VideoRoom
from meetings.models import AgendaItem, FloorTurn, Meeting
from meetings.services.briefings import minutes_prefill_body


@pytest.fixture
def live_briefing(briefing):
    MediaServer.objects.create(name="floor", server_name="janus-floor", api_url="http://127.0.0.1:1/janus")
    Meeting.objects.filter(pk=briefing.meeting.pk).update(status=Meeting.Status.LIVE)
    room = services.room_prepare(meeting=briefing.meeting)
    VideoRoom.objects.filter(pk=room.pk).update(status=VideoRoom.Status.ACTIVE)
    briefing.meeting.refresh_from_db()
    return briefing


def test_request_give_take_and_the_minutes(live_briefing, make_user, api):
    meeting = live_briefing.meeting
    item = AgendaItem.objects.create(meeting=meeting, position=1, title="Báo cáo của các xã")
    chair = api(make_user(Role.HOST))
    officer = api(make_user(Role.COMMUNE_OFFICER, unit=live_briefing.communes[0]))
    site = live_briefing.sites[0]
    base = f"/api/live/meetings/{meeting.pk}/"

    assert chair.post(base + "agenda/", {"item_id": item.pk}, format="json").status_code == 200
    response = officer.post(base + f"sites/{site.pk}/floor/")
    assert response.status_code == 200
    assert [r["name"] for r in response.json()["requests"]] == [site.janus_display]
    assert response.json()["requests"][0]["agenda"] == "1. Báo cáo của các xã"
    # Asking twice is refused clearly; the queue does not change.
    again = officer.post(base + f"sites/{site.pk}/floor/")
    assert again.status_code == 409
    assert FloorTurn.objects.filter(meeting=meeting, status="requested").count() == 1

    state = chair.post(base + "floor/give/", {"bridge_point_id": site.pk}, format="json").json()
    assert state["floor"]["bridge_point_id"] == site.pk and state["requests"] == []
    # Giving the floor to another site ends the first turn.
    other = live_briefing.sites[1]
    state = chair.post(base + "floor/give/", {"bridge_point_id": other.pk}, format="json").json()
    assert state["floor"]["bridge_point_id"] == other.pk
    assert chair.post(base + "floor/take/").json()["floor"] is None

    turns = list(FloorTurn.objects.filter(meeting=meeting).order_by("started_at"))
    assert [(t.bridge_point_id, t.status, t.agenda_item_id) for t in turns] == [
        (site.pk, "done", item.pk),
        (other.pk, "done", item.pk),
    ]
    assert all(t.started_at <= t.ended_at for t in turns)
    assert turns[0].requested_at is not None and turns[1].requested_at is None  # given unasked
    assert LiveAction.objects.filter(meeting=meeting, action="floor_give").count() == 2

    body = minutes_prefill_body(meeting=meeting, user=make_user(Role.OFFICE_STAFF))
    assert "Ý kiến phát biểu:" in body
    section = body.split("Ý kiến phát biểu:")[1]
    assert "1. Báo cáo của các xã:" in section
    assert section.index(site.janus_display) < section.index(other.janus_display)


def test_who_may_do_what(live_briefing, make_user, api):
    meeting = live_briefing.meeting
    base = f"/api/live/meetings/{meeting.pk}/"
    officer = api(make_user(Role.COMMUNE_OFFICER, unit=live_briefing.communes[0]))
    own, other = live_briefing.sites[:2]
    # A commune asks only for its own bridge point; another commune's is not found.
    assert officer.post(base + f"sites/{other.pk}/floor/").status_code == 404
    # Only the chair's side gives the floor, moves the agenda or changes the mode.
    assert officer.post(base + "floor/give/", {"bridge_point_id": own.pk}, format="json").status_code == 403
    assert officer.post(base + "floor/mode/", {"mode": "open"}, format="json").status_code == 403
    assert officer.post(base + "agenda/", {"item_id": None}, format="json").status_code == 403
    # A district user without a unit joins only from the host bridge point: no commune's token either.
    host = api(make_user(Role.HOST))
    assert host.get(base + f"sites/{own.pk}/join/").status_code == 404
    assert host.post(base + f"sites/{own.pk}/session/", {"session_id": 5}, format="json").status_code == 404


def test_bad_input_changes_nothing(live_briefing, make_user, api):
    meeting = live_briefing.meeting
    base = f"/api/live/meetings/{meeting.pk}/"
    chair = api(make_user(Role.HOST))
    other_meeting_item = AgendaItem.objects.create(
        meeting=Meeting.objects.create(
            title="Khác",
            host_bridge_point=meeting.host_bridge_point,
            chair="x",
            organiser=meeting.organiser,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
        ),
        title="Không thuộc cuộc họp này",
    )
    for url, body in [
        ("floor/give/", {"bridge_point_id": "x"}),
        ("floor/give/", {"bridge_point_id": meeting.host_bridge_point_id}),  # the chair does not take turns
        ("floor/mode/", {"mode": "chaos"}),
        ("agenda/", {"item_id": other_meeting_item.pk}),
        ("floor/decline/", {"turn_id": 999999}),
    ]:
        response = chair.post(base + url, body, format="json")
        assert response.status_code in (400, 409), (url, response.status_code)
        assert response.json().get("message") or response.json()
    room = VideoRoom.objects.get(meeting=meeting)
    assert (room.floor_mode, room.current_agenda_item_id) == ("moderated", None)
    assert not FloorTurn.objects.exists()


def test_not_live_is_a_conflict(briefing, make_user, api):
    officer = api(make_user(Role.COMMUNE_OFFICER, unit=briefing.communes[0]))
    response = officer.post(f"/api/live/meetings/{briefing.meeting.pk}/sites/{briefing.sites[0].pk}/floor/")
    assert response.status_code == 409


def test_the_end_closes_turns_and_the_join_config_says_gone(live_briefing, make_user, api):
    meeting = live_briefing.meeting
    base = f"/api/live/meetings/{meeting.pk}/"
    officer = api(make_user(Role.COMMUNE_OFFICER, unit=live_briefing.communes[0]))
    site = live_briefing.sites[0]
    officer.post(base + f"sites/{site.pk}/floor/")
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.ENDED)
    response = officer.get(base + f"sites/{site.pk}/join/")
    assert response.status_code == 410 and response.json()["status"] == "ended"
    assert officer.post(base + f"sites/{site.pk}/session/", {"session_id": 1}, format="json").status_code == 410


def test_room_state_has_a_constant_number_of_queries(live_briefing, django_assert_max_num_queries):
    meeting = live_briefing.meeting
    room = VideoRoom.objects.get(meeting=meeting)
    for i in range(5):
        AgendaItem.objects.create(meeting=meeting, position=i, title=f"Mục {i}")
    for site in live_briefing.sites:
        FloorTurn.objects.create(meeting=meeting, bridge_point=site, requested_at=meeting.starts_at)
    with django_assert_max_num_queries(4):
        state = selectors.room_state(room=room)
    assert len(state["requests"]) == len(live_briefing.sites) and len(state["agenda"]) == 5


@pytest.mark.django_db(transaction=True)
def test_a_site_given_the_floor_as_it_publishes_is_not_muted_for_its_turn(live_briefing, make_user, monkeypatch):
    """
    The chair gives the floor to a site whose `published` event has just queued `floor_enforce`: the
    task waits for the give to commit and sees the new holder, so it leaves the site heard. (Read
    without the meeting's lock, it saw the floor before the give and muted the new holder in Janus for
    its whole turn: a CI run where Janus never heard the commune.) Janus is recorded, not called: the
    order of the two transactions is what is tested; test_room_browser.py has the real Janus.
    """
    from live.services import floor

    meeting, site = live_briefing.meeting, live_briefing.sites[0]
    state = ParticipantState.objects.get(video_room__meeting=meeting, bridge_point=site)
    ParticipantState.objects.filter(pk=state.pk).update(state="publishing", janus_id=7001, audio_muted=False)
    chair = make_user(Role.HOST)
    inside_give, told, errors = threading.Event(), [], []

    def janus(room, changes):
        changes = list(changes)
        told.extend((s.bridge_point_id, mute) for s, mute in changes)
        if threading.current_thread().name == "give":
            inside_give.set()
            time.sleep(1)  # the give holds the meeting while the site's task starts
        return [s for s, _ in changes]

    def run(target):
        try:
            target()
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    monkeypatch.setattr(floor, "_moderate", janus)
    giving = partial(services.floor_give, meeting=meeting, user=chair, bridge_point_id=site.pk)
    give = threading.Thread(name="give", target=run, args=(giving,))
    give.start()
    assert inside_give.wait(30)
    enforce = threading.Thread(target=run, args=(partial(services.floor_enforce, state_id=state.pk),))
    enforce.start()
    for thread in (give, enforce):
        thread.join(60)
    assert errors == []
    assert (site.pk, True) not in told
    state.refresh_from_db()
    assert not state.audio_muted
    assert FloorTurn.objects.get(meeting=meeting, status="speaking").bridge_point_id == site.pk
