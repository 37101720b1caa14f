"""
Network probes for cameras, in plain asyncio (no Django here, so they can be tested and benchmarked
on their own).

A probe is: TCP connect to the stream port, then an RTSP `OPTIONS` and `DESCRIBE` exchange (with
Digest or Basic authentication when the camera asks for it), then a GET of the snapshot URL when one
is set. Every network step has its own timeout and the whole probe has a deadline, so a camera that
accepts and never answers costs at most its deadline; `probe_many` runs probes with bounded
concurrency, so one slow camera never delays the others.

Error texts never contain credentials: URLs are shown without user info and passwords are never
formatted into anything.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

__all__ = ["ProbeResult", "ProbeTarget", "probe_camera", "probe_many", "run_probes"]

USER_AGENT = "portal-camera-probe/1.0"
MAX_HEADER_BYTES = 16 * 1024
DEFAULT_PORTS = {"rtsp": 554, "rtsps": 322, "http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class ProbeTarget:
    """What a probe needs to know about one camera."""

    camera_id: int
    stream_url: str = ""
    host: str = ""  # used when there is no stream URL: a TCP check of `port`
    port: int = 554
    snapshot_url: str = ""
    username: str = ""
    password: str = field(default="", repr=False)

    @property
    def address(self) -> tuple[str, int]:
        if self.stream_url:
            parts = urlsplit(self.stream_url)
            return parts.hostname or "", parts.port or DEFAULT_PORTS.get(parts.scheme, 554)
        return self.host, self.port

    @property
    def is_rtsp(self) -> bool:
        return self.stream_url.lower().startswith(("rtsp://", "rtsps://"))


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """The outcome of one probe: `ok`, the stage reached or failed, and how long it took."""

    camera_id: int
    ok: bool
    stage: str  # "tcp", "rtsp", "snapshot" or "done"
    error: str = ""
    elapsed: float = 0.0


class ProbeError(Exception):
    def __init__(self, stage: str, message: str) -> None:
        super().__init__(message)
        self.stage = stage


@dataclass(frozen=True, slots=True)
class RtspResponse:
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes


async def probe_camera(target: ProbeTarget, *, timeout: float = 3.0, deadline: float | None = None) -> ProbeResult:
    """Probe one camera. Never raises; a failure is a result with `ok=False` and a reason."""
    started = time.monotonic()
    stage = "tcp"
    deadline = deadline if deadline is not None else timeout * 3
    try:
        async with asyncio.timeout(deadline):
            host, port = target.address
            if not host:
                raise ProbeError("tcp", "no address")
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
            except TimeoutError as exc:
                raise ProbeError("tcp", "connect timed out") from exc
            except OSError as exc:
                raise ProbeError("tcp", _os_error(exc)) from exc
            try:
                if target.is_rtsp:
                    stage = "rtsp"
                    await _rtsp_exchange(reader, writer, target, timeout)
            finally:
                writer.close()
                with contextlib.suppress(OSError, TimeoutError):
                    await asyncio.wait_for(writer.wait_closed(), 0.5)
            if target.snapshot_url:
                stage = "snapshot"
                await _snapshot(target, timeout)
    except ProbeError as exc:
        return ProbeResult(target.camera_id, False, exc.stage, str(exc), time.monotonic() - started)
    except TimeoutError:
        return ProbeResult(target.camera_id, False, stage, "probe deadline exceeded", time.monotonic() - started)
    except Exception as exc:  # a probe must never take the sweep down; report the kind only
        return ProbeResult(target.camera_id, False, stage, type(exc).__name__, time.monotonic() - started)
    return ProbeResult(target.camera_id, True, "done", "", time.monotonic() - started)


async def probe_many(
    targets: Iterable[ProbeTarget], *, concurrency: int = 50, timeout: float = 3.0, deadline: float | None = None
) -> list[ProbeResult]:
    """Probe every target, at most `concurrency` at a time; results in the order of `targets`."""
    semaphore = asyncio.Semaphore(max(1, concurrency))

    async def one(target: ProbeTarget) -> ProbeResult:
        async with semaphore:
            return await probe_camera(target, timeout=timeout, deadline=deadline)

    return list(await asyncio.gather(*(one(t) for t in targets)))


def run_probes(
    targets: Iterable[ProbeTarget], *, concurrency: int = 50, timeout: float = 3.0, deadline: float | None = None
) -> list[ProbeResult]:
    """Synchronous entry point for Celery tasks and services: runs `probe_many` in a fresh loop."""
    return asyncio.run(probe_many(list(targets), concurrency=concurrency, timeout=timeout, deadline=deadline))


#
# RTSP (RFC 2326), only what a health check needs
#


async def _rtsp_exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, target: ProbeTarget, timeout: float
) -> None:
    url = _without_userinfo(target.stream_url)
    cseq = 1
    options = await _rtsp_request(reader, writer, "OPTIONS", url, cseq, {}, timeout)
    if options.status != 200:
        raise ProbeError("rtsp", f"OPTIONS answered {options.status}")
    cseq += 1
    headers = {"Accept": "application/sdp"}
    describe = await _rtsp_request(reader, writer, "DESCRIBE", url, cseq, headers, timeout)
    if describe.status == 401 and target.username:
        challenge = describe.headers.get("www-authenticate", "")
        authorization = _authorization(challenge, "DESCRIBE", url, target.username, target.password)
        if authorization:
            cseq += 1
            describe = await _rtsp_request(
                reader, writer, "DESCRIBE", url, cseq, {**headers, "Authorization": authorization}, timeout
            )
    if describe.status == 401:
        raise ProbeError("rtsp", "DESCRIBE refused the credentials")
    if describe.status != 200:
        raise ProbeError("rtsp", f"DESCRIBE answered {describe.status}")


async def _rtsp_request(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    method: str,
    url: str,
    cseq: int,
    headers: dict[str, str],
    timeout: float,
) -> RtspResponse:
    lines = [f"{method} {url} RTSP/1.0", f"CSeq: {cseq}", f"User-Agent: {USER_AGENT}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    try:
        await asyncio.wait_for(writer.drain(), timeout)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    except TimeoutError as exc:
        raise ProbeError("rtsp", f"{method} timed out") from exc
    except asyncio.IncompleteReadError as exc:
        raise ProbeError("rtsp", f"connection closed during {method}") from exc
    except asyncio.LimitOverrunError as exc:
        raise ProbeError("rtsp", "malformed reply: header too long") from exc
    except OSError as exc:
        raise ProbeError("rtsp", _os_error(exc)) from exc
    response = _parse_head(head, method)
    length = response.headers.get("content-length", "0")
    if not length.isdigit() or int(length) > MAX_HEADER_BYTES * 4:
        raise ProbeError("rtsp", "malformed reply: bad Content-Length")
    body = b""
    if int(length):
        try:
            body = await asyncio.wait_for(reader.readexactly(int(length)), timeout)
        except TimeoutError as exc:
            raise ProbeError("rtsp", f"{method} body timed out") from exc
        except asyncio.IncompleteReadError as exc:
            raise ProbeError("rtsp", f"connection closed during {method}") from exc
    if response.headers.get("cseq", str(cseq)).strip() != str(cseq):
        raise ProbeError("rtsp", "malformed reply: CSeq does not match")
    return RtspResponse(response.status, response.reason, response.headers, body)


_STATUS_LINE = re.compile(r"^RTSP/1\.\d (\d{3}) ?(.*)$")


def _parse_head(head: bytes, method: str) -> RtspResponse:
    try:
        text = head.decode("iso-8859-1")
    except UnicodeDecodeError as exc:  # pragma: no cover - latin-1 decodes every byte
        raise ProbeError("rtsp", "malformed reply") from exc
    status_line, *header_lines = text.rstrip("\r\n").split("\r\n")
    match = _STATUS_LINE.match(status_line)
    if match is None:
        raise ProbeError("rtsp", f"malformed reply to {method}")
    headers: dict[str, str] = {}
    for line in header_lines:
        name, sep, value = line.partition(":")
        if not sep:
            raise ProbeError("rtsp", f"malformed header in reply to {method}")
        headers[name.strip().lower()] = value.strip()
    return RtspResponse(int(match.group(1)), match.group(2), headers, b"")


def _authorization(challenge: str, method: str, uri: str, username: str, password: str) -> str:
    """An Authorization header answering a Digest (RFC 2069/2617, MD5) or Basic challenge."""
    scheme, _, params = challenge.partition(" ")
    if scheme.lower() == "basic":
        return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
    if scheme.lower() != "digest":
        return ""
    values = dict(re.findall(r'(\w+)="?([^",]*)"?', params))
    realm, nonce = values.get("realm", ""), values.get("nonce", "")
    ha1 = hashlib.md5(f"{username}:{realm}:{password}".encode(), usedforsecurity=False).hexdigest()
    ha2 = hashlib.md5(f"{method}:{uri}".encode(), usedforsecurity=False).hexdigest()
    response = hashlib.md5(f"{ha1}:{nonce}:{ha2}".encode(), usedforsecurity=False).hexdigest()
    return f'Digest username="{username}", realm="{realm}", nonce="{nonce}", uri="{uri}", response="{response}"'


#
# HTTP snapshot
#


async def _snapshot(target: ProbeTarget, timeout: float) -> None:
    auth = httpx.DigestAuth(target.username, target.password) if target.username else None
    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            response = await client.get(target.snapshot_url, auth=auth)
    except httpx.TimeoutException as exc:
        raise ProbeError("snapshot", "snapshot timed out") from exc
    except httpx.HTTPError as exc:
        raise ProbeError("snapshot", f"snapshot failed: {type(exc).__name__}") from exc
    if response.status_code != 200:
        raise ProbeError("snapshot", f"snapshot answered {response.status_code}")


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()


def _os_error(exc: OSError) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return (exc.strerror or type(exc).__name__)[:120]
