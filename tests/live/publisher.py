"""
A bridge point's WebRTC publisher for end-to-end tests: aiortc over Janus's WebSocket transport,
joining a VideoRoom with a site's token, pin, participant id and display (what the join page does).

Run it inside the test's network namespace (JANUS.md §6.2): ICE uses only `--host-address`.
It prints one JSON line per thing that happens (joined, webrtcup, moderation, kicked, hangup, error)
and leaves the room when it reads "leave" on stdin.

    python publisher.py --ws ws://127.0.0.1:PORT --room R --pin P --token T --id I --display NAME
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid

import aioice.ice


def emit(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


def tone_track(frequency: float):
    """An audio track playing a sine at `frequency` Hz (half scale), so a recording can tell sites apart."""
    import array
    import math

    from aiortc import AudioStreamTrack

    class Tone(AudioStreamTrack):
        async def recv(self):
            frame = await super().recv()  # silence (s16 mono) with the right timing and pts
            step = 2 * math.pi * frequency / frame.sample_rate
            wave = array.array("h", (int(16000 * math.sin(step * (frame.pts + i))) for i in range(frame.samples)))
            frame.planes[0].update(wave.tobytes())
            return frame

    return Tone()


async def main(args: argparse.Namespace) -> None:
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: [args.host_address]
    import websockets
    from aiortc import AudioStreamTrack, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack

    emit(event="starting")
    ws = await websockets.connect(args.ws, subprotocols=["janus-protocol"])
    emit(event="connected")
    # One queue per transaction: an ack and its event can arrive back to back.
    pending: dict[str, asyncio.Queue] = {}
    session_id = handle_id = None
    pc = RTCPeerConnection()
    done = asyncio.Event()

    async def send(body: dict, wait_event: bool = False) -> dict:
        transaction = uuid.uuid4().hex
        queue: asyncio.Queue = asyncio.Queue()
        pending[transaction] = queue
        payload = {**body, "transaction": transaction, "token": args.token}
        if session_id:
            payload["session_id"] = session_id
        if handle_id and body.get("janus") == "message":
            payload["handle_id"] = handle_id
        await ws.send(json.dumps(payload))
        reply = await queue.get()
        if wait_event and reply.get("janus") == "ack":
            reply = await queue.get()
        return reply

    async def reader() -> None:
        async for raw in ws:
            message = json.loads(raw)
            transaction = message.get("transaction")
            if transaction in pending:
                pending[transaction].put_nowait(message)
                continue
            kind = message.get("janus")
            data = (message.get("plugindata") or {}).get("data") or {}
            if kind == "webrtcup":
                emit(event="webrtcup")
            elif kind == "hangup":
                emit(event="hangup", reason=message.get("reason"))
            elif data.get("moderation") and data.get("id") == args.id:
                emit(event="moderation", value=data["moderation"], mid=data.get("mid"))
            elif data.get("leaving") == "ok" and data.get("reason") == "kicked":
                emit(event="kicked")
                done.set()
            elif data.get("videoroom") == "destroyed":
                emit(event="destroyed")
                done.set()
        done.set()

    async def keepalive() -> None:
        while True:
            await asyncio.sleep(20)
            await ws.send(
                json.dumps(
                    {
                        "janus": "keepalive",
                        "session_id": session_id,
                        "token": args.token,
                        "transaction": uuid.uuid4().hex,
                    }
                )
            )

    async def stdin_commands() -> None:
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line or line.strip() == "leave":
                await send({"janus": "message", "body": {"request": "leave"}}, wait_event=True)
                emit(event="left")
                done.set()
                return

    read_task = asyncio.create_task(reader())
    created = await send({"janus": "create"})
    if created.get("janus") != "success":
        emit(event="error", detail=created)
        return
    session_id = created["data"]["id"]
    emit(event="session", id=session_id)
    if args.wait_claim:  # the room page tells the portal its session before joining: so does this
        loop = asyncio.get_running_loop()
        if (await loop.run_in_executor(None, sys.stdin.readline)).strip() != "go":
            return
    attached = await send({"janus": "attach", "plugin": "janus.plugin.videoroom"})
    handle_id = attached["data"]["id"]
    joined = await send(
        {
            "janus": "message",
            "body": {
                "request": "join",
                "ptype": "publisher",
                "room": args.room,
                "pin": args.pin,
                "token": args.token,
                "id": args.id,
                "display": args.display,
            },
        },
        wait_event=True,
    )
    data = joined.get("plugindata", {}).get("data", {})
    if data.get("videoroom") != "joined":
        emit(event="error", detail=data)
        return
    emit(event="joined", id=data.get("id"))
    pc.addTrack(tone_track(args.tone) if args.tone else AudioStreamTrack())
    pc.addTrack(VideoStreamTrack())
    await pc.setLocalDescription(await pc.createOffer())
    answer = await send(
        {
            "janus": "message",
            "body": {"request": "publish", "audio": True, "video": True},
            "jsep": {"type": "offer", "sdp": pc.localDescription.sdp},
        },
        wait_event=True,
    )
    if "jsep" not in answer:
        emit(event="error", detail=answer)
        return
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["jsep"]["sdp"], type="answer"))
    emit(event="published")
    tasks = [asyncio.create_task(keepalive()), asyncio.create_task(stdin_commands())]
    await done.wait()
    for task in [*tasks, read_task]:
        task.cancel()
    await pc.close()
    await ws.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--ws", required=True)
    parser.add_argument("--room", type=int, required=True)
    parser.add_argument("--pin", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--id", type=int, required=True)
    parser.add_argument("--display", required=True)
    parser.add_argument("--host-address", default="127.0.0.2")
    parser.add_argument("--tone", type=float, default=0, help="send a sine at this frequency (Hz), not silence")
    parser.add_argument("--wait-claim", action="store_true", help='wait for "go" on stdin before joining')
    asyncio.run(main(parser.parse_args()))
