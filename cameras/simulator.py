"""
Loopback camera simulators for tests, benchmarks and demos: small asyncio RTSP servers that answer
`OPTIONS`/`DESCRIBE` properly, slowly, never, or with garbage. They bind to 127.0.0.1 only.

    async with RtspSimulator(mode="answer") as sim:
        url = sim.url("/stream1")        # rtsp://127.0.0.1:<port>/stream1
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from types import TracebackType

__all__ = ["MODES", "RtspSimulator"]

MODES = ("answer", "slow", "silent", "malformed", "digest")
SDP = b"v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=Simulated camera\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\n"
REALM, NONCE = "IPCAM", "3b1f5a0c"


class RtspSimulator:
    """
    One RTSP server on 127.0.0.1 (an ephemeral port unless given).

    Modes: `answer` replies at once; `slow` replies after `delay` seconds; `silent` accepts and never
    replies; `malformed` replies with something that is not RTSP; `digest` requires Digest
    authentication with `username`/`password` on DESCRIBE.
    """

    def __init__(
        self, mode: str = "answer", *, delay: float = 0.0, port: int = 0, username: str = "", password: str = ""
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        self.mode, self.delay, self.port = mode, delay, port
        self.username, self.password = username, password
        self.requests: list[str] = []
        self._server: asyncio.Server | None = None
        self._idle: set[asyncio.StreamWriter] = set()

    def url(self, path: str = "/stream1") -> str:
        return f"rtsp://127.0.0.1:{self.port}{path}"

    async def start(self) -> RtspSimulator:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, backlog=1024)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._idle):
                writer.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> RtspSimulator:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                text = head.decode("iso-8859-1")
                request_line = text.split("\r\n", 1)[0]
                self.requests.append(request_line.split(" ", 1)[0])
                if self.mode == "silent":
                    self._idle.add(writer)
                    await reader.read()  # hold the connection open until the client gives up
                    return
                if self.mode == "malformed":
                    writer.write(b"HTTP/1.1 200 OK\r\nServer: not-a-camera\r\n\r\n")
                    await writer.drain()
                    return
                if self.mode == "slow":
                    await asyncio.sleep(self.delay)
                cseq = (re.search(r"(?im)^cseq:\s*(\d+)", text) or [None, "0"])[1]
                writer.write(self._reply(request_line, text, cseq))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            self._idle.discard(writer)
            writer.close()

    def _reply(self, request_line: str, text: str, cseq: str) -> bytes:
        method = request_line.split(" ", 1)[0]
        if method == "OPTIONS":
            return (
                f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n".encode()
            )
        if method == "DESCRIBE":
            if self.mode == "digest" and not self._authorised(request_line, text):
                return (
                    f'RTSP/1.0 401 Unauthorized\r\nCSeq: {cseq}\r\nWWW-Authenticate: Digest realm="{REALM}", '
                    f'nonce="{NONCE}"\r\n\r\n'
                ).encode()
            head = (
                f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nContent-Type: application/sdp\r\n"
                f"Content-Length: {len(SDP)}\r\n\r\n"
            )
            return head.encode() + SDP
        return f"RTSP/1.0 405 Method Not Allowed\r\nCSeq: {cseq}\r\n\r\n".encode()

    def _authorised(self, request_line: str, text: str) -> bool:
        match = re.search(r"(?im)^authorization:\s*digest (.*)$", text)
        if not match:
            return False
        values = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        uri = request_line.split(" ")[1]
        ha1 = hashlib.md5(f"{self.username}:{REALM}:{self.password}".encode(), usedforsecurity=False).hexdigest()
        ha2 = hashlib.md5(f"DESCRIBE:{uri}".encode(), usedforsecurity=False).hexdigest()
        expected = hashlib.md5(f"{ha1}:{NONCE}:{ha2}".encode(), usedforsecurity=False).hexdigest()
        return values.get("username") == self.username and values.get("response") == expected
