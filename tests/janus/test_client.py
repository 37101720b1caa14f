"""The Janus client against a real Janus 1.1.2 started from the project's config."""

import contextlib
import itertools
import random

import httpx
import pytest

from integrations.janus import JanusAdminClient, JanusClient, RoomSpec
from integrations.janus import errors as E
from tests.janus_server import ADMIN_KEY, ADMIN_SECRET, API_SECRET

pytestmark = pytest.mark.janus

_ids = itertools.count(random.randint(10_000, 900_000) * 1000)


def room_id() -> int:
    return next(_ids)


@pytest.fixture
def client(janus):
    with JanusClient(janus.url, api_secret=API_SECRET, admin_key=ADMIN_KEY, timeout=3) as c:
        yield c


@pytest.fixture
def room(client):
    spec = RoomSpec(room_id=room_id(), secret="s3cret", pin="1234", allowed=("tokA", "tokB"), publishers=4)
    client.room_create(spec)
    yield spec
    with contextlib.suppress(E.RoomNotFoundError):
        client.room_destroy(spec.room_id, secret=spec.secret)


def test_info_and_ping(client, janus):
    """`info` gives the version; ping answers pong; the admin API answers with its secret."""
    info = client.info()
    assert info.version_string == "1.1.2"
    assert "janus.plugin.videoroom" in info.plugins
    assert info.event_handlers is True
    assert client.ping()
    with JanusAdminClient(janus.admin_url, admin_secret=ADMIN_SECRET) as admin:
        assert admin.ping()
        assert admin.info().server_name == info.server_name


def test_room_lifecycle(client, room):
    """create → exists → list (private, thanks to admin_key) → listparticipants → destroy."""
    assert client.room_exists(room.room_id)
    listed = {r.room_id: r for r in client.room_list()}
    assert listed[room.room_id].pin_required and listed[room.room_id].is_private
    assert listed[room.room_id].max_publishers == 4
    assert listed[room.room_id].audiolevel_event
    assert client.room_participants(room.room_id) == []
    client.room_destroy(room.room_id, secret=room.secret)
    assert not client.room_exists(room.room_id)


def test_allowed_tokens(client, room):
    assert sorted(client.room_allowed(room.room_id, secret=room.secret, action="add", tokens=["tokC"])) == [
        "tokA",
        "tokB",
        "tokC",
    ]
    assert sorted(client.room_allowed(room.room_id, secret=room.secret, action="remove", tokens=["tokA"])) == [
        "tokB",
        "tokC",
    ]
    with pytest.raises(E.InvalidElementError) as info:
        client.room_allowed(room.room_id, secret=room.secret, action="foo")
    assert info.value.code == 430


def test_426_no_such_room(client):
    with pytest.raises(E.RoomNotFoundError) as info:
        client.room_participants(room_id())
    assert info.value.code == 426
    with pytest.raises(E.RoomNotFoundError):
        client.room_destroy(room_id(), secret="x")


def test_427_room_exists(client, room):
    with pytest.raises(E.RoomExistsError) as info:
        client.room_create(RoomSpec(room_id=room.room_id, secret="other"))
    assert info.value.code == 427


def test_428_no_such_user(client, room):
    with pytest.raises(E.ParticipantNotFoundError) as info:
        client.room_kick(room.room_id, secret=room.secret, participant_id=12345)
    assert info.value.code == 428
    with pytest.raises(E.ParticipantNotFoundError):
        client.room_moderate(room.room_id, secret=room.secret, participant_id=12345, mid="0", mute=True)


def test_429_missing_element(janus, client):
    with pytest.raises(E.MissingElementError) as info:
        client.videoroom({"request": "kick", "room": 1, "secret": "x"})
    assert info.value.code == 429
    # Without the plugin's admin_key, create is refused.
    with JanusClient(janus.url, api_secret=API_SECRET) as no_key, pytest.raises(E.MissingElementError):
        no_key.room_create(RoomSpec(room_id=room_id(), secret="x"))


def test_430_invalid_element(client):
    with pytest.raises(E.InvalidElementError) as info:
        client.videoroom({"request": "exists", "room": "abc"})
    assert info.value.code == 430


