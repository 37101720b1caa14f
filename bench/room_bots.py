"""
Light bridge points for the briefing benchmark (bench/briefing_room.py --bots): many sites in one
asyncio process, each doing what a room page does over Janus's WebSocket API with aiortc — claim its
session through the portal (the bench does it), join the VideoRoom as its own participant, publish a
pre-encoded clip (VP8 320x240 15 fps + Opus, packetised without re-encoding: no encoder CPU), and
subscribe to the chair, the floor holder and every site's audio, with the chair's video on the
simulcast layer of its link. Received media is counted, not decoded.

It runs inside the bench's network namespace (ICE on 127.0.0.2 only) and talks JSON lines:
stdin  `{"cmd": "add", "bots": [{"key", "ws", "room", "pin", "token", "id", "display", "layer"}]}`,
       `{"cmd": "go", "key"}` (after the claim), `{"cmd": "subscribe", "chair": feed, "holder": feed|null}`,
       `{"cmd": "layer", "key", "layer"}`, `{"cmd": "watch", "key", "feed"}` (report the next audio packet
       of that feed), `{"cmd": "stats"}`, `{"cmd": "quit"}`;
stdout `{"event": "session"|"published"|"subscribed"|"heard"|"error"|"stats", "key", ...}`.

    python bench/room_bots.py --clip /tmp/clip.webm --host-address 127.0.0.2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from fractions import Fraction
from pathlib import Path

TASKS: set[asyncio.Task] = set()  # running tasks are kept referenced until they finish


def spawn(coroutine) -> None:
    task = asyncio.create_task(coroutine)
    TASKS.add(task)
    task.add_done_callback(TASKS.discard)


def emit(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


async def guarded(key: str, coroutine) -> None:
    """Run one bot's coroutine; a failure is reported (with its traceback on stderr), the others go on."""
    try:
        await coroutine
    except Exception as exc:
        import traceback

        traceback.print_exc()
        emit(event="error", key=key, detail=f"{type(exc).__name__}: {exc}")


