"""Briefings on the home dashboards, the map, the site page, and the notifications they send."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from dashboards.status import Level, site_statuses
from meetings.models import Meeting, MinutesTask
from meetings.panels_briefings import overdue_tasks
from meetings.services import briefings as services
from meetings.services.notices import tasks_announce_due
from notifications.choices import NotificationKind
from notifications.models import Notification
from notifications.services import notification_preferences_set
from sites.models import AdministrativeUnit, BridgePoint, Site
from tests.meetings.briefings.conftest import invitation_of, make_meeting
from tests.pages import panel_html

pytestmark = pytest.mark.django_db


def held(office, host, *, days_ago: int, title: str) -> Meeting:
    """A briefing held `days_ago` days ago (recorded after the fact), all communes invited."""
    meeting = make_meeting(office, host, starts_in=-timedelta(days=days_ago), title=title)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.ENDED)
    meeting.refresh_from_db()
    return meeting


def add_task(office, meeting, unit, title, due_on=None) -> MinutesTask:
    return services.task_create(
        meeting=meeting, unit=unit, title=title, due_on=due_on or timezone.localdate(), user=office
    )


def kinds_of(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


#
# Notifications
#


def test_invitation_asks_the_invited_communes_officers_only(office, host, officer, other_officer, make_user):
    technician = make_user(Role.TECHNICIAN, unit=officer.unit)
    meeting = make_meeting(office, host, title="Giao ban tuần 48")
    (notice,) = Notification.objects.filter(recipient=officer)
    assert notice.kind == NotificationKind.DELEGATION_TO_CONFIRM
    assert "Giao ban tuần 48" in notice.title
    assert notice.url == reverse("meetings:delegation_edit", args=[invitation_of(meeting, "tam-hai").pk])
    assert Notification.objects.filter(recipient=other_officer).count() == 1
    assert kinds_of(technician) == [] and kinds_of(office) == []

    services.meeting_invite(meeting=meeting, bridge_points=[notice_bp(meeting, "tam-hai")])  # already invited
    make_meeting(office, host, group="mountain", title="Giao ban miền núi")  # Tam Hải is an island commune
    assert Notification.objects.filter(recipient=officer).count() == 1


def notice_bp(meeting, unit_code):
    return invitation_of(meeting, unit_code).bridge_point


def test_invitation_notice_respects_the_officers_choice(office, host, officer):
    notification_preferences_set(user=officer, choices={NotificationKind.DELEGATION_TO_CONFIRM: (False, False)})
    make_meeting(office, host)
    assert kinds_of(officer) == []


def test_submitted_minutes_reach_the_leaders_not_the_drafter(office, host, leader, make_user, officer):
    other_leader = make_user(Role.LEADER)
    commune_leader = make_user(Role.LEADER, unit=AdministrativeUnit.objects.get(code="tam-giang"))
    meeting = held(office, host, days_ago=1, title="Giao ban tuần 46")
    minutes = services.minutes_draft_create(meeting=meeting, user=leader)
    services.minutes_submit(minutes=minutes, user=leader)
    (notice,) = Notification.objects.filter(recipient=other_leader)
    assert notice.kind == NotificationKind.MINUTES_TO_APPROVE and notice.url == minutes.get_absolute_url()
    assert "Giao ban tuần 46" in notice.title
    assert NotificationKind.MINUTES_TO_APPROVE not in kinds_of(leader)  # the one who submitted
    assert kinds_of(commune_leader) == []  # a leader of another commune does not oversee the district's host
    assert NotificationKind.MINUTES_TO_APPROVE not in kinds_of(office) + kinds_of(officer)


def test_tasks_due_are_announced_once_then_once_more_when_overdue(office, host, officer, other_officer):
    meeting = held(office, host, days_ago=3, title="Giao ban tuần 45")
    today = timezone.localdate()
    soon = services.task_create(
        meeting=meeting,
        unit=officer.unit,
        title="Báo cáo thiệt hại do bão",
        due_on=today + timedelta(days=1),
        user=office,
    )
    services.task_create(
        meeting=meeting, unit=officer.unit, title="Kế hoạch năm sau", due_on=today + timedelta(days=20), user=office
    )
    assert tasks_announce_due(today=today) == 1
    assert tasks_announce_due(today=today) == 0  # the same day again: nothing new
    (notice,) = Notification.objects.filter(recipient=officer, kind=NotificationKind.TASK_DUE)
    assert "Báo cáo thiệt hại do bão" in notice.title
    assert notice.url == soon.get_absolute_url()
    assert NotificationKind.TASK_DUE not in kinds_of(other_officer)

    assert tasks_announce_due(today=today + timedelta(days=1)) == 0  # due today: already told
    assert tasks_announce_due(today=today + timedelta(days=2)) == 1  # now overdue: once more
    assert tasks_announce_due(today=today + timedelta(days=3)) == 0
    assert Notification.objects.filter(recipient=officer, kind=NotificationKind.TASK_DUE).count() == 2
    services.task_complete(task=soon, user=officer, note="Đã nộp")
    MinutesTask.objects.filter(pk=soon.pk).update(due_notified_on=None)
    assert tasks_announce_due(today=today + timedelta(days=4)) == 0  # done tasks are never announced


def test_due_task_task_runs_in_the_worker_path(office, host, officer):
    from meetings.tasks import tasks_announce_due as task

    meeting = held(office, host, days_ago=2, title="Giao ban")
    services.task_create(
        meeting=meeting, unit=officer.unit, title="Nộp báo cáo", due_on=timezone.localdate(), user=office
    )
    assert task.apply().get() == 1
    assert NotificationKind.TASK_DUE in kinds_of(officer)


#
# Dashboards
#


def test_leader_panels_show_minutes_attendance_and_tasks(client, office, host, leader, officer):
    meeting = held(office, host, days_ago=2, title="Giao ban tuần 46")
    for invitation in meeting.invitations.select_related("bridge_point__room__site__unit"):
        absent = invitation.bridge_point.room.site.unit.code == "tam-hai"
        services.roll_call_record(
            meeting=meeting,
            bridge_point=invitation.bridge_point,
            user=office,
            status="absent" if absent else "present",
            headcount=0 if absent else 3,
        )
    minutes = services.minutes_draft_create(meeting=meeting, user=office)
    services.minutes_submit(minutes=minutes, user=office)
    services.task_create(
        meeting=meeting, unit=officer.unit, title="Khắc phục sự cố", due_on=timezone.localdate(), user=office
    )
    MinutesTask.objects.update(due_on=timezone.localdate() - timedelta(days=1))
    client.force_login(leader)
    html = client.get(reverse("home")).content.decode()
    assert "Giao ban tuần 46" in panel_html(html, "meetings.minutes_to_approve")
    attendance = panel_html(html, "meetings.attendance")
    # The lowest rates come first: the one commune that missed the briefing heads the list.
    assert re.search(r"Tam Hải</span><span[^>]*>0/1 · <strong>0.0 %", attendance)
    assert "and 9 more communes" in attendance
    tasks = panel_html(html, "meetings.overdue_tasks")
    assert "Tam Hải" in tasks and "text-bg-danger" in tasks


def test_commune_officer_sees_own_invitations_and_tasks_only(client, office, host, officer, other_officer):
    meeting = make_meeting(office, host, title="Giao ban tuần 48")
    past = held(office, host, days_ago=3, title="Giao ban tuần 45")
    services.task_create(
        meeting=past, unit=officer.unit, title="Việc của Tam Hải", due_on=timezone.localdate(), user=office
    )
    services.task_create(
        meeting=past, unit=other_officer.unit, title="Việc của Tam Giang", due_on=timezone.localdate(), user=office
    )
    client.force_login(officer)
    panel = panel_html(client.get(reverse("home")).content.decode(), "meetings.my_commune")
    assert "Giao ban tuần 48" in panel
    assert reverse("meetings:delegation_edit", args=[invitation_of(meeting, "tam-hai").pk]) in panel
    assert "Việc của Tam Hải" in panel and "Việc của Tam Giang" not in panel


@pytest.mark.parametrize("role", [Role.LEADER, Role.COMMUNE_OFFICER])
def test_briefing_panels_cost_the_same_with_more_meetings(
    client, office, host, officer, make_user, role, django_assert_max_num_queries
):
    from django.core.cache import cache

    cache.set("dashboards:health", {"ok": True, "checks": {}}, 60)
    user = make_user(role, unit=officer.unit if role == Role.COMMUNE_OFFICER else None)
    first = held(office, host, days_ago=1, title="Giao ban 1")
    add_task(office, first, officer.unit, "Việc")
    client.force_login(user)
    client.get(reverse("home"))
    with django_assert_max_num_queries(40) as before:
        client.get(reverse("home"))
    for i in range(2, 6):
        meeting = held(office, host, days_ago=7 * i, title=f"Giao ban {i}")
        services.task_create(
            meeting=meeting, unit=officer.unit, title=f"Việc {i}", due_on=timezone.localdate(), user=office
        )
        make_meeting(office, host, starts_in=timedelta(days=i), title=f"Sắp tới {i}")
    with django_assert_max_num_queries(len(before)):
        client.get(reverse("home"))


#
# Map and site page
#


def test_overdue_tasks_mark_the_units_headquarters(office, host, officer):
    meeting = held(office, host, days_ago=5, title="Giao ban")
    add_task(office, meeting, officer.unit, "Quá hạn")
    services.task_create(
        meeting=meeting, unit=officer.unit, title="Quá hạn 2", due_on=timezone.localdate(), user=office
    )
    MinutesTask.objects.update(due_on=timezone.localdate() - timedelta(days=1))
    sites = list(Site.objects.filter(unit=officer.unit))
    found = overdue_tasks([s.pk for s in Site.objects.all()])
    hq = [s for s in sites if s.kind == "ubnd_hq"]
    assert set(found) == {s.pk for s in hq}
    level, reason = found[hq[0].pk]
    assert level == Level.WARNING and "2" in reason
    assert site_statuses(site_ids=[hq[0].pk])[hq[0].pk].level >= Level.WARNING


def test_site_section_lists_meetings_attendance_and_tasks(client, office, host, officer, other_officer):
    meeting = held(office, host, days_ago=2, title="Giao ban tuần 46")
    bp = invitation_of(meeting, "tam-hai").bridge_point
    services.roll_call_record(
        meeting=meeting,
        bridge_point=bp,
        user=office,
        status="late",
        headcount=4,
        arrived_at=meeting.starts_at + timedelta(minutes=10),
    )
    held(office, host, days_ago=9, title="Giao ban tuần 45")
    make_meeting(office, host, title="Giao ban tuần 48")
    services.task_create(
        meeting=meeting, unit=officer.unit, title="Sửa đường truyền", due_on=timezone.localdate(), user=office
    )
    client.force_login(officer)
    response = client.get(bp.room.site.get_absolute_url())
    html = re.search(r'data-section="meetings.meetings".*?</section>', response.content.decode(), re.S).group(0)
    for text in ("Giao ban tuần 46", "Giao ban tuần 45", "Giao ban tuần 48", "Sửa đường truyền", "4"):
        assert text in html
    other_site = BridgePoint.objects.get(room__site__unit=other_officer.unit).room.site
    assert client.get(other_site.get_absolute_url()).status_code == 404


def test_site_section_costs_the_same_with_many_meetings(client, office, host, officer, django_assert_max_num_queries):
    site = BridgePoint.objects.get(room__site__unit=officer.unit).room.site
    held(office, host, days_ago=1, title="Giao ban 1")
    client.force_login(office)
    client.get(site.get_absolute_url())
    with django_assert_max_num_queries(60) as before:
        client.get(site.get_absolute_url())
    for i in range(2, 14):
        meeting = held(office, host, days_ago=7 * i, title=f"Giao ban {i}")
        services.roll_call_record(
            meeting=meeting,
            bridge_point=invitation_of(meeting, "tam-hai").bridge_point,
            user=office,
            status="present",
            headcount=3,
        )
        services.task_create(
            meeting=meeting, unit=officer.unit, title=f"Việc {i}", due_on=timezone.localdate(), user=office
        )
    with django_assert_max_num_queries(len(before)):
        client.get(site.get_absolute_url())


def test_answered_requests_leave_everyones_to_do_list(office, host, leader, make_user, officer):
    """Approving minutes or confirming a delegation settles the notifications that asked for it."""
    other_leader = make_user(Role.LEADER)
    meeting = held(office, host, days_ago=1, title="Giao ban tuần 46")
    minutes = services.minutes_draft_create(meeting=meeting, user=office)
    services.minutes_submit(minutes=minutes, user=office)
    assert Notification.objects.filter(kind=NotificationKind.MINUTES_TO_APPROVE, read_at__isnull=True).count() == 2
    services.minutes_approve(minutes=minutes, user=leader)
    assert not Notification.objects.filter(kind=NotificationKind.MINUTES_TO_APPROVE, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other_leader, kind=NotificationKind.MINUTES_TO_APPROVE).exists()

    upcoming = make_meeting(office, host, title="Giao ban tuần 48")
    invitation = invitation_of(upcoming, "tam-hai")
    services.delegation_update(
        invitation=invitation,
        user=officer,
        expected_headcount=2,
        members=[services.MemberData("Nguyễn Văn B", "Chủ tịch UBND xã")],
    )
    services.delegation_confirm(invitation=invitation, user=officer)
    url = reverse("meetings:delegation_edit", args=[invitation.pk])
    assert Notification.objects.get(recipient=officer, kind=NotificationKind.DELEGATION_TO_CONFIRM, url=url).is_read
