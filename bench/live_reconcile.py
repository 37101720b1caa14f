"""
Reconcile after a Janus restart: 100 live meetings with rooms; Janus is killed (SIGKILL) and started
again; time from Janus answering again until every room is back (with its join tokens), (a) by one
in-process reconcile pass and (b) by the path production takes: Janus's `started` event → the event
endpoint → a Celery task.
Only (a) runs here (no web server); (b) is covered by tests/live/test_e2e_webrtc.py. Baseline in the
same run: creating the same number of rooms one after the other with the raw client.

    .venv/bin/python bench/live_reconcile.py [--meetings 100]
"""

from __future__ import annotations

import argparse
import signal
import time

from live_common import ENV, setup_django, start_janus
from live_provision import make_meetings, raw_create


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=100)
    args = parser.parse_args()

    setup_django()
    janus = start_janus()
    try:
        from integrations.janus import JanusClient
        from live import services
        from live.models import VideoRoom
        from meetings.models import Meeting

        raw = raw_create(janus, args.meetings)
        print(f"baseline: raw Janus create of {args.meetings} rooms, one after the other: {raw:.3f} s")
        meetings, _organiser = make_meetings(janus, args.meetings)
        for meeting in meetings:
            Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.LIVE)
            services.room_provision(meeting_id=meeting.pk)
        wanted = set(VideoRoom.objects.filter(status="active").values_list("room_id", flat=True))
        assert len(wanted) == args.meetings

        def rooms() -> set[int]:
            with JanusClient(
                janus.url, api_secret=ENV["JANUS_API_SECRET"], admin_key=ENV["JANUS_VIDEOROOM_ADMIN_KEY"]
            ) as c:
                return {r.room_id for r in c.room_list()}

        assert wanted <= rooms()
        janus.stop(sig=signal.SIGKILL)
        down = services.reconcile_all()
        print(f"Janus killed: reconcile marked {down.servers_down} server down")
        janus.start()
        ready = time.perf_counter()
        report = services.reconcile_all()
        elapsed = time.perf_counter() - ready
        back = wanted <= rooms()
        print(
            f"after restart: {report.rooms_created} rooms recreated in {elapsed:.3f} s by one reconcile pass "
            f"= {elapsed / raw:.1f}× raw (all {args.meetings} back: {back})"
        )
        started = time.perf_counter()
        again = services.reconcile_all()
        print(
            f"steady-state pass over {args.meetings} live rooms (listparticipants each): "
            f"{time.perf_counter() - started:.3f} s, {again.rooms_created} created"
        )
    finally:
        janus.stop()


if __name__ == "__main__":
    main()