def test_433_unauthorised(janus, client, room):
    with pytest.raises(E.VideoRoomUnauthorizedError) as info:
        client.room_destroy(room.room_id, secret="wrong")
    assert info.value.code == 433
    with (
        JanusClient(janus.url, api_secret=API_SECRET, admin_key="wrong") as bad_key,
        pytest.raises(E.VideoRoomUnauthorizedError),
    ):
        bad_key.room_create(RoomSpec(room_id=room_id(), secret="x"))


def test_core_403_wrong_api_secret(janus):
    with JanusClient(janus.url, api_secret="wrong") as bad, pytest.raises(E.JanusUnauthorizedError) as info:
        bad.room_exists(1)
    assert info.value.code == 403
    assert "wrong" not in str(info.value).split(":")[0]


def test_core_403_wrong_admin_secret(janus):
    with JanusAdminClient(janus.admin_url, admin_secret="wrong") as admin, pytest.raises(E.JanusUnauthorizedError):
        admin.list_sessions()


def test_458_lost_session_is_recreated(janus, client, room):
    """A session Janus forgot (timeout, restart) is recreated once, transparently."""
    assert client.room_exists(room.room_id)
    with JanusAdminClient(janus.admin_url, admin_secret=ADMIN_SECRET) as admin:
        assert client._session_id in admin.list_sessions()
    client._session_id += 1  # a session id Janus never issued → 458
    assert client.room_exists(room.room_id)


def test_core_458_raised_for_raw_calls(client):
    with pytest.raises(E.JanusSessionNotFoundError) as info:
        client._call("/123456789", {"janus": "keepalive"}, idempotent=True)
    assert info.value.code == 458


#
# Transport failures: a real server cannot produce these on demand.
#


def test_connection_refused_is_retried_then_unavailable():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectError("refused", request=request)

    client = JanusClient("http://janus.invalid/janus", transport=httpx.MockTransport(handler), retries=2, backoff=0)
    with pytest.raises(E.JanusUnavailableError):
        client.room_exists(1)
    assert len(calls) == 3


def test_read_timeout_not_retried_for_create():
    """A create that timed out may have happened: no blind resend (the caller reconciles)."""
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.read())
        if b'"create"' in request.content and b'"request"' in request.content:
            raise httpx.ReadTimeout("slow", request=request)
        if b'"attach"' in request.content:
            return httpx.Response(200, json={"janus": "success", "data": {"id": 2}})
        return httpx.Response(200, json={"janus": "success", "data": {"id": 1}})

    client = JanusClient("http://j/janus", transport=httpx.MockTransport(handler), retries=3, backoff=0)
    with pytest.raises(E.JanusUnavailableError):
        client.room_create(RoomSpec(room_id=1, secret="s"))
    assert sum(b'"request"' in c for c in calls) == 1


def test_read_timeout_retried_for_read_only_request():
    state = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        body = request.read()
        if b'"exists"' in body:
            state["n"] += 1
            if state["n"] == 1:
                raise httpx.ReadTimeout("slow", request=request)
            return httpx.Response(
                200, json={"janus": "success", "plugindata": {"data": {"videoroom": "success", "exists": True}}}
            )
        return httpx.Response(200, json={"janus": "success", "data": {"id": 7}})

    client = JanusClient("http://j/janus", transport=httpx.MockTransport(handler), retries=2, backoff=0)
    assert client.room_exists(1) is True
    assert state["n"] == 2


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_unavailable_without_retry(status):
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(status, text="secret-bearing body must not leak")

    client = JanusClient("http://j/janus", transport=httpx.MockTransport(handler), backoff=0)
    with pytest.raises(E.JanusUnavailableError) as info:
        client.ping()
    assert info.value.code == status
    assert "secret" not in str(info.value)
    assert len(calls) == 1


def test_secrets_not_in_repr_or_errors(janus):
    client = JanusClient(janus.url, api_secret="very-secret-value", admin_key="key-value")
    assert "very-secret" not in repr(client)
    with pytest.raises(E.JanusUnauthorizedError) as info:
        client.room_exists(1)
    assert "very-secret" not in str(info.value)
    client.close()


