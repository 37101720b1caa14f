"""
Synchronous HTTP clients for Janus: `JanusClient` (Janus API + VideoRoom management requests) and
`JanusAdminClient` (Admin API).

Rules the clients keep:
- Every request has an explicit timeout (connect 3 s, the rest `timeout`).
- Only transport failures are retried, with a short backoff: a connect error always (the request never
  reached Janus), a read failure only for read-only requests (a `create` that timed out may have
  happened). Anything Janus answered is final and becomes an exception from `errors.py`.
- A session that Janus forgot (458/459, e.g. after a restart or 60 s idle) is recreated once.
- Secrets are sent in JSON bodies only and never appear in exception messages or logs.

The VideoRoom requests used here are synchronous over HTTP (JANUS.md §4.2), so one POST gives the
answer; no long poll is needed.

Batches (`JanusClient.rooms_create`, `JanusAdminClient.tokens_add`) pipeline their POSTs on one
HTTP/1.1 connection (`_Pipeline`): a window of requests is written at once and the answers are read
in order, so a batch costs a few round trips instead of one per request (httpx alone spends ~0.4 ms
of CPU per request, more than Janus takes to answer one).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import socket
import ssl
import time
import uuid
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import httpx

from integrations.janus.errors import (
    JanusAPIError,
    JanusError,
    JanusHandleNotFoundError,
    JanusSessionNotFoundError,
    JanusUnavailableError,
    core_error,
    videoroom_error,
)
from integrations.janus.types import Participant, Room, RoomSpec, ServerInfo

logger = logging.getLogger("integrations.janus")

VIDEOROOM = "janus.plugin.videoroom"

# VideoRoom requests that change nothing: safe to resend after a read timeout.
_READ_ONLY = frozenset({"exists", "list", "listparticipants"})

# Pipelined requests in flight at once: small enough that requests and answers fit the socket
# buffers (no deadlock while neither side reads), large enough that a round trip is rare.
PIPELINE_WINDOW = 64


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context per process: loading the CA bundle costs ~0.15 s, too much for every task."""
    return ssl.create_default_context()


class _PipelineClosedError(Exception):
    """A pipelined connection ended (closed, or an answer that is not HTTP) before every answer came."""


