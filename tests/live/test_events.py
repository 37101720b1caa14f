"""The Janus event endpoint: basic auth, grouped arrays, validation, mapping to sites, attendance, deltas."""

import base64
import json
import time

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from live import broadcast, events, selectors, services
from live.models import LiveAction, MediaServer, ParticipantState, ReadinessCheck, VideoRoom
from meetings.models import AttendanceInterval, Meeting
from tests.janus_server import EVENTS_PASSWORD, EVENTS_USER
from tests.live.helpers import delta_data

URL = "/api/janus/events/"
EMITTER = "janus-evt"


def auth(user=EVENTS_USER, password=EVENTS_PASSWORD) -> dict:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def post(client, body, **headers):
    return client.post(URL, data=json.dumps(body), content_type="application/json", **(headers or auth()))


def ev(kind, event, subtype=None, session=None, handle=None):
    out = {"emitter": EMITTER, "type": kind, "timestamp": int(time.time() * 1_000_000), "event": event}
    if subtype is not None:
        out["subtype"] = subtype
    if session is not None:
        out["session_id"], out["handle_id"] = session, handle
    return out


def plugin(data, **kw):
    return ev(64, {"plugin": "janus.plugin.videoroom", "data": data}, **kw)


@pytest.fixture
def live_room(briefing):
    MediaServer.objects.create(name="evt", server_name=EMITTER, api_url="http://127.0.0.1:1/janus")
    Meeting.objects.filter(pk=briefing.meeting.pk).update(status=Meeting.Status.LIVE)
    room = services.room_prepare(meeting=briefing.meeting)
    VideoRoom.objects.filter(pk=room.pk).update(status=VideoRoom.Status.ACTIVE)
    room.refresh_from_db()
    return room


