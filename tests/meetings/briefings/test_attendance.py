"""Attendance (issue 14): roll call intervals within the meeting's real time, connected time, headcounts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from common.exceptions import ApplicationError
from live.models import LiveAction
from meetings.models import AttendanceInterval, Meeting
from meetings.services import briefings as services

from .conftest import invitation_of, make_meeting

pytestmark = pytest.mark.django_db


def _held(meeting, office, *, late_by=timedelta(minutes=7), ended_early_by=timedelta(minutes=30)):
    """The meeting ran: the host started it `late_by` after the scheduled start and ended it early."""
    start = LiveAction.objects.create(meeting=meeting, action=LiveAction.Action.START, user=office)
    end = LiveAction.objects.create(meeting=meeting, action=LiveAction.Action.END, user=office)
    LiveAction.objects.filter(pk=start.pk).update(at=meeting.starts_at + late_by)
    LiveAction.objects.filter(pk=end.pk).update(at=meeting.ends_at - ended_early_by)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.ENDED)
    meeting.refresh_from_db()
    return meeting.starts_at + late_by, meeting.ends_at - ended_early_by


@pytest.fixture
def past_meeting(office, host):
    return make_meeting(office, host, starts_in=-timedelta(days=3), title="Giao ban đã họp")


def test_roll_call_on_an_ended_meeting_gives_a_closed_interval_within_its_real_time(past_meeting, office):
    started, ended = _held(past_meeting, office)
    bp = invitation_of(past_meeting, "tam-hai").bridge_point
    services.roll_call_record(meeting=past_meeting, bridge_point=bp, user=office, status="present", headcount=5)
    interval = AttendanceInterval.objects.get(meeting=past_meeting, bridge_point=bp, source="roll_call")
    assert (interval.joined_at, interval.left_at) == (started, ended)
    # Late, arrived at a given time: from then until the real end; arriving after the end is refused.
    services.roll_call_record(
        meeting=past_meeting,
        bridge_point=bp,
        user=office,
        status="late",
        headcount=5,
        arrived_at=started + timedelta(minutes=20),
    )
    interval.refresh_from_db()
    assert (interval.joined_at, interval.left_at) == (started + timedelta(minutes=20), ended)
    with pytest.raises(ApplicationError):
        services.roll_call_record(
            meeting=past_meeting,
            bridge_point=bp,
            user=office,
            status="late",
            headcount=5,
            arrived_at=ended + timedelta(minutes=1),
        )


def test_late_roll_call_after_the_end_takes_the_arrival_from_media_or_asks_for_it(past_meeting, office):
    started, ended = _held(past_meeting, office)
    bp = invitation_of(past_meeting, "tam-hai").bridge_point
    # No arrival time and nothing seen by media: "now" is after the end, so the service asks.
    with pytest.raises(ApplicationError):
        services.roll_call_record(meeting=past_meeting, bridge_point=bp, user=office, status="late", headcount=3)
    seen = started + timedelta(minutes=11)
    AttendanceInterval.objects.create(
        meeting=past_meeting, bridge_point=bp, source="media", joined_at=seen, left_at=ended
    )
    services.roll_call_record(meeting=past_meeting, bridge_point=bp, user=office, status="late", headcount=3)
    interval = AttendanceInterval.objects.get(meeting=past_meeting, bridge_point=bp, source="roll_call")
    assert (interval.joined_at, interval.left_at) == (seen, ended)


def test_past_meeting_never_held_live_uses_its_scheduled_time(past_meeting, office):
    """Still "scheduled" but over: the interval closes at the scheduled end, never stays open."""
    bp = invitation_of(past_meeting, "tam-hai").bridge_point
    services.roll_call_record(meeting=past_meeting, bridge_point=bp, user=office, status="present", headcount=5)
    interval = AttendanceInterval.objects.get(meeting=past_meeting, bridge_point=bp, source="roll_call")
    assert (interval.joined_at, interval.left_at) == (past_meeting.starts_at, past_meeting.ends_at)


def test_roll_call_while_live_closes_when_the_meeting_ends(past_meeting, office, host):
    from live.services import meeting_end

    Meeting.objects.filter(pk=past_meeting.pk).update(status=Meeting.Status.LIVE)
    past_meeting.refresh_from_db()
    bp = invitation_of(past_meeting, "tam-hai").bridge_point
    services.roll_call_record(meeting=past_meeting, bridge_point=bp, user=office, status="present", headcount=5)
    interval = AttendanceInterval.objects.get(meeting=past_meeting, bridge_point=bp, source="roll_call")
    assert interval.left_at is None
    meeting_end(meeting=past_meeting, user=office)
    interval.refresh_from_db()
    assert interval.left_at is not None and interval.left_at >= interval.joined_at


def test_an_open_interval_of_an_ended_meeting_does_not_validate(past_meeting, office):
    from django.core.exceptions import ValidationError

    started, ended = _held(past_meeting, office)
    bp = invitation_of(past_meeting, "tam-hai").bridge_point
    interval = AttendanceInterval(meeting=past_meeting, bridge_point=bp, source="roll_call", joined_at=started)
    with pytest.raises(ValidationError):
        interval.full_clean()
    interval.left_at = ended + timedelta(minutes=5)
    with pytest.raises(ValidationError):
        interval.full_clean()
    interval.left_at = ended
    interval.full_clean()


def test_roll_call_page_takes_a_late_sites_arrival_time(client, make_user, past_meeting, office):
    from django.urls import reverse

    from accounts.roles import Role

    started, ended = _held(past_meeting, office)
    client.force_login(make_user(Role.HOST))
    tam_hai = invitation_of(past_meeting, "tam-hai").bridge_point
    url = reverse("meetings:briefing_roll_call", args=[past_meeting.pk])
    arrived = timezone.localtime(started + timedelta(minutes=15)).replace(second=0, microsecond=0)
    # Without the arrival the page says what is missing and saves nothing.
    response = client.post(url, {f"bp{tam_hai.pk}-status": "late", f"bp{tam_hai.pk}-headcount": 4})
    assert response.status_code == 200 and not AttendanceInterval.objects.filter(meeting=past_meeting).exists()
    response = client.post(
        url,
        {
            f"bp{tam_hai.pk}-status": "late",
            f"bp{tam_hai.pk}-headcount": 4,
            f"bp{tam_hai.pk}-arrived_at": arrived.strftime("%H:%M"),
        },
    )
    assert response.status_code == 302
    interval = AttendanceInterval.objects.get(meeting=past_meeting, bridge_point=tam_hai, source="roll_call")
    assert (interval.joined_at, interval.left_at) == (arrived, ended)
    assert arrived.strftime("%H:%M") in client.get(url).content.decode()


def test_59_seconds_of_connection_is_not_0_minutes(client, make_user, past_meeting, office):
    """Under a minute reads in seconds; from a minute on, minutes rounded up (a started minute counts)."""
    from django.urls import reverse
    from django.utils import translation

    from accounts.roles import Role
    from meetings.selectors import briefings as selectors

    tam_hai = invitation_of(past_meeting, "tam-hai").bridge_point
    tam_son = invitation_of(past_meeting, "tam-son").bridge_point
    at = past_meeting.starts_at
    AttendanceInterval.objects.create(
        meeting=past_meeting, bridge_point=tam_hai, source="media", joined_at=at, left_at=at + timedelta(seconds=59)
    )
    AttendanceInterval.objects.create(
        meeting=past_meeting, bridge_point=tam_son, source="media", joined_at=at, left_at=at + timedelta(seconds=61)
    )
    rows = {r.invitation.bridge_point: r for r in selectors.attendance_sheet(user=office, meeting=past_meeting)}
    assert (rows[tam_hai].media_seconds, rows[tam_hai].media_minutes) == (59, 1)
    assert (rows[tam_son].media_seconds, rows[tam_son].media_minutes) == (61, 2)
    with translation.override("vi"):
        assert str(rows[tam_hai].media_duration) == "59 giây"
    assert rows[tam_son].media_duration == "2′"
    client.force_login(make_user(Role.HOST))
    page = client.get(reverse("meetings:briefing_roll_call", args=[past_meeting.pk])).content.decode()
    assert "seen by media: 59 s" in page and "0′" not in page


def test_people_are_compared_with_the_expected_headcount_site_by_site(client, make_user, past_meeting, office):
    """9 people at two sites, one of which expected 6: not "9 / 6", but 6 / 6 there, and 9 in all."""
    import re

    from django.urls import reverse

    from accounts.roles import Role
    from meetings.models import MeetingInvitation
    from meetings.selectors import briefings as selectors

    tam_hai = invitation_of(past_meeting, "tam-hai")
    tam_son = invitation_of(past_meeting, "tam-son")
    MeetingInvitation.objects.filter(pk=tam_hai.pk).update(expected_headcount=6)
    for invitation, headcount in ((tam_hai, 6), (tam_son, 3)):
        services.roll_call_record(
            meeting=past_meeting,
            bridge_point=invitation.bridge_point,
            user=office,
            status="present",
            headcount=headcount,
        )
    counts = selectors.attendance_counts(rows=selectors.attendance_sheet(user=office, meeting=past_meeting))
    keys = ("headcount", "headcount_expected", "expected", "expected_sites")
    assert tuple(counts[key] for key in keys) == (9, 6, 6, 1)
    client.force_login(make_user(Role.LEADER))
    page = client.get(reverse("meetings:briefing_attendance", args=[past_meeting.pk])).content.decode()
    assert re.search(r'data-testid="people">9<', page)
    assert "6 / 6" in page and "9 / 6" not in page and "9<small" not in page
    # Each site's own line: 6 of its 6; the site that gave no number shows its 3 alone.
    assert re.search(rf"{tam_hai.bridge_point}</td>.*?6<small class=\"text-muted\"> / 6</small>", page, re.S)


def test_a_late_arrival_after_midnight_is_on_the_next_day(client, make_user, past_meeting, office):
    """A briefing that starts at 23:50: "00:12" on the roll call is twelve minutes past the next midnight."""
    from django.urls import reverse

    from accounts.roles import Role

    local_start = timezone.localtime(past_meeting.starts_at).replace(hour=23, minute=50, second=0, microsecond=0)
    Meeting.objects.filter(pk=past_meeting.pk).update(starts_at=local_start, ends_at=local_start + timedelta(hours=2))
    past_meeting.refresh_from_db()
    _held(past_meeting, office)
    client.force_login(make_user(Role.HOST))
    tam_hai = invitation_of(past_meeting, "tam-hai").bridge_point
    url = reverse("meetings:briefing_roll_call", args=[past_meeting.pk])
    response = client.post(
        url, {f"bp{tam_hai.pk}-status": "late", f"bp{tam_hai.pk}-headcount": 4, f"bp{tam_hai.pk}-arrived_at": "00:12"}
    )
    assert response.status_code == 302
    interval = AttendanceInterval.objects.get(meeting=past_meeting, bridge_point=tam_hai, source="roll_call")
    assert interval.joined_at == local_start + timedelta(minutes=22)
