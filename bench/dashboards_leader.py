"""
Benchmark of the pages that grow with a year of briefings (issue: site page, map and dashboards):

1. the leader's home dashboard with one year of weekly briefings (52) for the 17 communes of the demo
   district: roll calls, media attendance, minutes (the last four awaiting approval) and three tasks
   per meeting, a third of them overdue;
2. the site page of a commune with 200 equipment rows, 50 cameras and 100 meetings.

Baseline in the same run: the notification list (an authenticated page with one small query). Through
Django's test client (no network, no browser), on the test settings' database (SQLite by default,
PostgreSQL with DATABASE_URL):

    DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python bench/dashboards_leader.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench DJANGO_SETTINGS_MODULE=portal.settings.test \
        .venv/bin/python bench/dashboards_leader.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

RUNS = 40


def measure(client: Client, url: str) -> tuple[float, float, int]:
    assert client.get(url).status_code == 200
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(queries)


def a_year_of_briefings(organiser, weeks: int = 52) -> None:
    """Weekly briefings from the district hall to every commune bridge point, all recorded."""
    from meetings.models import AttendanceInterval, Meeting, MeetingInvitation, Minutes, MinutesTask, RollCall
    from sites.models import BridgePoint

    host = BridgePoint.objects.get(code="dc-ubnd-huyen-nui-thanh")
    communes = list(
        BridgePoint.objects.exclude(pk=host.pk).filter(room__site__kind="ubnd_hq").select_related("room__site")
    )
    now = timezone.now()
    meetings = Meeting.objects.bulk_create(
        Meeting(
            title=f"Giao ban tuần {week}",
            chair="Chủ tịch UBND huyện",
            host_bridge_point=host,
            starts_at=now - timedelta(weeks=week, hours=2),
            ends_at=now - timedelta(weeks=week, hours=0.5),
            organiser=organiser,
            status=Meeting.Status.ENDED,
        )
        for week in range(1, weeks + 1)
    )
    meetings = list(Meeting.objects.filter(title__startswith="Giao ban tuần").order_by("starts_at"))
    MeetingInvitation.objects.bulk_create(
        MeetingInvitation(meeting=m, bridge_point=bp, expected_headcount=5) for m in meetings for bp in communes
    )
    statuses = ("present", "present", "present", "late", "absent")
    RollCall.objects.bulk_create(
        RollCall(
            meeting=m,
            bridge_point=bp,
            status=statuses[(i + j) % len(statuses)],
            headcount=0 if statuses[(i + j) % len(statuses)] == "absent" else 4,
            recorded_by=organiser,
        )
        for i, m in enumerate(meetings)
        for j, bp in enumerate(communes)
        if (i + j) % 7  # some sites without a roll call: their attendance comes from media
    )
    AttendanceInterval.objects.bulk_create(
        AttendanceInterval(
            meeting=m, bridge_point=bp, source=AttendanceInterval.Source.MEDIA, joined_at=m.starts_at, left_at=m.ends_at
        )
        for m in meetings
        for bp in communes
    )
    for i, m in enumerate(meetings):
        Minutes.objects.create(
            meeting=m,
            status=Minutes.Status.IN_REVIEW if i >= len(meetings) - 4 else Minutes.Status.DRAFT,
            issuing_body="UBND HUYỆN NÚI THÀNH",
            place="Núi Thành",
            title=f"Biên bản {m.title}",
            body="Nội dung.",
            chair=m.chair,
            drafted_by=organiser,
            submitted_at=now if i >= len(meetings) - 4 else None,
        )
    today = timezone.localdate()
    MinutesTask.objects.bulk_create(
        MinutesTask(
            meeting=m,
            unit=communes[(i * 3 + k) % len(communes)].room.site.unit,
            title=f"Nhiệm vụ {i}.{k}",
            due_on=today + timedelta(days=(i % 3 - 1) * 10),
            created_by=organiser,
        )
        for i, m in enumerate(meetings)
        for k in range(3)
    )


def a_busy_commune_site(organiser):
    """Tam Giang's headquarters: 200 equipment rows, 50 cameras, 100 meetings with its roll call."""
    from cameras.models import Camera
    from meetings.models import Meeting, MeetingInvitation, RollCall
    from sites.models import BridgePoint, Equipment, Site

    site = Site.objects.get(code="ubnd-tam-giang")
    bp = BridgePoint.objects.get(room__site=site)
    host = BridgePoint.objects.get(code="dc-ubnd-huyen-nui-thanh")
    Equipment.objects.bulk_create(
        Equipment(code=f"tg-eq-{i}", site=site, kind="display", serial=f"B{i}", status="faulty" if i % 9 else "working")
        for i in range(200 - site.equipment.count())
    )
    Camera.objects.bulk_create(
        Camera(
            code=f"tg-cam-{i}",
            site=site,
            floor=1 + i % 3,
            placement=("corridor", "stairway", "gate")[i % 3],
            camera_type=("fisheye_360", "bullet", "dome")[i % 3],
            stream_url="rtsp://127.0.0.1:9/live",
        )
        for i in range(50 - site.cameras.count())
    )
    now = timezone.now()
    extra = Meeting.objects.bulk_create(
        Meeting(
            title=f"Họp chuyên đề {i}",
            chair="Phó Chủ tịch",
            host_bridge_point=host,
            starts_at=now - timedelta(days=3 * i + 1),
            ends_at=now - timedelta(days=3 * i + 1) + timedelta(hours=1),
            organiser=organiser,
            status=Meeting.Status.ENDED,
        )
        for i in range(48)
    )
    extra = list(Meeting.objects.filter(title__startswith="Họp chuyên đề"))
    MeetingInvitation.objects.bulk_create(MeetingInvitation(meeting=m, bridge_point=bp) for m in extra)
    RollCall.objects.bulk_create(
        RollCall(meeting=m, bridge_point=bp, status="present", headcount=3, recorded_by=organiser) for m in extra
    )
    return site