class _Pipeline:
    """
    One HTTP/1.1 connection for pipelined POSTs to one URL: `exchange` writes several requests at once
    and yields the answers (status, body) in order. Connects directly (Janus is on the local network;
    no proxy); raises OSError or _PipelineClosedError when the connection fails. Answers are parsed
    here (status line, headers, a Content-Length or chunked body): h11 made parsing most of a batch's
    CPU time.
    """

    def __init__(self, url: str, *, timeout: float) -> None:
        parts = urlsplit(url)
        secure = parts.scheme == "https"
        host = parts.hostname or ""
        self.target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.authority = host if parts.port is None else f"{host}:{parts.port}"
        sock = socket.create_connection((host, parts.port or (443 if secure else 80)), timeout=min(3.0, timeout))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if secure:
            sock = _tls_context().wrap_socket(sock, server_hostname=host)
        sock.settimeout(timeout)
        self.sock = sock
        self.buffer = bytearray()
        self.closed = False

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def exchange(self, payloads: Sequence[bytes]) -> Iterator[tuple[int, bytes]]:
        head = f"POST {self.target} HTTP/1.1\r\nHost: {self.authority}\r\nContent-Type: application/json\r\n"
        self.sock.sendall(b"".join(f"{head}Content-Length: {len(p)}\r\n\r\n".encode() + p for p in payloads))
        for _payload in payloads:
            yield self._answer()

    def _receive(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            self.closed = True
            raise _PipelineClosedError("connection closed")
        self.buffer += data

    def _line(self) -> bytes:
        while (end := self.buffer.find(b"\r\n")) < 0:
            self._receive()
        line = bytes(self.buffer[:end])
        del self.buffer[: end + 2]
        return line

    def _take(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._receive()
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def _answer(self) -> tuple[int, bytes]:
        if self.closed:
            raise _PipelineClosedError("connection closed")
        try:
            while True:
                version, status_text, *_reason = self._line().split(b" ", 2)
                headers = {}
                while line := self._line():
                    name, _colon, value = line.partition(b":")
                    headers[name.strip().lower()] = value.strip().lower()
                status = int(status_text)
                if not version.startswith(b"HTTP/1."):
                    raise ValueError(version)
                if status >= 200:
                    break  # 1xx: an interim answer, the real one follows
            if headers.get(b"transfer-encoding", b"").endswith(b"chunked"):
                chunks = []
                while size := int(self._line().split(b";", 1)[0], 16):
                    chunks.append(self._take(size))
                    self._line()
                while self._line():  # trailers
                    pass
                body = b"".join(chunks)
            elif b"content-length" in headers:
                body = self._take(int(headers[b"content-length"]))
            else:  # the body runs to the end of the connection
                with contextlib.suppress(_PipelineClosedError):
                    while True:
                        self._receive()
                body, self.buffer = bytes(self.buffer), bytearray()
        except ValueError as exc:
            self.closed = True
            raise _PipelineClosedError("not an HTTP/1.1 answer") from exc
        if headers.get(b"connection") == b"close" or version == b"HTTP/1.0":
            self.closed = True  # nothing more will come on this connection
        return status, body


def _where(method: str, url: str) -> str:
    """What a failed request was, for its error: `POST /janus/123/456` (the URL's path, never a secret)."""
    return f"{method} {urlsplit(url).path or '/'}"


class _Transport:
    """POSTs JSON to one base URL with timeouts and transport-only retries."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        retries: int,
        backoff: float,
        transport: httpx.BaseTransport | None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.custom_transport = transport is not None
        self.http = httpx.Client(
            transport=transport, timeout=httpx.Timeout(timeout, connect=min(3.0, timeout)), verify=_tls_context()
        )

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, body: dict[str, Any] | None = None, *, idempotent: bool) -> Any:
        url = self.base_url + path
        where = _where(method, url)
        attempt = 0
        while True:
            try:
                response = self.http.request(method, url, json=body)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                failure: Exception = exc
            except httpx.TransportError as exc:  # read/write timeouts, broken connections
                if not idempotent:
                    raise JanusUnavailableError(0, f"{type(exc).__name__} on {where}") from exc
                failure = exc
            else:
                return self._decode(response, where)
            if attempt >= self.retries:
                raise JanusUnavailableError(0, f"{type(failure).__name__} on {where}") from failure
            attempt += 1
            logger.info("janus %s%s: %s, retry %d", self.base_url, path, type(failure).__name__, attempt)
            time.sleep(self.backoff * 2 ** (attempt - 1))

    def request_many(self, path: str, bodies: Sequence[dict[str, Any]], *, idempotent: bool) -> list[Any]:
        """
        POST each body to `path`, pipelined (`_Pipeline`, `PIPELINE_WINDOW` at a time), and return in
        order each decoded answer or the JanusError it maps to (returned, not raised). When the
        connection fails, the requests without an answer are sent again on a new connection if
        `idempotent` or if it never connected (within `retries`); otherwise they get
        JanusUnavailableError. With a custom httpx transport (tests), requests go one by one.
        """
        if self.custom_transport or len(bodies) < 2:
            return [self._request_or_error(path, body, idempotent=idempotent) for body in bodies]
        payloads = [json.dumps(body).encode() for body in bodies]
        where = _where("POST", self.base_url + path)
        answers: dict[int, Any] = {}
        attempt = 0
        while len(answers) < len(bodies):
            waiting = [index for index in range(len(bodies)) if index not in answers]
            connected = False
            try:
                with _Pipeline(self.base_url + path, timeout=self.timeout) as pipeline:
                    connected = True
                    for start in range(0, len(waiting), PIPELINE_WINDOW):
                        window = waiting[start : start + PIPELINE_WINDOW]
                        answered = pipeline.exchange([payloads[index] for index in window])
                        for index, (status, content) in zip(window, answered, strict=True):
                            answers[index] = self._decode_or_error(status, content, where)
            except (OSError, _PipelineClosedError) as exc:
                if (connected and not idempotent) or attempt >= self.retries:
                    error = JanusUnavailableError(0, f"{type(exc).__name__} on {where}")
                    answers |= {index: error for index in range(len(bodies)) if index not in answers}
                    break
                attempt += 1
                logger.info("janus %s%s: %s, pipeline retry %d", self.base_url, path, type(exc).__name__, attempt)
                time.sleep(self.backoff * 2 ** (attempt - 1))
        return [answers[index] for index in range(len(bodies))]

    def _request_or_error(self, path: str, body: dict[str, Any], *, idempotent: bool) -> Any:
        try:
            return self.request("POST", path, body, idempotent=idempotent)
        except JanusError as exc:
            return exc

    @classmethod
    def _decode_or_error(cls, status: int, content: bytes, path: str) -> Any:
        try:
            return cls._decode_content(status, content, path)
        except JanusError as exc:
            return exc

    @classmethod
    def _decode(cls, response: httpx.Response, path: str) -> Any:
        return cls._decode_content(response.status_code, response.content, path)

    @staticmethod
    def _decode_content(status: int, content: bytes, path: str) -> Any:
        if status >= 500:
            raise JanusUnavailableError(status, f"HTTP {status} on {path}")
        if status == 404:
            # Janus answers 404 with an empty body for an unknown session path.
            raise JanusSessionNotFoundError(458, f"HTTP 404 on {path}")
        if status >= 400:
            raise JanusAPIError(status, f"HTTP {status} on {path}")
        try:
            data = json.loads(content)
        except ValueError as exc:
            raise JanusUnavailableError(status, f"invalid JSON on {path}") from exc
        if isinstance(data, dict) and data.get("janus") == "error":
            error = data.get("error") or {}
            raise core_error(int(error.get("code", 0)), str(error.get("reason", "")))
        return data


class JanusClient:
    """
    Janus API client for VideoRoom management. One Janus session and one plugin handle are created on
    first use and destroyed by `close()`; use it as a context manager inside one task.

        with JanusClient("http://127.0.0.1:8088/janus", api_secret=…) as janus:
            janus.room_create(RoomSpec(room_id=…, secret=…, pin=…, allowed=(…,)))
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_secret: str = "",
        admin_key: str = "",
        timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.2,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._http = _Transport(base_url, timeout=timeout, retries=retries, backoff=backoff, transport=transport)
        self._api_secret = api_secret
        self._admin_key = admin_key
        self._session_id: int | None = None
        self._handle_id: int | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<JanusClient {self._http.base_url}>"

    def close(self) -> None:
        """Destroy the session (best effort) and close the connection pool."""
        if self._session_id is not None:
            with contextlib.suppress(JanusError):  # otherwise the session times out on its own
                self._call(f"/{self._session_id}", {"janus": "destroy"}, idempotent=True)
            self._session_id = self._handle_id = None
        self._http.close()

    #
    # Core API
    #

    def info(self) -> ServerInfo:
        """`GET /janus/info`; needs no secret."""
        return ServerInfo.from_json(self._http.request("GET", "/info", idempotent=True))

    def ping(self) -> bool:
        return self._call("", {"janus": "ping"}, idempotent=True).get("janus") == "pong"

    def _payload(self, body: dict[str, Any]) -> dict[str, Any]:
        payload = {**body, "transaction": uuid.uuid4().hex}
        if self._api_secret:
            payload["apisecret"] = self._api_secret
        return payload

    def _call(self, path: str, body: dict[str, Any], *, idempotent: bool) -> dict[str, Any]:
        return self._http.request("POST", path, self._payload(body), idempotent=idempotent)

    def _ensure_handle(self) -> tuple[int, int]:
        if self._session_id is None:
            self._session_id = int(self._call("", {"janus": "create"}, idempotent=False)["data"]["id"])
            self._handle_id = None
        if self._handle_id is None:
            reply = self._call(f"/{self._session_id}", {"janus": "attach", "plugin": VIDEOROOM}, idempotent=False)
            self._handle_id = int(reply["data"]["id"])
        return self._session_id, self._handle_id

    def videoroom(self, body: dict[str, Any]) -> dict[str, Any]:
        """
        Send one synchronous VideoRoom request and return `plugindata.data`, raising the mapped
        exception when the plugin reports `error_code`. A lost session is recreated once.
        """
        idempotent = body.get("request") in _READ_ONLY
        for attempt in (1, 2):
            session_id, handle_id = self._ensure_handle()
            try:
                reply = self._call(
                    f"/{session_id}/{handle_id}", {"janus": "message", "body": body}, idempotent=idempotent
                )
            except (JanusSessionNotFoundError, JanusHandleNotFoundError):
                self._session_id = self._handle_id = None
                if attempt == 2:
                    raise
                continue
            data = (reply.get("plugindata") or {}).get("data") or {}
            if "error_code" in data:
                raise videoroom_error(int(data["error_code"]), str(data.get("error", "")))
            return data
        raise AssertionError("unreachable")  # pragma: no cover

    def videoroom_many(self, bodies: Sequence[dict[str, Any]]) -> list[dict[str, Any] | JanusError]:
        """
        Send many synchronous VideoRoom requests, pipelined on one connection, and return in order each
        `plugindata.data` or the mapped exception (returned, not raised). Requests that found the
        session gone (Janus did not run them) are sent once more on a new session.
        """
        if not bodies:
            return []
        idempotent = all(body.get("request") in _READ_ONLY for body in bodies)
        results: dict[int, dict[str, Any] | JanusError] = {}
        waiting = list(range(len(bodies)))
        for attempt in (1, 2):
            try:
                session_id, handle_id = self._ensure_handle()
            except JanusError as exc:
                results |= dict.fromkeys(waiting, exc)
                break
            answers = self._http.request_many(
                f"/{session_id}/{handle_id}",
                [self._payload({"janus": "message", "body": bodies[index]}) for index in waiting],
                idempotent=idempotent,
            )
            lost = []
            for index, answer in zip(waiting, answers, strict=True):
                if isinstance(answer, (JanusSessionNotFoundError, JanusHandleNotFoundError)) and attempt == 1:
                    lost.append(index)
                elif isinstance(answer, JanusError):
                    results[index] = answer
                else:
                    data = (answer.get("plugindata") or {}).get("data") or {}
                    if "error_code" in data:
                        results[index] = videoroom_error(int(data["error_code"]), str(data.get("error", "")))
                    else:
                        results[index] = data
            if not lost:
                break
            self._session_id = self._handle_id = None
            waiting = lost
        return [results[index] for index in range(len(bodies))]

    #
    # VideoRoom management
    #

    def room_create(self, spec: RoomSpec) -> int:
        """Create a room (never permanent); raises `RoomExistsError` if the id is taken."""
        body = spec.to_body()
        if self._admin_key:
            body["admin_key"] = self._admin_key
        return int(self.videoroom(body)["room"])

    def rooms_create(self, specs: Sequence[RoomSpec]) -> list[JanusError | None]:
        """
        Create many rooms in pipelined requests; returns, in order, None for each room created or the
        error it got (`RoomExistsError` if its id is taken, `JanusUnavailableError` if the answer was
        lost: it may have been created).
        """
        bodies = [spec.to_body() for spec in specs]
        if self._admin_key:
            for body in bodies:
                body["admin_key"] = self._admin_key
        return [answer if isinstance(answer, JanusError) else None for answer in self.videoroom_many(bodies)]

    def rooms_allow(self, specs: Sequence[RoomSpec]) -> list[JanusError | None]:
        """
        Add each spec's tokens to its room's allowed list (`allowed` `add`, with the spec's secret), in
        pipelined requests; returns, in order, None or the error of each room.
        """
        bodies = [
            {"request": "allowed", "room": s.room_id, "secret": s.secret, "action": "add", "allowed": list(s.allowed)}
            for s in specs
        ]
        return [answer if isinstance(answer, JanusError) else None for answer in self.videoroom_many(bodies)]

    def room_exists(self, room_id: int) -> bool:
        return bool(self.videoroom({"request": "exists", "room": room_id})["exists"])

    def room_list(self) -> list[Room]:
        """All rooms; private ones too when the client has the plugin's admin_key."""
        body: dict[str, Any] = {"request": "list"}
        if self._admin_key:
            body["admin_key"] = self._admin_key
        return [Room.from_json(item) for item in self.videoroom(body).get("list", [])]

    def room_participants(self, room_id: int) -> list[Participant]:
        data = self.videoroom({"request": "listparticipants", "room": room_id})
        return [Participant.from_json(item) for item in data.get("participants", [])]

    def rooms_participants(self, room_ids: Sequence[int]) -> list[list[Participant] | JanusError]:
        """`room_participants` of many rooms, pipelined; in order, each room's list or its error."""
        answers = self.videoroom_many([{"request": "listparticipants", "room": room_id} for room_id in room_ids])
        return [
            answer
            if isinstance(answer, JanusError)
            else [Participant.from_json(item) for item in answer.get("participants", [])]
            for answer in answers
        ]

    def room_kick(self, room_id: int, *, secret: str, participant_id: int) -> None:
        self.videoroom({"request": "kick", "room": room_id, "secret": secret, "id": participant_id})

    def room_moderate(self, room_id: int, *, secret: str, participant_id: int, mid: str, mute: bool) -> None:
        """Mute or unmute one stream (by `mid`) of a publisher; the peer connection stays up."""
        self.videoroom(
            {"request": "moderate", "room": room_id, "secret": secret, "id": participant_id, "mid": mid, "mute": mute}
        )

    def room_record(self, room_id: int, *, secret: str, record: bool) -> None:
        """Start or stop recording every publisher of the room, now and from now on (`enable_recording`)."""
        self.videoroom({"request": "enable_recording", "room": room_id, "secret": secret, "record": record})

    def room_allowed(
        self, room_id: int, *, secret: str, action: str, tokens: list[str] | tuple[str, ...] = ()
    ) -> list[str]:
        """Change the join-token list (`add`, `remove`, `enable`, `disable`); returns the new list."""
        body: dict[str, Any] = {"request": "allowed", "room": room_id, "secret": secret, "action": action}
        if tokens:
            body["allowed"] = list(tokens)
        return [str(t) for t in self.videoroom(body).get("allowed", [])]

    def room_destroy(self, room_id: int, *, secret: str) -> None:
        self.videoroom({"request": "destroy", "room": room_id, "secret": secret, "permanent": False})


class JanusAdminClient:
    """Admin API client (`admin_secret` goes in the JSON body; a query parameter does not work)."""

    def __init__(
        self,
        admin_url: str,
        *,
        admin_secret: str,
        timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.2,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._http = _Transport(admin_url, timeout=timeout, retries=retries, backoff=backoff, transport=transport)
        self._secret = admin_secret

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _body(self, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "admin_secret": self._secret, "transaction": uuid.uuid4().hex}

    def _call(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._http.request("POST", "", self._body(body), idempotent=True)

    def info(self) -> ServerInfo:
        return ServerInfo.from_json(self._call({"janus": "info"}))

    def ping(self) -> bool:
        return self._call({"janus": "ping"}).get("janus") == "pong"

    def list_sessions(self) -> list[int]:
        return [int(s) for s in self._call({"janus": "list_sessions"}).get("sessions", [])]

    #
    # Stored tokens (token_auth = true): what browsers authenticate with instead of the API secret
    #

    def token_add(self, token: str, *, plugins: tuple[str, ...] = (VIDEOROOM,)) -> None:
        self._call({"janus": "add_token", "token": token, "plugins": list(plugins)})

    def tokens_add(self, tokens: Sequence[str], *, plugins: tuple[str, ...] = (VIDEOROOM,)) -> dict[str, JanusError]:
        """
        Add many tokens in pipelined requests (adding a token twice is harmless); returns the error of
        each token that was not added, so an empty dict means all were.
        """
        bodies = [self._body({"janus": "add_token", "token": token, "plugins": list(plugins)}) for token in tokens]
        answers = self._http.request_many("", bodies, idempotent=True)
        return {token: answer for token, answer in zip(tokens, answers, strict=True) if isinstance(answer, JanusError)}

    def token_remove(self, token: str) -> None:
        self._call({"janus": "remove_token", "token": token})

    def token_list(self) -> list[str]:
        data = self._call({"janus": "list_tokens"}).get("data") or {}
        return [str(t["token"]) for t in data.get("tokens", []) if isinstance(t, dict) and "token" in t]