def make_clip(path: Path, seconds: int = 10) -> None:
    """A VP8 320x240 15 fps (~300 kbit/s, a key frame every second) + Opus tone clip, made once."""
    import math

    import av

    width, height, fps = 320, 240, 15
    with av.open(str(path), "w", format="webm") as out:
        video = out.add_stream("libvpx", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.bit_rate = 300_000
        video.options = {"g": str(fps), "deadline": "realtime", "cpu-used": "8"}
        audio = out.add_stream("libopus", rate=48000)
        audio.bit_rate = 32_000
        audio.layout = "mono"
        chroma = bytes([128]) * (width * height // 4)
        for n in range(seconds * fps):
            # A bar moving over a gradient: changes every frame, like a room camera's picture.
            row = bytes((x + n * 4) % 256 for x in range(width))
            luma = bytearray(row * height)
            top = (n * 3) % (height - 40)
            for y in range(top, top + 40):
                luma[y * width + 40 : y * width + 120] = b"\xeb" * 80
            frame = av.VideoFrame(width, height, "yuv420p")
            frame.planes[0].update(bytes(luma))
            frame.planes[1].update(chroma)
            frame.planes[2].update(chroma)
            frame.pts, frame.time_base = n, Fraction(1, fps)
            for packet in video.encode(frame):
                out.mux(packet)
        samples, step = 960, 0
        for n in range(seconds * 50):
            frame = av.AudioFrame(format="s16", layout="mono", samples=samples)
            pcm = bytearray()
            for i in range(samples):
                value = int(8000 * math.sin(2 * math.pi * 440 * (step + i) / 48000))
                pcm += value.to_bytes(2, "little", signed=True)
            step += samples
            frame.planes[0].update(bytes(pcm))
            frame.sample_rate, frame.pts, frame.time_base = 48000, n * samples, Fraction(1, 48000)
            for packet in audio.encode(frame):
                out.mux(packet)
        for stream in (video, audio):
            for packet in stream.encode(None):
                out.mux(packet)


def count_only_receivers() -> None:
    """Received frames are dropped at the decoder queue: the bots count bytes, they do not decode."""
    import aiortc.rtcrtpreceiver as receiver

    def drain(loop, input_q, output_q, decode_error) -> None:
        while input_q.get() is not None:
            pass

    receiver.decoder_worker = drain


def load_clip(path: str) -> dict[str, list[tuple[float, bytes]]]:
    """The clip's encoded packets by kind, with their times in seconds (read once, shared by every bot)."""
    import av

    packets: dict[str, list[tuple[float, bytes]]] = {"audio": [], "video": []}
    with av.open(path) as container:
        for packet in container.demux():
            if packet.pts is None or packet.size == 0:
                continue
            packets[packet.stream.type].append((float(packet.pts * packet.time_base), bytes(packet)))
    return packets


class LoopTrack:
    """
    A track that sends the clip's encoded packets in a loop, paced by their times (aiortc's MediaPlayer
    with `loop=True` stops pacing after the first loop and floods the event loop).
    """

    def __new__(cls, kind: str, packets: list[tuple[float, bytes]]):
        import av
        from aiortc.mediastreams import MediaStreamTrack

        time_base = Fraction(1, 90000) if kind == "video" else Fraction(1, 48000)
        duration = packets[-1][0] + (packets[-1][0] - packets[-2][0])

        class _Track(MediaStreamTrack):
            def __init__(self) -> None:
                super().__init__()
                self.kind = kind
                self.n = 0
                self.start: float | None = None

            async def recv(self):
                import time

                if self.start is None:
                    self.start = time.time()
                loop_index, index = divmod(self.n, len(packets))
                self.n += 1
                at, data = packets[index]
                at += loop_index * duration
                wait = self.start + at - time.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                packet = av.Packet(data)
                packet.pts, packet.time_base = int(at / time_base), time_base
                return packet

        return _Track()


class Bot:
    def __init__(self, spec: dict, clip: dict[str, list[tuple[float, bytes]]]) -> None:
        self.spec, self.key, self.clip = spec, spec["key"], clip
        self.pending: dict[str, asyncio.Queue] = {}
        self.session_id = self.pub_handle = self.sub_handle = None
        self.go = asyncio.Event()
        self.feeds: dict[int, list[dict]] = {}  # feed → its streams (from the publisher handle's events)
        self.sub_mids: list[str] = []  # the subscriber's video mids (the chair's and the holder's)
        self.sub_streams: dict[tuple[int, str], str] = {}  # (feed, "audio"|"video") → mid
        self.chair: int | None = None
        self.pub_pc = self.sub_pc = None
        self.ws = None

    async def send(self, body: dict, handle: int | None = None, wait_event: bool = False) -> dict:
        transaction = uuid.uuid4().hex
        queue: asyncio.Queue = asyncio.Queue()
        self.pending[transaction] = queue
        payload = {**body, "transaction": transaction, "token": self.spec["token"]}
        if self.session_id:
            payload["session_id"] = self.session_id
        if handle:
            payload["handle_id"] = handle
        await self.ws.send(json.dumps(payload))
        reply = await asyncio.wait_for(queue.get(), 30)
        if wait_event and reply.get("janus") == "ack":
            reply = await asyncio.wait_for(queue.get(), 30)
        self.pending.pop(transaction, None)
        return reply

    async def reader(self) -> None:
        async for raw in self.ws:
            message = json.loads(raw)
            transaction = message.get("transaction")
            if transaction in self.pending:
                self.pending[transaction].put_nowait(message)
                continue
            data = (message.get("plugindata") or {}).get("data") or {}
            for publisher in data.get("publishers") or []:
                self.feeds[publisher["id"]] = publisher.get("streams") or []
            if data.get("unpublished") or data.get("leaving"):
                self.feeds.pop(data.get("unpublished") or data.get("leaving"), None)

    async def keepalive(self) -> None:
        while True:
            await asyncio.sleep(20)
            await self.ws.send(
                json.dumps(
                    {
                        "janus": "keepalive",
                        "session_id": self.session_id,
                        "token": self.spec["token"],
                        "transaction": uuid.uuid4().hex,
                    }
                )
            )

    async def run(self) -> None:
        import websockets
        from aiortc import RTCPeerConnection, RTCSessionDescription

        spec = self.spec
        self.ws = await websockets.connect(spec["ws"], subprotocols=["janus-protocol"], max_size=None)
        spawn(guarded(self.key, self.reader()))
        created = await self.send({"janus": "create"})
        self.session_id = created["data"]["id"]
        emit(event="session", key=self.key, id=self.session_id)
        spawn(guarded(self.key, self.keepalive()))
        await asyncio.wait_for(self.go.wait(), 60)
        self.pub_handle = (await self.send({"janus": "attach", "plugin": "janus.plugin.videoroom"}))["data"]["id"]
        joined = await self.send(
            {
                "janus": "message",
                "body": {
                    "request": "join",
                    "ptype": "publisher",
                    "room": spec["room"],
                    "pin": spec["pin"],
                    "token": spec["token"],
                    "id": spec["id"],
                    "display": spec["display"],
                },
            },
            handle=self.pub_handle,
            wait_event=True,
        )
        data = joined.get("plugindata", {}).get("data", {})
        if data.get("videoroom") != "joined":
            emit(event="error", key=self.key, detail=data)
            return
        for publisher in data.get("publishers") or []:
            self.feeds[publisher["id"]] = publisher.get("streams") or []
        self.pub_pc = RTCPeerConnection()
        self.pub_pc.addTrack(LoopTrack("audio", self.clip["audio"]))
        self.pub_pc.addTrack(LoopTrack("video", self.clip["video"]))
        await self.pub_pc.setLocalDescription(await self.pub_pc.createOffer())
        answer = await self.send(
            {
                "janus": "message",
                "body": {"request": "publish", "audio": True, "video": True},
                "jsep": {"type": "offer", "sdp": self.pub_pc.localDescription.sdp},
            },
            handle=self.pub_handle,
            wait_event=True,
        )
        if "jsep" not in answer:
            emit(event="error", key=self.key, detail=answer)
            return
        await self.pub_pc.setRemoteDescription(RTCSessionDescription(sdp=answer["jsep"]["sdp"], type="answer"))
        emit(event="published", key=self.key)

    async def subscribe(self, chair: int, holder: int | None) -> None:
        """As a commune's room page: the chair's and the holder's video and audio, every other site's audio."""
        from aiortc import RTCPeerConnection, RTCSessionDescription

        print(f"{self.key}: subscribe, feeds {list(self.feeds)}", file=sys.stderr, flush=True)

        self.chair = chair
        streams = []
        for feed, feed_streams in self.feeds.items():
            if feed == self.spec["id"]:
                continue
            for stream in feed_streams:
                if stream.get("disabled"):
                    continue
                if stream["type"] == "audio" or (stream["type"] == "video" and feed in (chair, holder)):
                    streams.append({"feed": feed, "mid": stream["mid"]})
        if self.sub_pc is not None:
            await self.sub_pc.close()
            await self.send({"janus": "detach"}, handle=self.sub_handle)
        self.sub_handle = (await self.send({"janus": "attach", "plugin": "janus.plugin.videoroom"}))["data"]["id"]
        offer = await self.send(
            {
                "janus": "message",
                "body": {
                    "request": "join",
                    "ptype": "subscriber",
                    "room": self.spec["room"],
                    "pin": self.spec["pin"],
                    "token": self.spec["token"],
                    "streams": streams,
                },
            },
            handle=self.sub_handle,
            wait_event=True,
        )
        data = offer.get("plugindata", {}).get("data", {})
        if "jsep" not in offer:
            emit(event="error", key=self.key, detail=data)
            return
        self.sub_mids = [s["mid"] for s in data.get("streams") or [] if s.get("type") == "video" and s.get("feed_id")]
        self.sub_streams = {
            (s["feed_id"], s.get("type")): s["mid"] for s in data.get("streams") or [] if s.get("feed_id")
        }
        self.sub_pc = RTCPeerConnection()
        await self.sub_pc.setRemoteDescription(RTCSessionDescription(sdp=offer["jsep"]["sdp"], type="offer"))
        await self.sub_pc.setLocalDescription(await self.sub_pc.createAnswer())
        await self.send(
            {
                "janus": "message",
                "body": {"request": "start"},
                "jsep": {"type": "answer", "sdp": self.sub_pc.localDescription.sdp},
            },
            handle=self.sub_handle,
            wait_event=True,
        )
        await self.set_layer(self.spec["layer"])
        emit(event="subscribed", key=self.key, streams=len(streams))

    def watch(self, feed: int) -> None:
        """Report (event "heard") when the next RTP packet of `feed`'s audio arrives, with its time."""
        mid = self.sub_streams.get((feed, "audio"))
        transceiver = next((t for t in self.sub_pc.getTransceivers() if t.mid == mid), None) if self.sub_pc else None
        if transceiver is None:
            emit(event="error", key=self.key, detail=f"watch: no audio of feed {feed} (mid {mid})")
            return
        receiver = transceiver.receiver
        if not getattr(receiver, "_bench_patched", False):
            original = receiver._handle_rtp_packet

            async def handle(packet, arrival_time_ms, receiver=receiver, original=original):
                watch = receiver._bench_watch
                if watch is not None:
                    receiver._bench_watch = None
                    emit(event="heard", key=watch[0], feed=watch[1], at=time.time() * 1000)
                await original(packet, arrival_time_ms)

            receiver._handle_rtp_packet = handle
            receiver._bench_patched = True
        receiver._bench_watch = (self.key, feed)

    async def set_layer(self, layer: int) -> None:
        self.spec["layer"] = layer
        if not self.sub_handle:
            return
        # As room.js: every video it plays on its link's layer (a bot's own clip has one layer only).
        streams = [{"mid": mid, "substream": layer, "temporal": 2} for mid in self.sub_mids]
        if streams:
            await self.send(
                {"janus": "message", "body": {"request": "configure", "streams": streams}},
                handle=self.sub_handle,
                wait_event=True,
            )

    async def stats(self) -> dict:
        out = {"rx": 0, "tx": 0, "lost": 0, "received": 0}
        for pc in (self.pub_pc, self.sub_pc):
            if pc is None:
                continue
            for s in (await asyncio.wait_for(pc.getStats(), 5)).values():
                if s.type == "transport":
                    out["rx"] += s.bytesReceived
                    out["tx"] += s.bytesSent
                elif s.type == "inbound-rtp":
                    out["lost"] += max(0, s.packetsLost)
                    out["received"] += s.packetsReceived
        return out


async def main(args: argparse.Namespace) -> None:
    import aioice.ice

    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: [args.host_address]
    count_only_receivers()
    clip = load_clip(args.clip)
    bots: dict[str, Bot] = {}
    loop = asyncio.get_running_loop()

    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        command = json.loads(line)
        cmd = command["cmd"]
        if cmd == "add":
            for spec in command["bots"]:
                bots[spec["key"]] = bot = Bot(spec, clip)
                spawn(guarded(bot.key, bot.run()))
        elif cmd == "go":
            bots[command["key"]].go.set()
        elif cmd == "subscribe":
            for bot in bots.values():
                spawn(guarded(bot.key, bot.subscribe(command["chair"], command.get("holder"))))
        elif cmd == "watch":
            bots[command["key"]].watch(command["feed"])
        elif cmd == "layer":
            spawn(guarded(command["key"], bots[command["key"]].set_layer(command["layer"])))
        elif cmd == "stats":
            figures = {}
            for key, bot in bots.items():
                try:
                    figures[key] = await bot.stats()
                except Exception as exc:  # reported as missing figures, never a hang
                    print(f"{key}: stats: {exc!r}", file=sys.stderr, flush=True)
            emit(event="stats", bots=figures)
        elif cmd == "quit":
            break
    for bot in bots.values():
        for pc in (bot.pub_pc, bot.sub_pc):
            if pc is not None:
                await pc.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--clip", required=True)
    parser.add_argument("--host-address", default="127.0.0.2")
    parser.add_argument("--make-clip", action="store_true", help="write the clip and exit")
    arguments = parser.parse_args()
    if arguments.make_clip:
        make_clip(Path(arguments.clip))
    else:
        asyncio.run(main(arguments))
