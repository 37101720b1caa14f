"""Services and selectors of briefings against the real database."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from meetings.models import AttendanceInterval, Meeting, MeetingInvitation, Minutes, MinutesTask, RollCall
from meetings.selectors import briefings as selectors
from meetings.services import briefings as services
from sites.models import BridgePoint

from .conftest import invitation_of, make_meeting

pytestmark = pytest.mark.django_db


def test_invite_groups_by_terrain(demo):
    """All 17 communes in one click; coastal includes the island commune; the host is never invited."""
    codes = lambda group: set(  # noqa: E731
        selectors.bridge_points_for_group(group=group).values_list("room__site__unit__code", flat=True)
    )
    assert len(codes("all")) == 17
    assert codes("mountain") == {"tam-son", "tam-tra", "tam-thanh", "tam-my-tay", "tam-my-dong"}
    assert codes("island") == {"tam-hai"}
    assert codes("coastal") == {"tam-tien", "tam-quang", "tam-hoa", "tam-giang", "tam-hai"}


def test_meeting_create_books_the_host_room_and_invites(meeting, host):
    assert meeting.booking.room == host.room
    assert (meeting.booking.starts_at, meeting.booking.ends_at) == (meeting.starts_at, meeting.ends_at)
    assert meeting.invitations.count() == 17
    # Inviting again changes nothing, and the host is never its own guest.
    again = services.meeting_invite(
        meeting=meeting, bridge_points=[*selectors.bridge_points_for_group(group="all"), host]
    )
    assert again == [] and meeting.invitations.count() == 17


def test_meeting_must_end_after_start(office, host):
    now = timezone.now()
    with pytest.raises(ApplicationError):
        services.meeting_create(user=office, title="x", chair="y", host_bridge_point=host, starts_at=now, ends_at=now)
    assert not Meeting.objects.exists()


def test_agenda_numbering_and_planned_times(meeting):
    """1, 1.1, 2 …; a parent spans its own time (its introduction) and its children's; the planned end follows."""
    second = services.agenda_item_save(meeting=meeting, title="Ý kiến các xã", duration_minutes=20)
    first = meeting.agenda_items.get(parent=None, position=1)
    services.agenda_item_save(meeting=meeting, title="Tam Hải", duration_minutes=5, parent=first)
    rows = selectors.agenda_rows(meeting=meeting)
    assert [(r.number, r.item.title, r.depth) for r in rows] == [
        ("1", "Kinh tế - xã hội", 0),
        ("1.1", "Phòng chống thiên tai", 1),
        ("1.2", "Tam Hải", 1),
        ("2", "Ý kiến các xã", 0),
    ]
    assert rows[0].minutes == 15 + 10 + 5 and rows[3].item == second
    assert rows[3].starts_at == meeting.starts_at + timedelta(minutes=30)
    assert selectors.agenda_planned_end(meeting=meeting) == meeting.starts_at + timedelta(minutes=50)


