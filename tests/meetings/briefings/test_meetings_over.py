"""
Meetings that are over (issue 14): a meeting whose end passed unstarted is "not held" (or "ended" when a
roll call or minutes record it as held), the communes are no longer asked to confirm delegations to
meetings that have started or are over, and the briefings list reads in date order.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from common.exceptions import ConflictError
from meetings.models import Meeting, RollCall
from meetings.services import briefings as services
from notifications.choices import NotificationKind
from notifications.models import Notification
from portal.celery import collect_beat_schedule
from tests.meetings.briefings.conftest import invitation_of, make_meeting
from tests.pages import panel_html

pytestmark = pytest.mark.django_db


def _past(office, host, *, hours_ago=3, title="Giao ban đã qua"):
    """A meeting that started `hours_ago` hours ago and ran 90 minutes, still 'scheduled'."""
    return make_meeting(office, host, starts_in=-timedelta(hours=hours_ago), title=title)


def test_a_meeting_past_its_end_unstarted_is_not_held_and_cannot_start(office, host, leader):
    unheld = _past(office, host, title="Không họp")
    recorded = _past(office, host, hours_ago=30, title="Họp, điểm danh tay")
    services.roll_call_record(
        meeting=recorded,
        bridge_point=recorded.invitations.first().bridge_point,
        user=office,
        status=RollCall.Status.PRESENT,
        headcount=5,
    )
    running = make_meeting(office, host, starts_in=-timedelta(minutes=30), title="Đang diễn ra")
    coming = make_meeting(office, host, title="Sắp tới")

    assert services.meetings_close_past() == 2
    assert services.meetings_close_past() == 0  # idempotent
    statuses = dict(Meeting.objects.values_list("title", "status"))
    assert statuses == {
        "Không họp": Meeting.Status.NOT_HELD,
        "Họp, điểm danh tay": Meeting.Status.ENDED,
        "Đang diễn ra": Meeting.Status.SCHEDULED,
        "Sắp tới": Meeting.Status.SCHEDULED,
    }
    assert running.pk and coming.pk
    unheld.refresh_from_db()
    with translation.override("vi"):
        assert unheld.get_status_display() == "Không diễn ra"

    # The live app's rule stands: only a scheduled meeting starts.
    from live.services.lifecycle import meeting_start

    with pytest.raises(ConflictError):
        meeting_start(meeting=unheld, user=office)

    # Recorded as held afterwards (its minutes, a roll call): it was held after all.
    services.minutes_draft_create(meeting=unheld, user=office)
    unheld.refresh_from_db()
    assert unheld.status == Meeting.Status.ENDED


def test_the_close_runs_every_few_minutes_by_beat():
    entry = collect_beat_schedule()["meetings-close-past"]
    assert entry["task"] == "meetings.tasks.meetings_close_past"
    assert entry["schedule"] <= 600


def test_delegation_requests_leave_the_to_do_list_once_the_meeting_started_or_is_over(office, host, officer):
    coming = make_meeting(office, host, title="Sắp tới")
    started = make_meeting(office, host, starts_in=-timedelta(minutes=20), title="Đang họp")
    over = _past(office, host, title="Đã qua")
    uninvited = make_meeting(office, host, title="Rút mời")
    services.meeting_uninvite(invitation=invitation_of(uninvited, "tam-hai"))

    def unread():
        return set(
            Notification.objects.filter(
                recipient=officer, kind=NotificationKind.DELEGATION_TO_CONFIRM, read_at__isnull=True
            ).values_list("url", flat=True)
        )

    url = {
        m: reverse("meetings:delegation_edit", args=[invitation_of(m, "tam-hai").pk]) for m in (coming, started, over)
    }
    assert {url[coming], url[started], url[over]} <= unread()

    services.meetings_close_past()
    assert unread() == {url[coming]}


def test_my_commune_panel_does_not_ask_to_confirm_for_a_meeting_that_has_started(client, office, host, officer):
    started = make_meeting(office, host, starts_in=-timedelta(minutes=20), title="Đang họp")
    coming = make_meeting(office, host, title="Sắp tới")
    client.force_login(officer)
    panel = panel_html(client.get(reverse("home")).content.decode(), "meetings.my_commune")
    assert "Đang họp" in panel  # still listed while it runs
    assert reverse("meetings:delegation_edit", args=[invitation_of(started, "tam-hai").pk]) not in panel
    assert reverse("meetings:delegation_edit", args=[invitation_of(coming, "tam-hai").pk]) in panel


def test_briefings_list_upcoming_soonest_first_then_past_most_recent_first(client, office, host):
    for title, starts_in in (
        ("Qua 10 ngày", -timedelta(days=10)),
        ("Sau 9 ngày", timedelta(days=9)),
        ("Qua 2 ngày", -timedelta(days=2)),
        ("Sau 2 ngày", timedelta(days=2)),
    ):
        make_meeting(office, host, starts_in=starts_in, title=title)
    live = make_meeting(office, host, starts_in=-timedelta(days=1), title="Đang trực tiếp, quá giờ")
    Meeting.objects.filter(pk=live.pk).update(status=Meeting.Status.LIVE)
    client.force_login(office)
    html = client.get(reverse("meetings:meeting_list")).content.decode()
    titles = re.findall(r">(Qua \d+ ngày|Sau \d+ ngày|Đang trực tiếp, quá giờ)</a>", html)
    assert titles == ["Đang trực tiếp, quá giờ", "Sau 2 ngày", "Sau 9 ngày", "Qua 2 ngày", "Qua 10 ngày"]