def test_stored_tokens_let_a_browser_in_without_the_api_secret(janus):
    """token_auth: a token added through the Admin API opens sessions; removing it closes the door."""
    with JanusAdminClient(janus.admin_url, admin_secret=ADMIN_SECRET) as admin:
        admin.token_add("site-token-1")
        assert "site-token-1" in admin.token_list()
        browser = httpx.post(janus.url, json={"janus": "create", "token": "site-token-1", "transaction": "t"}).json()
        assert browser["janus"] == "success"
        admin.token_remove("site-token-1")
        assert "site-token-1" not in admin.token_list()
    refused = httpx.post(janus.url, json={"janus": "create", "token": "site-token-1", "transaction": "t"}).json()
    assert refused["error"]["code"] == 403


#
# Batches: pipelined requests on one connection
#


def test_tokens_add_many_beyond_one_window(janus):
    """More tokens than one pipeline window: all added, answers matched in order; adding again is harmless."""
    from integrations.janus.client import PIPELINE_WINDOW

    tokens = [f"batch-{room_id()}" for _ in range(2 * PIPELINE_WINDOW + 7)]
    with JanusAdminClient(janus.admin_url, admin_secret=ADMIN_SECRET) as admin:
        assert admin.tokens_add(tokens) == {}
        assert set(tokens) <= set(admin.token_list())
        assert admin.tokens_add(tokens[:3]) == {}
        for token in tokens:
            admin.token_remove(token)


def test_tokens_add_reports_each_failure(janus):
    with JanusAdminClient(janus.admin_url, admin_secret="wrong") as admin:
        errors = admin.tokens_add(["t1", "t2"])
    assert set(errors) == {"t1", "t2"}
    assert all(isinstance(e, E.JanusUnauthorizedError) for e in errors.values())


def test_rooms_create_many_gives_one_answer_per_room(client):
    existing = RoomSpec(room_id=room_id(), secret="s")
    client.room_create(existing)
    specs = [RoomSpec(room_id=room_id(), secret="s", pin="1", allowed=("a",)) for _ in range(3)]
    specs.insert(1, existing)
    answers = client.rooms_create(specs)
    assert answers[0] is None and answers[2] is None and answers[3] is None
    assert isinstance(answers[1], E.RoomExistsError)
    listed = {r.room_id for r in client.room_list()}
    assert {spec.room_id for spec in specs} <= listed
    for spec in specs:
        client.room_destroy(spec.room_id, secret=spec.secret)


def test_rooms_create_many_on_a_lost_session(client):
    """Requests that found the session gone were not run: they go again on a new session."""
    client.ping()
    client._ensure_handle()
    client._session_id += 1  # a session id Janus never issued → 458 for every request
    specs = [RoomSpec(room_id=room_id(), secret="s") for _ in range(3)]
    assert client.rooms_create(specs) == [None, None, None]
    for spec in specs:
        client.room_destroy(spec.room_id, secret=spec.secret)


def test_batch_to_a_closed_port_is_unavailable():
    from tests.janus_server import free_port

    admin = JanusAdminClient(f"http://127.0.0.1:{free_port()}/admin", admin_secret="x", retries=1, backoff=0)
    errors = admin.tokens_add(["a", "b", "c"])
    assert set(errors) == {"a", "b", "c"}
    assert all(isinstance(e, E.JanusUnavailableError) for e in errors.values())


class _ClosingServer:
    """An HTTP server that answers `per_connection` requests on each connection, then closes it."""

    def __init__(self, per_connection: int, chunked: bool = False) -> None:
        import socket
        import threading

        self.per_connection = per_connection
        self.chunked = chunked
        self.connections = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn, contextlib.suppress(ConnectionError, EOFError):
                self._answer(conn)

    def _answer(self, conn) -> None:
        import json

        def receive() -> bytes:
            data = conn.recv(65536)
            if not data:
                raise EOFError
            return data

        buffer = b""
        for answered in range(self.per_connection):
            while b"\r\n\r\n" not in buffer:
                buffer += receive()
            head, buffer = buffer.split(b"\r\n\r\n", 1)
            lines = [line.split(b":", 1) for line in head.split(b"\r\n")[1:]]
            length = int(next(value for name, value in lines if name.lower() == b"content-length"))
            while len(buffer) < length:
                buffer += receive()
            body, buffer = json.loads(buffer[:length]), buffer[length:]
            reply = json.dumps({"janus": "success", "transaction": body.get("transaction")}).encode()
            last = answered == self.per_connection - 1
            if self.chunked:  # in two chunks, with a trailer
                half = len(reply) // 2
                framed = b"Transfer-Encoding: chunked\r\n\r\n" + b"".join(
                    f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in (reply[:half], reply[half:])
                )
                framed += b"0\r\nX-Trailer: 1\r\n\r\n"
            else:
                framed = f"Content-Length: {len(reply)}\r\n\r\n".encode() + reply
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + (b"Connection: close\r\n" if last else b"")
                + framed
            )

    def close(self) -> None:
        self.sock.close()


