"""
Event → browser latency of the live room board.

A meeting with 17 invited sites; 200 websockets watch its board through one uvicorn process; Janus-shaped
events (talking / stopped-talking, one delta each) are POSTed to the event endpoint. Latency is from the
start of the POST to each socket receiving the delta. Baseline in the same run, each send alternating
with an event: a bare Channels `group_send` to the same 200 sockets (from the call to receipt).

    .venv/bin/python bench/live_latency.py [--sockets 200] [--events 60]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import time

from live_common import ENV, make_district, make_meeting, make_user, percentiles, serve_portal, setup_django

EMITTER = "janus-bench"


def prepare(n_sites: int):
    from django.test import Client

    from live import services
    from live.models import MediaServer, VideoRoom
    from meetings.models import Meeting

    host, sites = make_district(n_sites)
    organiser = make_user("bench-office", "office_staff")
    watcher = make_user("bench-host", "host")
    meeting = make_meeting(host, sites, organiser, status=Meeting.Status.LIVE)
    MediaServer.objects.create(name="bench", server_name=EMITTER, api_url="http://127.0.0.1:1/janus")
    room = services.room_prepare(meeting=meeting)
    VideoRoom.objects.filter(pk=room.pk).update(status=VideoRoom.Status.ACTIVE)
    client = Client()
    client.force_login(watcher)
    from django.conf import settings

    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    states = list(room.participants.filter(invitation__isnull=False).order_by("pk"))
    # Each site has joined and published (its Janus session claimed by its room page), as in a live
    # briefing: Janus's talking events carry that session, which the portal checks (b20).
    for i, state in enumerate(states):
        state.session_id = state.claimed_session_id = 10_000 + i
        state.handle_id = 20_000 + i
        state.state = state.State.PUBLISHING
        state.save(update_fields=["session_id", "claimed_session_id", "handle_id", "state"])
    return meeting, room, states, cookie


async def run(args: argparse.Namespace, meeting, room, states, cookie: str, port: int) -> None:
    import httpx
    import websockets
    from channels.layers import get_channel_layer

    from live.broadcast import delta_message, meeting_group

    url = f"ws://127.0.0.1:{port}/ws/live/meetings/{meeting.pk}/"
    origin = f"http://127.0.0.1:{port}"
    arrivals: dict[int, list[float]] = {}

    async def watch(ready: asyncio.Event, counter: list[int]) -> None:
        async with websockets.connect(
            url, additional_headers={"Cookie": cookie}, origin=origin, max_queue=None, open_timeout=300
        ) as ws:
            await ws.recv()  # snapshot
            counter[0] += 1
            if counter[0] == args.sockets:
                ready.set()
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "delta":
                    arrivals.setdefault(message["data"]["seq"], []).append(time.perf_counter())

    ready, counter = asyncio.Event(), [0]
    watchers = []
    for _ in range(args.sockets):
        watchers.append(asyncio.create_task(watch(ready, counter)))
        await asyncio.sleep(0.005)
    await asyncio.wait_for(ready.wait(), args.connect_timeout)
    print(f"{args.sockets} websockets connected")

    token = base64.b64encode(f"{ENV['JANUS_EVENTS_USER']}:{ENV['JANUS_EVENTS_PASSWORD']}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}
    layer = get_channel_layer()
    sent: dict[int, float] = {}
    baseline_sent: dict[int, float] = {}
    seq = room.seq
    # Events and baseline sends alternate, so that both see the same machine (this one is shared).
    async with httpx.AsyncClient(base_url=origin, headers=headers) as http:
        for i in range(args.events):
            state = states[i % len(states)]
            talking = (i // len(states)) % 2 == 0
            event = {
                "emitter": EMITTER,
                "type": 64,
                "timestamp": int(time.time() * 1e6),
                "session_id": state.session_id,
                "handle_id": state.handle_id,
                "event": {
                    "plugin": "janus.plugin.videoroom",
                    "data": {
                        "videoroom": "talking" if talking else "stopped-talking",
                        "room": room.room_id,
                        "id": state.janus_id,
                    },
                },
            }
            seq += 1
            sent[seq] = time.perf_counter()
            response = await http.post("/api/janus/events/", content=json.dumps([event]))
            assert response.json()["applied"] == 1, response.text
            await asyncio.sleep(args.gap)
            marker = -(i + 1)
            baseline_sent[marker] = time.perf_counter()
            await layer.group_send(meeting_group(meeting.pk), delta_message({"seq": marker, "participants": []}))
            await asyncio.sleep(args.gap)
    await asyncio.sleep(1.0)
    stray = {s: len(times) for s, times in arrivals.items() if s not in sent and s not in baseline_sent}
    if stray:
        print(f"deltas not from this run's events (seq: count): {stray}")
    doubled = {s: len(times) for s, times in arrivals.items() if len(times) > args.sockets}
    if doubled:
        print(f"deltas received more than once per socket (seq: count): {doubled}")
        for s in doubled:
            late = sorted(arrivals[s])[-1] - (sent.get(s) or baseline_sent.get(s))
            print(f"  seq {s}: latest {late * 1000:.0f} ms after its send; first seq {min(sent)}, last {max(sent)}")
    event_ms = [(t - sent[s]) * 1000 for s, times in arrivals.items() if s in sent for t in times]
    missing = args.events * args.sockets - len(event_ms)
    base_ms = [(t - baseline_sent[s]) * 1000 for s, times in arrivals.items() if s in baseline_sent for t in times]
    for task in watchers:
        task.cancel()

    print(f"event → browser (POST to websocket, {len(states)} sites): {percentiles(event_ms)} missing={missing}")
    print(f"bare group_send baseline:                      {percentiles(base_ms)}")
    if event_ms and base_ms:
        ratio = _pick(event_ms, 0.95) / _pick(base_ms, 0.95)
        print(f"p95 ratio event/bare: {ratio:.2f}x  (p50 {_pick(event_ms, 0.5) / _pick(base_ms, 0.5):.2f}x)")


def _pick(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--events", type=int, default=60)
    parser.add_argument("--sites", type=int, default=17)
    parser.add_argument("--gap", type=float, default=0.05, help="seconds between events")
    parser.add_argument("--connect-timeout", type=float, default=300, help="seconds for all sockets to connect")
    args = parser.parse_args()

    setup_django()
    meeting, room, states, cookie = prepare(args.sites)
    with serve_portal("--ws-max-queue", "1000") as port:
        asyncio.run(run(args, meeting, room, states, cookie, port))


if __name__ == "__main__":
    main()