def test_a_parents_own_duration_is_its_introduction_before_its_children(office, host, client):
    """Issue 14: a parent of 20′ with two children of 5′ was shown as 10′ and the schedule skipped its 20′."""
    meeting = services.meeting_create(
        user=office,
        title="Giao ban",
        chair="Chủ tịch",
        host_bridge_point=host,
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=2),
    )
    opening = services.agenda_item_save(meeting=meeting, title="Khai mạc", duration_minutes=5)
    parent = services.agenda_item_save(meeting=meeting, title="Phòng chống bão", duration_minutes=20)
    services.agenda_item_save(meeting=meeting, title="Xã ven biển", duration_minutes=5, parent=parent)
    services.agenda_item_save(meeting=meeting, title="Xã miền núi", duration_minutes=5, parent=parent)
    heading = services.agenda_item_save(meeting=meeting, title="Ý kiến", duration_minutes=0)
    services.agenda_item_save(meeting=meeting, title="Tam Hải", duration_minutes=10, parent=heading)
    closing = services.agenda_item_save(meeting=meeting, title="Kết luận", duration_minutes=10)
    assert opening and closing

    start = meeting.starts_at
    rows = selectors.agenda_rows(meeting=meeting)
    got = [
        (r.number, r.minutes, r.own_minutes, (r.starts_at - start).seconds // 60, (r.ends_at - start).seconds // 60)
        for r in rows
    ]
    assert got == [
        ("1", 5, 5, 0, 5),
        ("2", 30, 20, 5, 35),  # 20′ introduction, then 2.1 and 2.2
        ("2.1", 5, 5, 25, 30),
        ("2.2", 5, 5, 30, 35),
        ("3", 10, 0, 35, 45),  # a heading only
        ("3.1", 10, 10, 35, 45),
        ("4", 10, 10, 45, 55),
    ]
    assert selectors.agenda_planned_end(meeting=meeting, rows=rows) == start + timedelta(minutes=55)

    client.force_login(office)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "(30′)" in html and "introduction 20′" in html


def test_agenda_item_cannot_be_put_under_itself(meeting):
    first = meeting.agenda_items.get(parent=None)
    child = first.children.get()
    with pytest.raises(ApplicationError):
        services.agenda_item_save(meeting=meeting, item=first, title=first.title, duration_minutes=5, parent=child)
    first.refresh_from_db()
    assert first.parent is None


def test_delegation_update_confirm_and_late_state(meeting, officer):
    invitation = invitation_of(meeting, "tam-hai")
    assert selectors.delegation_state(invitation=invitation) == selectors.DelegationState.PENDING
    services.delegation_update(
        invitation=invitation,
        user=officer,
        expected_headcount=8,
        members=[services.MemberData("Võ Thị Lan", "Chủ tịch UBND xã"), services.MemberData("Lê Văn B", "")],
    )
    with pytest.raises(ApplicationError):  # fewer expected than named
        services.delegation_update(
            invitation=invitation,
            user=officer,
            expected_headcount=1,
            members=[services.MemberData("A"), services.MemberData("B")],
        )
    invitation = services.delegation_confirm(invitation=invitation, user=officer)
    assert invitation.confirmed_by == officer
    assert selectors.delegation_state(invitation=invitation) == selectors.DelegationState.CONFIRMED
    assert [m.name for m in invitation.members.all()] == ["Võ Thị Lan", "Lê Văn B"]
    # Changing the list withdraws the confirmation.
    services.delegation_update(
        invitation=invitation, user=officer, expected_headcount=8, members=[services.MemberData("Võ Thị Lan")]
    )
    invitation.refresh_from_db()
    assert invitation.confirmed_at is None
    # Not confirmed 15 minutes before the start: late on the organiser's view.
    late_now = meeting.starts_at - timedelta(minutes=14)
    assert selectors.delegation_state(invitation=invitation, now=late_now) == selectors.DelegationState.LATE
    assert (
        selectors.delegation_state(invitation=invitation, now=meeting.starts_at - timedelta(minutes=16))
        == selectors.DelegationState.PENDING
    )
    assert invitation.history.count() >= 3


def test_delegation_confirmed_after_deadline_is_marked_late(office, host, officer):
    meeting = make_meeting(office, host, starts_in=timedelta(minutes=10))
    invitation = invitation_of(meeting, "tam-hai")
    services.delegation_update(
        invitation=invitation, user=officer, expected_headcount=1, members=[services.MemberData("A")]
    )
    invitation = services.delegation_confirm(invitation=invitation, user=officer)
    assert selectors.delegation_state(invitation=invitation) == selectors.DelegationState.CONFIRMED_LATE


def test_delegation_edit_after_start_is_refused_and_changes_nothing(office, host, officer):
    meeting = make_meeting(office, host, starts_in=timedelta(minutes=-5))
    invitation = invitation_of(meeting, "tam-hai")
    with pytest.raises(ApplicationError, match="started"):
        services.delegation_update(
            invitation=invitation, user=officer, expected_headcount=3, members=[services.MemberData("A")]
        )
    with pytest.raises(ApplicationError):
        services.delegation_confirm(invitation=invitation, user=officer)
    invitation.refresh_from_db()
    assert invitation.expected_headcount == 0 and not invitation.members.exists() and invitation.confirmed_at is None


def test_confirm_needs_members(meeting, officer):
    with pytest.raises(ApplicationError):
        services.delegation_confirm(invitation=invitation_of(meeting, "tam-hai"), user=officer)


def test_officer_cannot_touch_another_communes_delegation(meeting, officer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.delegation_update(
            invitation=invitation_of(meeting, "tam-giang"), user=officer, expected_headcount=1, members=[]
        )


def test_roll_call_keeps_roll_call_intervals_beside_media_ones(meeting, office):
    bp = invitation_of(meeting, "tam-hai").bridge_point
    AttendanceInterval.objects.create(
        meeting=meeting, bridge_point=bp, source="media", joined_at=meeting.starts_at + timedelta(minutes=2)
    )
    services.roll_call_record(
        meeting=meeting, bridge_point=bp, user=office, status="present", headcount=7, names="A\nB"
    )
    intervals = AttendanceInterval.objects.filter(meeting=meeting, bridge_point=bp)
    assert sorted(intervals.values_list("source", flat=True)) == ["media", "roll_call"]
    assert intervals.get(source="roll_call").joined_at == meeting.starts_at
    # Correcting to late moves the interval; to absent removes it and zeroes the headcount.
    services.roll_call_record(
        meeting=meeting,
        bridge_point=bp,
        user=office,
        status="late",
        headcount=5,
        arrived_at=meeting.starts_at + timedelta(minutes=20),
    )
    assert intervals.get(source="roll_call").joined_at == meeting.starts_at + timedelta(minutes=20)
    roll_call = services.roll_call_record(meeting=meeting, bridge_point=bp, user=office, status="absent", headcount=9)
    assert roll_call.headcount == 0 and RollCall.objects.filter(meeting=meeting).count() == 1
    assert list(intervals.values_list("source", flat=True)) == ["media"]
    rows = selectors.attendance_sheet(user=office, meeting=meeting)
    row = next(r for r in rows if r.invitation.bridge_point == bp)
    assert row.roll_call.status == "absent" and len(row.media_intervals) == 1 and not row.attended
    assert selectors.attendance_counts(rows=rows)["absent"] == 1


def test_roll_call_refuses_uninvited_sites_and_empty_present(mountain_meeting, office):
    tam_hai = BridgePoint.objects.get(room__site__unit__code="tam-hai", role="participant")
    with pytest.raises(ApplicationError):
        services.roll_call_record(
            meeting=mountain_meeting, bridge_point=tam_hai, user=office, status="present", headcount=3
        )
    bp = mountain_meeting.invitations.first().bridge_point
    with pytest.raises(ApplicationError):
        services.roll_call_record(meeting=mountain_meeting, bridge_point=bp, user=office, status="present", headcount=0)
    assert not RollCall.objects.exists()


def _approved(meeting, office, leader):
    minutes = services.minutes_draft_create(meeting=meeting, user=office)
    services.minutes_submit(minutes=minutes, user=office)
    return services.minutes_approve(minutes=minutes, user=leader)


def test_minutes_prefill_and_lifecycle(meeting, office, leader):
    bp = invitation_of(meeting, "tam-hai").bridge_point
    services.roll_call_record(meeting=meeting, bridge_point=bp, user=office, status="present", headcount=7)
    minutes = services.minutes_draft_create(meeting=meeting, user=office)
    assert "1.1. Phòng chống thiên tai" in minutes.body
    assert "UBND Tam Hải: có mặt, 7 người" in minutes.body
    assert minutes.issuing_body == "ỦY BAN NHÂN DÂN HUYỆN NÚI THÀNH"
    assert minutes.governing_body == "UBND TỈNH QUẢNG NAM"
    assert minutes.place == "Núi Thành" and minutes.chair == "Nguyễn Văn A" and minutes.secretary == "Lê Thị Hoa"
    with pytest.raises(ConflictError):
        services.minutes_draft_create(meeting=meeting, user=office)
    services.minutes_update(minutes=minutes, user=office, number="12/BB-UBND", body=minutes.body + "\n\nThêm.")
    services.minutes_submit(minutes=minutes, user=office)
    with pytest.raises(ConflictError):  # in review: not editable
        services.minutes_update(minutes=minutes, user=office, body="x")
    services.minutes_return(minutes=minutes, user=leader, reason="Thiếu kết luận")
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.DRAFT
    services.minutes_submit(minutes=minutes, user=office)
    minutes = services.minutes_approve(minutes=minutes, user=leader)
    assert minutes.status == "approved" and minutes.approved_by == leader
    statuses = list(minutes.history.order_by("history_id").values_list("status", flat=True))
    assert statuses == ["draft", "draft", "in_review", "draft", "in_review", "approved"]


def test_approving_own_draft_is_refused_by_policy(meeting, make_user, settings):
    from accounts.roles import Role

    drafter = make_user(Role.OFFICE_STAFF)
    drafter.groups.add(*make_user(Role.LEADER).groups.all())
    drafter = type(drafter).objects.get(pk=drafter.pk)
    minutes = services.minutes_draft_create(meeting=meeting, user=drafter)
    services.minutes_submit(minutes=minutes, user=drafter)
    settings.BRIEFINGS_MINUTES_SELF_APPROVAL = False
    with pytest.raises(PermissionDeniedError):
        services.minutes_approve(minutes=minutes, user=drafter)
    minutes.refresh_from_db()
    assert minutes.status == "in_review" and minutes.approved_by is None
    settings.BRIEFINGS_MINUTES_SELF_APPROVAL = True
    assert services.minutes_approve(minutes=minutes, user=drafter).status == "approved"


def test_only_leaders_approve(meeting, office):
    minutes = services.minutes_draft_create(meeting=meeting, user=office)
    services.minutes_submit(minutes=minutes, user=office)
    with pytest.raises(PermissionDeniedError):
        services.minutes_approve(minutes=minutes, user=office)


def test_approved_minutes_are_immutable_in_service_model_and_database(meeting, office, leader):
    minutes = _approved(meeting, office, leader)
    with pytest.raises(ConflictError):
        services.minutes_update(minutes=minutes, user=office, body="changed")
    minutes.body = "changed"
    with pytest.raises(ApplicationError):
        minutes.save()
    with pytest.raises(ApplicationError):
        minutes.delete()
    # Even a bulk update that skips save() is stopped by the database trigger.
    with pytest.raises(IntegrityError), transaction.atomic():
        Minutes.objects.filter(pk=minutes.pk).update(body="changed")
    with pytest.raises(IntegrityError), transaction.atomic():
        Minutes.objects.filter(pk=minutes.pk).delete()
    minutes.refresh_from_db()
    assert minutes.body != "changed" and minutes.status == "approved"


def test_amendment_is_a_new_version_and_all_versions_stay(meeting, office, leader):
    first = _approved(meeting, office, leader)
    with pytest.raises(ApplicationError):
        services.minutes_amend(minutes=first, user=office, reason="  ")
    second = services.minutes_amend(minutes=first, user=office, reason="Sửa số người dự Tam Hải")
    assert (second.version, second.previous, second.status) == (2, first, "draft")
    assert second.body == first.body and second.amendment_reason == "Sửa số người dự Tam Hải"
    with pytest.raises(ConflictError):  # only the latest approved version is amended
        services.minutes_amend(minutes=first, user=office, reason="again")
    services.minutes_update(minutes=second, user=office, body="Nội dung sửa đổi")
    services.minutes_submit(minutes=second, user=office)
    services.minutes_approve(minutes=second, user=leader)
    assert list(meeting.minutes.order_by("version").values_list("version", "status")) == [
        (1, "approved"),
        (2, "approved"),
    ]
    first.refresh_from_db()
    assert first.body != "Nội dung sửa đổi"


def test_tasks_complete_and_follow_up_at_the_next_briefing(office, host, officer, other_officer):
    past = make_meeting(office, host, starts_in=timedelta(days=-7), title="Tuần trước")
    upcoming = make_meeting(office, host, title="Tuần này")
    tam_hai = officer.unit
    task = services.task_create(
        meeting=past,
        unit=tam_hai,
        title="Báo cáo tàu thuyền",
        due_on=timezone.localdate() - timedelta(days=1),
        user=office,
    )
    services.task_create(meeting=past, unit=other_officer.unit, title="Khác", due_on=timezone.localdate(), user=office)
    with pytest.raises(ApplicationError):
        services.task_create(
            meeting=past, unit=tam_hai, title="x", due_on=timezone.localdate() - timedelta(days=30), user=office
        )
    assert task.is_overdue
    assert {t.title for t in selectors.tasks_open_before(user=office, meeting=upcoming)} == {
        "Báo cáo tàu thuyền",
        "Khác",
    }
    assert [t.title for t in selectors.tasks_open_before(user=officer, meeting=upcoming)] == ["Báo cáo tàu thuyền"]
    counts = {c.unit.code: (c.open, c.overdue) for c in selectors.task_counts_per_unit(user=office)}
    assert counts == {"tam-hai": (1, 1), "tam-giang": (1, 0)}
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.task_complete(task=task, user=other_officer)
    task = services.task_complete(task=task, user=officer, note="Đã báo cáo")
    assert task.status == MinutesTask.Status.DONE and task.completed_by == officer
    with pytest.raises(ConflictError):
        services.task_complete(task=task, user=officer)
    assert not selectors.tasks_open_before(user=office, meeting=upcoming).filter(pk=task.pk).exists()


def test_attendance_rate_per_commune(office, host):
    meetings = [make_meeting(office, host, starts_in=timedelta(days=-d), title=f"M{d}") for d in (1, 2)]
    tam_hai = lambda m: invitation_of(m, "tam-hai").bridge_point  # noqa: E731
    services.roll_call_record(
        meeting=meetings[0], bridge_point=tam_hai(meetings[0]), user=office, status="present", headcount=3
    )
    services.roll_call_record(meeting=meetings[1], bridge_point=tam_hai(meetings[1]), user=office, status="absent")
    # No roll call at Tam Giang in the first, but media saw it.
    AttendanceInterval.objects.create(
        meeting=meetings[0],
        bridge_point=invitation_of(meetings[0], "tam-giang").bridge_point,
        source="media",
        joined_at=meetings[0].starts_at,
    )
    make_meeting(office, host, title="future")  # not counted: not started
    rates = {r.unit.code: r for r in selectors.attendance_rates(user=office, last_n=10)}
    assert (rates["tam-hai"].invited, rates["tam-hai"].attended, rates["tam-hai"].rate) == (2, 1, 50.0)
    assert rates["tam-giang"].attended == 1 and rates["tam-son"].attended == 0
    assert len(rates) == 17
    assert {r.unit.code: r.invited for r in selectors.attendance_rates(user=office, last_n=1)}["tam-hai"] == 1


def test_meeting_list_for_user_shows_communes_only_their_invitations(meeting, mountain_meeting, officer, office):
    assert set(selectors.meeting_list_for_user(user=officer)) == {meeting}
    assert set(selectors.meeting_list_for_user(user=office)) == {meeting, mountain_meeting}
    assert MeetingInvitation.objects.filter(meeting=mountain_meeting).count() == 5


def test_demo_data_loads_and_is_idempotent(demo):
    from meetings import demo_briefings

    demo_briefings.load()
    counts = (Meeting.objects.count(), Minutes.objects.count(), MinutesTask.objects.count(), RollCall.objects.count())
    demo_briefings.load()
    assert counts == (
        Meeting.objects.count(),
        Minutes.objects.count(),
        MinutesTask.objects.count(),
        RollCall.objects.count(),
    )
    assert counts[0] == 4 and Minutes.objects.filter(status="approved").count() == 1
    assert Meeting.objects.filter(starts_at__date=timezone.localdate()).count() == 1  # one today