def test_pipeline_resends_idempotent_requests_on_a_new_connection():
    server = _ClosingServer(per_connection=2)
    try:
        admin = JanusAdminClient(f"http://127.0.0.1:{server.port}/admin", admin_secret="x", retries=2, backoff=0)
        assert admin.tokens_add(["a", "b", "c", "d", "e"]) == {}
        assert server.connections == 3
    finally:
        server.close()


def test_pipeline_reads_chunked_answers():
    server = _ClosingServer(per_connection=3, chunked=True)
    try:
        transport = JanusAdminClient(f"http://127.0.0.1:{server.port}/admin", admin_secret="x")._http
        answers = transport.request_many("", [{"transaction": str(i)} for i in range(3)], idempotent=True)
        assert [a["transaction"] for a in answers] == ["0", "1", "2"]
        assert server.connections == 1
    finally:
        server.close()


def test_pipeline_does_not_resend_other_requests():
    """A create whose answer was lost may have happened: it is reported unavailable, not sent again."""
    server = _ClosingServer(per_connection=2)
    try:
        transport = JanusClient(f"http://127.0.0.1:{server.port}/janus", retries=2, backoff=0)._http
        answers = transport.request_many("", [{"n": i} for i in range(4)], idempotent=False)
        assert [isinstance(a, dict) for a in answers] == [True, True, False, False]
        assert all(isinstance(a, E.JanusUnavailableError) for a in answers[2:])
        assert server.connections == 1
    finally:
        server.close()


def test_batches_through_a_custom_transport_go_one_by_one():
    bodies = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(request.read())
        if b'"bad"' in request.content:
            return httpx.Response(200, json={"janus": "error", "error": {"code": 403, "reason": "no"}})
        return httpx.Response(200, json={"janus": "success"})

    admin = JanusAdminClient("http://j/admin", admin_secret="x", transport=httpx.MockTransport(handler))
    errors = admin.tokens_add(["good", "bad", "fine"])
    assert list(errors) == ["bad"] and isinstance(errors["bad"], E.JanusUnauthorizedError)
    assert len(bodies) == 3


def test_rooms_allow_many(client):
    specs = [RoomSpec(room_id=room_id(), secret="s", allowed=("a",)) for _ in range(2)]
    for spec in specs:
        client.room_create(spec)
    wrong = RoomSpec(room_id=specs[1].room_id, secret="wrong", allowed=("c",))
    answers = client.rooms_allow([RoomSpec(room_id=specs[0].room_id, secret="s", allowed=("b",)), wrong])
    assert answers[0] is None and isinstance(answers[1], E.VideoRoomUnauthorizedError)
    assert sorted(client.room_allowed(specs[0].room_id, secret="s", action="add")) == ["a", "b"]
    assert client.rooms_allow([]) == []
    for spec in specs:
        client.room_destroy(spec.room_id, secret=spec.secret)


def test_rooms_participants_many(client):
    """Each room's participants, pipelined; a room that does not exist answers with its own 426."""
    specs = [RoomSpec(room_id=room_id(), secret="s") for _ in range(2)]
    client.rooms_create(specs)
    answers = client.rooms_participants([specs[0].room_id, room_id(), specs[1].room_id])
    assert answers[0] == [] and answers[2] == []
    assert isinstance(answers[1], E.RoomNotFoundError)
    for spec in specs:
        client.room_destroy(spec.room_id, secret=spec.secret)