def main() -> None:
    from django.test.runner import DiscoverRunner

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    old = runner.setup_databases()
    try:
        from accounts.models import User
        from accounts.roles import Role
        from accounts.services import roles_sync, user_set_roles
        from meetings.models import Meeting
        from sites import demo

        roles_sync()
        demo.load()
        organiser = User.objects.create_user(username="bench-office")
        user_set_roles(user=organiser, roles=[Role.OFFICE_STAFF])
        started = time.perf_counter()
        a_year_of_briefings(organiser)
        site = a_busy_commune_site(organiser)
        print(f"data: {Meeting.objects.count()} meetings, built in {time.perf_counter() - started:.1f} s")
        cache.set("dashboards:health", {"ok": True, "checks": {}}, 3600)  # measure pages, not health probes

        leader = User.objects.create_user(username="bench-leader")
        user_set_roles(user=leader, roles=[Role.LEADER])
        technician = User.objects.create_user(username="bench-tech")
        user_set_roles(user=technician, roles=[Role.TECHNICIAN])
        print(f"{'page':<52}{'p50 ms':>8}{'p95 ms':>8}{'queries':>9}{'p95 ×':>7}")
        rows = []
        for user, label, url in (
            (leader, "baseline: notification list (leader)", "/notifications/"),
            (leader, "leader home, 1 year of weekly briefings", "/"),
            (leader, "leaders' overview page", "/meetings/briefings/dashboard/"),
            (technician, "site page: 200 equipment, 50 cameras, 100 meetings", site.get_absolute_url()),
            (leader, "district map", "/dashboards/map/"),
        ):
            client = Client()
            client.force_login(user)
            rows.append((label, *measure(client, url)))
        base = rows[0][2]
        for label, p50, p95, queries in rows:
            print(f"{label:<52}{p50:>8.1f}{p95:>8.1f}{queries:>9}{p95 / base:>7.1f}")
    finally:
        runner.teardown_databases(old)


if __name__ == "__main__":
    main()
