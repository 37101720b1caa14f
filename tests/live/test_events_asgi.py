"""
Janus's event endpoint under ASGI (live/asgi.py): answered outside Django's request machinery in one
hop to a worker thread, each delta pushed through the real channel layer as it commits; every
refusal of the Django view holds here too, and every other path still reaches Django.
"""

import asyncio
import json

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.layers import get_channel_layer

from live import services
from live.broadcast import meeting_group
from live.models import VideoRoom
from tests.live.helpers import delta_data
from tests.live.test_events import URL, auth, live_room, plugin, site_state  # noqa: F401 (fixture)


def asgi_request(path: str, *, method: str = "POST", body: bytes = b"", headers: dict | None = None, group: str = ""):
    """Run one request through portal.asgi.application; with `group`, also what that group received."""
    from portal.asgi import application

    headers = {"host": "localhost", "content-type": "application/json", **(headers or {})}
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 5000),
    }

    async def run():
        layer = get_channel_layer()
        channel = await layer.new_channel() if group else None
        if group:
            await layer.group_add(group, channel)
        communicator = ApplicationCommunicator(application, scope)
        await communicator.send_input({"type": "http.request", "body": body, "more_body": False})
        start = await communicator.receive_output(10)
        end = await communicator.receive_output(10)
        await communicator.wait(10)
        received = None
        if group:
            received = await asyncio.wait_for(layer.receive(channel), 5)
            await layer.group_discard(group, channel)
        return start["status"], {k.lower(): v for k, v in start["headers"]}, end["body"], received

    return asyncio.run(run())


def basic(**kwargs) -> dict:
    return {"authorization": auth(**kwargs)["HTTP_AUTHORIZATION"]}


@pytest.mark.django_db(transaction=True)
def test_a_talking_event_takes_one_hop_and_its_delta_reaches_the_boards(live_room, sync_hops):  # noqa: F811
    state = site_state(live_room)
    services.participant_update(row=state, state="publishing", session_id=7, handle_id=8)
    seq_before = VideoRoom.objects.get(pk=live_room.pk).seq
    talking = plugin({"videoroom": "talking", "room": live_room.room_id, "id": state.janus_id}, session=7, handle=8)
    status, headers, body, delta = asgi_request(
        URL, body=json.dumps([talking]).encode(), headers=basic(), group=meeting_group(live_room.meeting_id)
    )
    assert status == 200, body
    assert json.loads(body) == {"received": 1, "applied": 1, "ignored": 0, "malformed": 0, "failed": 0}
    assert sync_hops == ["_answer"]  # Django's handler took three for the same POST
    assert headers[b"x-content-type-options"] == b"nosniff" and len(headers[b"x-request-id"]) == 32
    assert delta["type"] == "live.delta" and delta_data(delta)["seq"] == seq_before + 1
    assert [row["talking"] for row in delta_data(delta)["participants"]] == [True]
    state.refresh_from_db()
    assert state.talking


@pytest.mark.parametrize(
    ("request_args", "status", "message"),
    [
        ({"body": b"[]"}, 401, b"authentication required"),
        ({"body": b"[]", "headers": basic(password="wrong")}, 401, b"authentication required"),
        ({"method": "GET", "headers": basic()}, 405, b"POST only"),
        ({"body": b"[]", "headers": {**basic(), "host": "evil.example"}}, 400, b"host not allowed"),
        ({"body": b"{not json", "headers": basic()}, 400, b"body is not JSON"),
        ({"body": b"[" * 5000 + b"]" * 5000, "headers": basic()}, 400, b"nested too deeply"),
        ({"body": b"[" + b" " * 200 + b"]", "headers": basic()}, 413, b"body too large"),
    ],
)
def test_refusals_change_nothing(db, settings, request_args, status, message):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 150
    if message == b"nested too deeply":
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    answer_status, headers, body, _ = asgi_request(URL, **request_args)
    assert answer_status == status
    assert message in body
    if status == 401:
        assert headers[b"www-authenticate"] == b'Basic realm="janus-events"'
    if status == 405:
        assert headers[b"allow"] == b"POST"


def test_every_other_path_is_django(db):
    status, headers, _body, _ = asgi_request("/api/janus/events/other/", method="GET")
    assert status == 404
    assert headers[b"content-type"].startswith(b"text/html")  # Django's page, with its middleware's headers
    assert headers[b"x-frame-options"] == b"DENY"