def site_state(room, i=0):
    return room.participants.filter(invitation__isnull=False).order_by("display")[i]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        auth(password="wrong"),
        auth(user="other"),
        {"HTTP_AUTHORIZATION": "Basic !!!"},
        {"HTTP_AUTHORIZATION": "Bearer x"},
    ],
)
def test_requires_basic_auth(client, db, headers):
    response = client.post(URL, data="[]", content_type="application/json", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")


def test_only_post(client, db):
    assert client.get(URL, **auth()).status_code == 405


@pytest.mark.parametrize("body", ["not json", "42", '"x"'])
def test_bad_body_is_400(client, db, body):
    assert client.post(URL, data=body, content_type="application/json", **auth()).status_code == 400


def test_join_publish_talk_mute_leave(client, live_room, django_capture_on_commit_callbacks):
    """A grouped array walks a site through joined → webrtcup → published → talking → moderated → leaving."""
    state = site_state(live_room)
    pid, sid, hid = state.janus_id, 111, 222
    services.participant_claim(state=state, session_id=sid)
    room_id = live_room.room_id
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        r = post(
            client,
            [
                plugin(
                    {"event": "joined", "room": room_id, "id": pid, "display": state.display}, session=sid, handle=hid
                ),
                ev(16, {"connection": "webrtcup"}, subtype=6, session=sid, handle=hid),
                plugin(
                    {"event": "published", "room": room_id, "id": pid, "streams": [{"type": "audio", "mid": "a0"}]},
                    session=sid,
                    handle=hid,
                ),
                ev(32, {"media": "audio", "mid": "a0", "receiving": True}, subtype=1, session=sid, handle=hid),
                plugin({"videoroom": "talking", "room": room_id, "id": pid}, session=sid, handle=hid),
            ],
        )
    assert r.status_code == 200
    assert r.json() == {"received": 5, "applied": 5, "ignored": 0, "malformed": 0, "failed": 0}
    # One numbered delta per change and the floor check queued on publishing (the cache of figures read
    # from attendance is told again as well: common.datacache).
    pushes = [c for c in callbacks if "data_written" not in c.__qualname__]
    assert len(pushes) == 6
    state.refresh_from_db()
    assert (state.state, state.talking, state.audio_mid, state.media_received) == ("publishing", True, "a0", True)
    assert (state.session_id, state.handle_id) == (sid, hid)
    interval = AttendanceInterval.objects.get(bridge_point=state.bridge_point, source="media")
    assert interval.left_at is None
    # moderated and leaving carry no session ids: mapped by room + participant id.
    post(client, [plugin({"videoroom": "moderated", "room": room_id, "id": pid, "mid": "a0", "moderation": "muted"})])
    state.refresh_from_db()
    assert state.audio_muted and not state.talking
    post(client, [plugin({"event": "leaving", "room": room_id, "id": pid})])
    state.refresh_from_db()
    assert state.state == "not_connected" and state.handle_id is None
    interval.refresh_from_db()
    assert interval.left_at is not None
    live_room.refresh_from_db()
    assert live_room.seq >= 7


def test_media_stats_give_bitrate_and_loss(client, live_room):
    state = site_state(live_room)
    services.participant_update(row=state, state="publishing", handle_id=5, session_id=4)
    base = {"media": "video", "mid": "1", "codec": "vp8"}
    post(
        client,
        [
            ev(
                32,
                {**base, "packets-received": 100, "lost": 0, "bytes-received-lastsec": 100_000},
                subtype=3,
                session=4,
                handle=5,
            )
        ],
    )
    post(
        client,
        [
            ev(
                32,
                {**base, "packets-received": 190, "lost": 10, "bytes-received-lastsec": 60_000},
                subtype=3,
                session=4,
                handle=5,
            )
        ],
    )
    state.refresh_from_db()
    assert state.bitrate_kbps == 480 and state.loss_pct == 10.0


def test_subscribers_statistics_cost_one_query_for_the_whole_batch(client, live_room):
    """Most of a briefing's events are the statistics of subscriber handles, which no site row has."""
    state = site_state(live_room)
    services.participant_update(row=state, state="publishing", handle_id=5, session_id=4)
    stats = {"media": "audio", "mid": "0", "packets-received": 50, "lost": 0, "bytes-received-lastsec": 4000}
    subscribers = [
        ev(32, {**stats, "mid": str(m)}, subtype=3, session=9, handle=900 + h) for h in range(17) for m in range(5)
    ]
    with CaptureQueriesContext(connection) as queries:
        answer = post(client, [*subscribers, ev(32, stats, subtype=3, session=4, handle=5)]).json()
    assert answer == {"received": 86, "applied": 1, "ignored": 85, "malformed": 0, "failed": 0}
    handle_lookups = [q["sql"] for q in queries if '"handle_id" IN' in q["sql"]]
    assert len(handle_lookups) == 1  # one for the batch, not one per event
    assert len(queries) <= 12
    state.refresh_from_db()
    assert state.counters["0"]["received"] == 50


def test_a_handle_joined_in_the_same_batch_keeps_its_media_events(client, live_room):
    """A site's handle becomes known by its `joined` event: its media events later in the batch count."""
    state = site_state(live_room)
    services.participant_claim(state=state, session_id=31)
    room_id, pid = live_room.room_id, state.janus_id
    answer = post(
        client,
        [
            plugin({"event": "joined", "room": room_id, "id": pid, "display": state.display}, session=31, handle=32),
            ev(32, {"media": "audio", "mid": "0", "receiving": True}, subtype=1, session=31, handle=32),
        ],
    ).json()
    assert answer["applied"] == 2
    state.refresh_from_db()
    assert state.handle_id == 32 and state.media_received


def test_kicked_and_destroyed(client, live_room):
    a, b = site_state(live_room, 0), site_state(live_room, 1)
    for s in (a, b):
        services.participant_update(row=s, state="publishing")
    post(client, [plugin({"event": "kicked", "room": live_room.room_id, "id": a.janus_id})])
    a.refresh_from_db()
    assert a.state == "not_connected"
    post(client, [plugin({"event": "destroyed", "room": live_room.room_id})])
    b.refresh_from_db()
    assert b.state == "not_connected"
    assert not AttendanceInterval.objects.filter(left_at__isnull=True).exists()


def test_unknown_participant_is_refused(client, live_room, django_capture_on_commit_callbacks, monkeypatch):
    """An id the portal never gave is an impostor: audited, shown on the board, kicked; no row, no attendance."""
    from live import tasks

    kicked = []
    monkeypatch.setattr(tasks.participant_refuse, "delay", lambda **kw: kicked.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        post(
            client,
            [
                plugin(
                    {"event": "joined", "room": live_room.room_id, "id": 987654321, "display": "laptop"},
                    session=1,
                    handle=2,
                )
            ],
        )
    assert not ParticipantState.objects.filter(janus_id=987654321).exists()
    assert kicked == [{"room_pk": live_room.pk, "janus_id": 987654321}]
    assert LiveAction.objects.get(action="impostor").target == "laptop"
    assert selectors.room_state(room=live_room)["alerts"][0]["target"] == "laptop"
    assert not AttendanceInterval.objects.exists()


@pytest.mark.parametrize("case", ["other_display", "other_id", "unclaimed_session"])
def test_a_site_can_only_be_itself(client, live_room, django_capture_on_commit_callbacks, monkeypatch, case):
    """
    A site with its own token tries to pass as another invited site: by its name with its own id, by
    the other's id, or from a session nobody claimed. Each is refused: the rows do not change.
    """
    from live import tasks

    monkeypatch.setattr(tasks.participant_refuse, "delay", lambda **kw: None)
    mine, other = site_state(live_room, 0), site_state(live_room, 1)
    services.participant_claim(state=mine, session_id=5)
    janus_id, display, session = {
        "other_display": (mine.janus_id, other.display, 5),
        "other_id": (other.janus_id, other.display, 5),
        "unclaimed_session": (mine.janus_id, mine.display, 6),
    }[case]
    with django_capture_on_commit_callbacks(execute=True):
        post(
            client,
            [
                plugin(
                    {"event": "joined", "room": live_room.room_id, "id": janus_id, "display": display},
                    session=session,
                    handle=9,
                )
            ],
        )
    for state in (mine, other):
        state.refresh_from_db()
        assert state.state == "not_connected"
    assert LiveAction.objects.filter(action="impostor").count() == 1
    assert not AttendanceInterval.objects.exists()


def test_session_timeout_clears_participants(client, live_room):
    state = site_state(live_room)
    services.participant_update(row=state, state="publishing", session_id=77, handle_id=78)
    post(client, [ev(1, {"name": "timeout"}, session=77, handle=None)])
    state.refresh_from_db()
    assert state.state == "not_connected"


def test_malformed_and_unknown_events_do_not_break_the_batch(client, live_room, caplog):
    state = site_state(live_room)
    services.participant_claim(state=state, session_id=1)
    good = plugin(
        {"event": "joined", "room": live_room.room_id, "id": state.janus_id, "display": state.display},
        session=1,
        handle=2,
    )
    r = post(
        client,
        [
            "a string",
            {"type": "x", "event": {}},
            {"type": 64, "emitter": EMITTER},
            plugin({"event": "joined", "room": "abc", "id": 1}),
            plugin({"event": "joined", "room": live_room.room_id, "id": "x"}),
            ev(32, {"receiving": "yes"}, subtype=1, session=1, handle=2),
            {**good, "emitter": "someone-else"},
            ev(128, {"transport": "http"}),
            plugin({"event": "created", "room": live_room.room_id}),
            plugin({"event": "joined", "room": 1, "id": 5, "display": "other room"}),
            good,
        ],
    )
    assert r.status_code == 200
    body = r.json()
    assert body["received"] == 11 and body["applied"] == 1
    assert body["malformed"] == 5  # the bad media event names no known handle yet: ignored
    state.refresh_from_db()
    assert state.state == "connecting"
    assert "malformed" in caplog.text


def test_an_event_the_portal_fails_to_store_is_counted_and_the_rest_applied(client, live_room, monkeypatch, caplog):
    """A failure of the portal's own (its database gone for a moment) is not the event's fault: counted apart."""
    first, second = live_room.participants.filter(invitation__isnull=False)[:2]
    real = events.handle

    def flaky(server, event):
        if event.body["data"]["id"] == first.janus_id:
            raise DatabaseError("database is locked")
        return real(server, event)

    monkeypatch.setattr(events, "handle", flaky)
    for state in (first, second):
        services.participant_claim(state=state, session_id=1)
    joined = [
        plugin(
            {"event": "joined", "room": live_room.room_id, "id": s.janus_id, "display": s.display}, session=1, handle=h
        )
        for h, s in ((2, first), (3, second))
    ]
    body = post(client, joined).json()
    assert body == {"received": 2, "applied": 1, "ignored": 0, "malformed": 0, "failed": 1}
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == "not_connected" and second.state == "connecting"
    assert "could not be applied" in caplog.text


def test_single_object_body(client, live_room):
    state = site_state(live_room)
    r = post(
        client,
        plugin(
            {"event": "joined", "room": live_room.room_id, "id": state.janus_id, "display": "x"}, session=1, handle=2
        ),
    )
    assert r.json()["applied"] == 1


def test_core_started_triggers_reconcile(client, live_room, django_capture_on_commit_callbacks, monkeypatch):
    calls = []
    monkeypatch.setattr("live.tasks.server_reconcile.delay", lambda **kw: calls.append(kw))
    MediaServer.objects.filter(server_name=EMITTER).update(is_healthy=False)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, [ev(256, {"status": "started", "info": {}}, subtype=1)])
    server = MediaServer.objects.get(server_name=EMITTER)
    assert server.is_healthy and server.last_started_at
    assert calls == [{"server_id": server.pk}]


def test_core_shutdown_closes_attendance(client, live_room):
    state = site_state(live_room)
    services.participant_update(row=state, state="publishing")
    post(client, [ev(256, {"status": "shutdown", "signum": 15}, subtype=2)])
    state.refresh_from_db()
    assert state.state == "not_connected"
    assert not AttendanceInterval.objects.filter(left_at__isnull=True).exists()
    assert not MediaServer.objects.get(server_name=EMITTER).is_healthy


def test_test_call_before_start_fills_readiness(client, briefing):
    MediaServer.objects.create(name="evt", server_name=EMITTER, api_url="http://127.0.0.1:1/janus")
    room = services.room_prepare(meeting=briefing.meeting)
    state = site_state(room)
    services.participant_claim(state=state, session_id=1)
    post(
        client,
        [
            plugin(
                {"event": "joined", "room": room.room_id, "id": state.janus_id, "display": state.display},
                session=1,
                handle=2,
            ),
            plugin(
                {"event": "published", "room": room.room_id, "id": state.janus_id, "streams": []}, session=1, handle=2
            ),
            ev(32, {"media": "video", "mid": "1", "receiving": True}, subtype=1, session=1, handle=2),
        ],
    )
    check = ReadinessCheck.objects.get(invitation=state.invitation)
    assert check.test_call_published and check.test_call_media_received
    assert not AttendanceInterval.objects.exists()  # a test call is not attendance
    # The bridge point's own "last test call" shows it (issue 14: it did not).
    state.bridge_point.refresh_from_db()
    assert state.bridge_point.last_test_result == "ok"
    assert state.bridge_point.last_test_at == check.test_call_at


def test_query_count_per_event_is_bounded(client, live_room):
    state = site_state(live_room)
    services.participant_update(row=state, state="publishing", session_id=1, handle_id=2)
    with CaptureQueriesContext(connection) as queries:
        post(client, [plugin({"videoroom": "talking", "room": live_room.room_id, "id": state.janus_id})])
    assert len(queries) <= 25


def test_a_talking_event_of_a_known_site_is_four_statements_and_a_numbered_delta(
    client, live_room, django_capture_on_commit_callbacks, monkeypatch
):
    """The board's hot path: the server, the site's row with its room and meeting, its update, the next number."""
    state = site_state(live_room)
    services.participant_update(row=state, state="publishing", session_id=7, handle_id=8)
    seq_before = VideoRoom.objects.get(pk=live_room.pk).seq
    sent = []
    monkeypatch.setattr(broadcast, "group_send", lambda meeting_id, message: sent.append((meeting_id, message)))
    talking = plugin({"videoroom": "talking", "room": live_room.room_id, "id": state.janus_id}, session=7, handle=8)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        assert post(client, [talking]).json()["applied"] == 1
    statements = [q["sql"] for q in queries if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN"))]
    assert len(statements) == 4, statements
    assert not any('FROM "live_videoroom"' in sql for sql in statements)  # found with the row
    assert [(meeting_id, delta_data(m)["seq"]) for meeting_id, m in sent] == [(live_room.meeting_id, seq_before + 1)]
    (row,) = delta_data(sent[0][1])["participants"]
    assert (row["key"], row["talking"]) == (state.pk, True)
    assert VideoRoom.objects.get(pk=live_room.pk).seq == seq_before + 1


def test_a_sites_screen_share_publishes_and_stops(client, live_room, monkeypatch):
    """The share publisher (the site's second id) sets and clears `sharing`; it never touches the site's state."""
    from live import tasks

    monkeypatch.setattr(tasks.floor_enforce, "delay", lambda **kw: None)
    state = site_state(live_room)
    services.participant_claim(state=state, session_id=40)
    room_id, share = live_room.room_id, state.share_janus_id
    joined = {"event": "joined", "room": room_id, "id": share, "display": state.display}
    published = {"event": "published", "room": room_id, "id": share, "streams": [{"type": "video", "mid": "0"}]}
    body = post(client, [plugin(joined, session=40, handle=41), plugin(published, session=40, handle=41)]).json()
    assert body["applied"] == 2
    state.refresh_from_db()
    assert state.sharing and state.state == "not_connected"
    for name in ("unpublished", "leaving"):
        post(client, [plugin({"event": name, "room": room_id, "id": share})])
    state.refresh_from_db()
    assert not state.sharing and state.state == "not_connected"
