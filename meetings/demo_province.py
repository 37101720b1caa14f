"""
A year of briefings at province scale (`manage.py seed_demo --scale province`): in each of the ten
province districts of `sites.demo_province`, a weekly briefing (Thursday 14:00) over the past 52 weeks
and the next 4, every commune invited, with its hall booking, agenda, roll call, attendance from
media, approved minutes (the last two weeks in review and in draft) and tasks for the communes.
Bulk rows, no notices; a second run changes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from meetings.models import (
    AgendaItem,
    AttendanceInterval,
    Booking,
    Meeting,
    MeetingInvitation,
    Minutes,
    MinutesTask,
    RollCall,
)
from sites.models import AdministrativeUnit, BridgePoint

WEEKS_PAST, WEEKS_AHEAD = 52, 4
AGENDA = [
    ("Báo cáo tình hình kinh tế - xã hội trong tuần", "Văn phòng HĐND-UBND huyện", 15),
    ("Công tác phòng, chống thiên tai", "Phòng NN&PTNT", 15),
    ("Tiến độ đầu tư điểm cầu trực tuyến và ca-mê-ra an ninh", "Phòng TC-KH", 10),
    ("Ý kiến các xã", "", 30),
    ("Kết luận của Chủ tịch UBND huyện", "Chủ tịch UBND huyện", 10),
]
TASKS = [
    "Rà soát phương án phòng chống bão, báo cáo về Văn phòng HĐND-UBND huyện",
    "Hoàn thành kiểm tra thiết bị điểm cầu trước buổi giao ban",
    "Báo cáo tiến độ giải ngân vốn đầu tư công",
]


def load(progress: Callable[..., object]) -> None:
    if Meeting.objects.filter(title__startswith="Giao ban tỉnh mẫu").count() >= 10 * (WEEKS_PAST + WEEKS_AHEAD):
        return
    rng = random.Random(2028)
    organiser = User.objects.get(username="vanphong")
    leader = User.objects.get(username="lanhdao")
    districts = list(AdministrativeUnit.objects.filter(code__regex=r"^prov-d\d\d$").order_by("code"))
    bar = progress(total=len(districts) * (WEEKS_PAST + WEEKS_AHEAD), desc="briefings")
    today = timezone.localdate()
    first_thursday = today - timedelta(days=(today.weekday() - 3) % 7) - timedelta(weeks=WEEKS_PAST)
    for district in districts:
        with transaction.atomic():
            host = BridgePoint.objects.select_related("room").get(code=f"dc-{district.code}-ubnd")
            communes = list(
                BridgePoint.objects.filter(code__startswith=f"dc-{district.code}-c")
                .select_related("room__site__unit")
                .order_by("code")
            )
            for week in range(WEEKS_PAST + WEEKS_AHEAD):
                day = first_thursday + timedelta(weeks=week)
                _briefing(district, host, communes, day, week, organiser, leader, rng)
                bar.update(1)
    bar.close()


def _briefing(district, host, communes, day, week, organiser, leader, rng) -> None:
    title = f"Giao ban tỉnh mẫu – {district.name} – tuần {day:%W/%Y}"
    if Meeting.objects.filter(title=title).exists():
        return
    starts = timezone.make_aware(datetime.combine(day, time(14, 0)))
    ends = starts + timedelta(minutes=90)
    held = ends < timezone.now()
    booking = Booking.objects.create(
        room=host.room, title=title, starts_at=starts, ends_at=ends, booked_by=organiser, status="confirmed"
    )
    meeting = Meeting.objects.create(
        title=title,
        booking=booking,
        host_bridge_point=host,
        chair=f"Chủ tịch UBND {district.name[0].lower()}{district.name[1:]}",
        organiser=organiser,
        starts_at=starts,
        ends_at=ends,
        status=Meeting.Status.ENDED if held else Meeting.Status.SCHEDULED,
    )
    MeetingInvitation.objects.bulk_create(
        [
            MeetingInvitation(
                meeting=meeting,
                bridge_point=bp,
                expected_headcount=6,
                confirmed_at=starts - timedelta(days=1) if held or rng.random() < 0.5 else None,
                confirmed_by=organiser if held else None,
            )
            for bp in communes
        ]
    )
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(meeting=meeting, position=i, title=t, presenter=p, duration_minutes=m)
            for i, (t, p, m) in enumerate(AGENDA, start=1)
        ]
    )
    if not held:
        return
    roll_calls, intervals = [], []
    for i, bp in enumerate(communes):
        absent = rng.random() < 0.05
        late = not absent and rng.random() < 0.1
        roll_calls.append(
            RollCall(
                meeting=meeting,
                bridge_point=bp,
                status=RollCall.Status.ABSENT if absent else RollCall.Status.LATE if late else RollCall.Status.PRESENT,
                headcount=0 if absent else 4 + i % 4,
                recorded_by=organiser,
            )
        )
        if not absent:
            joined = starts - timedelta(minutes=5) + timedelta(minutes=15 if late else 0)
            intervals.append(
                AttendanceInterval(
                    meeting=meeting,
                    bridge_point=bp,
                    source=AttendanceInterval.Source.MEDIA,
                    joined_at=joined,
                    left_at=ends,
                )
            )
    RollCall.objects.bulk_create(roll_calls)
    AttendanceInterval.objects.bulk_create(intervals)
    weeks_ago = (timezone.localdate() - starts.date()).days // 7
    status = Minutes.Status.APPROVED if weeks_ago >= 2 else Minutes.Status.IN_REVIEW if weeks_ago == 1 else "draft"
    Minutes.objects.create(
        meeting=meeting,
        status=status,
        issuing_body=f"UBND {district.name}",
        governing_body="UBND tỉnh Quảng Nam",
        number=f"{week + 1}/BB-UBND",
        place=district.name,
        title=f"Biên bản {title}",
        body="Các xã báo cáo tình hình trong tuần; Chủ tịch UBND huyện kết luận và giao nhiệm vụ.",
        chair=meeting.chair,
        drafted_by=organiser,
        submitted_at=ends + timedelta(days=1) if status != "draft" else None,
        approved_by=leader if status == Minutes.Status.APPROVED else None,
        approved_at=ends + timedelta(days=2) if status == Minutes.Status.APPROVED else None,
    )
    tasks = []
    for k, text in enumerate(TASKS):
        unit = communes[(week + k * 5) % len(communes)].room.site.unit
        due = starts.date() + timedelta(days=14)
        done = due < timezone.localdate() and rng.random() < 0.85
        tasks.append(
            MinutesTask(
                meeting=meeting,
                unit=unit,
                title=text,
                due_on=due,
                status=MinutesTask.Status.DONE if done else MinutesTask.Status.OPEN,
                completed_at=starts + timedelta(days=10) if done else None,
                completed_by=organiser if done else None,
                completion_note="Đã hoàn thành" if done else "",
                created_by=organiser,
            )
        )
    MinutesTask.objects.bulk_create(tasks)
