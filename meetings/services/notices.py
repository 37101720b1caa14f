"""
Who must act on a briefing, told through `notifications.notify` (in-app now, email after commit):

- a commune's officers when their bridge point is invited (confirm the delegation);
- the leaders when minutes are submitted for approval;
- the drafter when a leader returns the minutes to draft, with the reason;
- a commune's officers when one of its tasks falls due (two days before) and again when it is overdue;
- a district office's members when a proposal it must answer falls due, and again when it is overdue.

A request that can no longer be answered (a delegation to a meeting that has started or is over) is
taken off the to-do lists by `delegation_requests_expire`.

Each function is called inside the service's transaction, so a rolled-back action notifies no one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.roles import Role
from meetings.models import DistrictOffice, Meeting, MeetingInvitation, Minutes, MinutesTask, Proposal
from notifications.choices import NotificationKind
from notifications.models import Notification
from notifications.selectors import notification_recipients
from notifications.services import Text, notification_mark_done, notify

if TYPE_CHECKING:
    from accounts.models import User

# A task (or a proposal to answer) is announced this many days before it is due.
TASK_DUE_NOTICE_DAYS = 2


def _officers_by_unit(unit_ids: Iterable[int]) -> dict[int, list[User]]:
    """Active commune officers tied to each of these units (one query)."""
    from accounts.models import User

    found: dict[int, list[User]] = defaultdict(list)
    users = User.objects.filter(is_active=True, groups__name=Role.COMMUNE_OFFICER, unit_id__in=set(unit_ids))
    for user in users.distinct():
        found[user.unit_id].append(user)
    return found


def invitations_announce(*, invitations: list[MeetingInvitation]) -> None:
    """Ask each invited commune's officers to enter and confirm their delegation."""
    if not invitations:
        return
    rows = MeetingInvitation.objects.filter(pk__in=[i.pk for i in invitations]).select_related(
        "meeting", "bridge_point__room__site"
    )
    officers = _officers_by_unit(r.bridge_point.room.site.unit_id for r in rows)
    for invitation in rows:
        people = officers.get(invitation.bridge_point.room.site.unit_id)
        if not people:
            continue
        meeting = invitation.meeting
        notify(
            recipients=people,
            kind=NotificationKind.DELEGATION_TO_CONFIRM,
            title=Text(gettext_lazy("Confirm your delegation to %(meeting)s"), meeting=meeting.title),
            body=Text(
                gettext_lazy("%(site)s is invited to %(meeting)s on %(when)s. Enter who attends and confirm."),
                site=invitation.bridge_point.room.site.name,
                meeting=meeting.title,
                when=timezone.localtime(meeting.starts_at).strftime("%H:%M %d/%m/%Y"),
            ),
            url=reverse("meetings:delegation_edit", args=[invitation.pk]),
        )


def minutes_announce_review(*, minutes: Minutes, submitted_by: User) -> None:
    """Tell the leaders who oversee the meeting's host unit that minutes wait for their approval."""
    host_unit_id = minutes.meeting.host_bridge_point.room.site.unit_id
    leaders = notification_recipients(roles=[Role.LEADER], unit_id=host_unit_id).exclude(pk=submitted_by.pk)
    notify(
        recipients=leaders,
        kind=NotificationKind.MINUTES_TO_APPROVE,
        title=Text(gettext_lazy("Minutes of %(meeting)s await your approval"), meeting=minutes.meeting.title),
        body=Text(
            gettext_lazy("Version %(version)d, submitted by %(user)s."),
            version=minutes.version,
            user=submitted_by.get_full_name() or submitted_by.username,
        ),
        url=minutes.get_absolute_url(),
    )


def minutes_review_settled(*, minutes: Minutes) -> None:
    """Approved or returned: the leaders' "minutes to approve" notifications are answered."""
    notification_mark_done(kind=NotificationKind.MINUTES_TO_APPROVE, url=minutes.get_absolute_url())


def minutes_returned_announce(*, minutes: Minutes, returned_by: User) -> None:
    """Tell the drafter that a reviewer returned the minutes, and why."""
    if minutes.drafted_by_id == returned_by.pk:
        return
    notify(
        recipients=[minutes.drafted_by],
        kind=NotificationKind.MINUTES_RETURNED,
        title=Text(gettext_lazy("Minutes of %(meeting)s returned to draft"), meeting=minutes.meeting.title),
        body=Text(
            gettext_lazy("Version %(version)d, returned by %(user)s: %(reason)s"),
            version=minutes.version,
            user=returned_by.get_full_name() or returned_by.username,
            reason=minutes.return_reason,
        ),
        url=minutes.get_absolute_url(),
    )


def minutes_return_answered(*, minutes: Minutes) -> None:
    """Submitted again: the drafter's "minutes returned" notification is answered."""
    notification_mark_done(kind=NotificationKind.MINUTES_RETURNED, url=minutes.get_absolute_url())


def delegation_settled(*, invitation: MeetingInvitation) -> None:
    """Confirmed: the commune officers' request to confirm this delegation is answered."""
    notification_mark_done(
        kind=NotificationKind.DELEGATION_TO_CONFIRM, url=reverse("meetings:delegation_edit", args=[invitation.pk])
    )


def delegation_requests_expire(*, now: datetime | None = None) -> int:
    """
    Answer the requests to confirm a delegation that nobody can confirm any more: the meeting has
    started (delegations close at the start), is over or was cancelled, or the site was uninvited.
    Works from the unread requests only (a handful), so it costs the same however many meetings
    there were. Returns the number of notifications marked read.
    """
    now = now or timezone.now()
    urls = set(
        Notification.objects.filter(kind=NotificationKind.DELEGATION_TO_CONFIRM, read_at__isnull=True)
        .values_list("url", flat=True)
        .distinct()
    )
    by_invitation: dict[int, str] = {}
    for url in urls:
        try:
            match = resolve(url)
        except Resolver404:
            continue
        if match.view_name == "meetings:delegation_edit":
            by_invitation[int(match.kwargs["pk"])] = url
    if not by_invitation:
        return 0
    open_ids = set(
        MeetingInvitation.objects.filter(
            pk__in=by_invitation, meeting__starts_at__gt=now, meeting__status=Meeting.Status.SCHEDULED
        ).values_list("pk", flat=True)
    )
    return sum(
        notification_mark_done(kind=NotificationKind.DELEGATION_TO_CONFIRM, url=url)
        for pk, url in by_invitation.items()
        if pk not in open_ids
    )


def _due_to_announce(queryset: QuerySet, *, today: date) -> list:
    """
    The open rows of `queryset` (tasks or proposals: `due_on`, `due_notified_on`) to announce today:
    due within TASK_DUE_NOTICE_DAYS and never announced, or overdue since their last notice. Locked
    (skipping rows another run holds), so that two runs never announce one twice.
    """
    soon = today + timedelta(days=TASK_DUE_NOTICE_DAYS)
    return list(
        queryset.select_for_update(skip_locked=True, of=("self",))
        .filter(due_on__lte=soon)
        .filter(
            Q(due_notified_on__isnull=True)  # never announced
            | Q(due_on__lt=today, due_notified_on__lte=F("due_on"))  # overdue since the last notice
        )
        .order_by("due_on", "pk")
    )


@transaction.atomic
def tasks_announce_due(*, today: date | None = None) -> int:
    """
    Notify each open task's commune officers once when it falls due within TASK_DUE_NOTICE_DAYS and once
    more when it is overdue. `due_notified_on` remembers the last notice, so running this again the same
    day (or every hour) sends nothing new. Returns the number of tasks announced.
    """
    today = today or timezone.localdate()
    tasks = _due_to_announce(
        MinutesTask.objects.filter(status=MinutesTask.Status.OPEN).select_related("unit", "meeting"), today=today
    )
    if not tasks:
        return 0
    officers = _officers_by_unit(t.unit_id for t in tasks)
    for task in tasks:
        people = officers.get(task.unit_id)
        if not people:
            continue
        if task.due_on < today:
            title = gettext_lazy("Overdue task for %(unit)s: %(task)s")
        else:
            title = gettext_lazy("Task for %(unit)s due on %(due)s: %(task)s")
        notify(
            recipients=people,
            kind=NotificationKind.TASK_DUE,
            title=Text(title, unit=task.unit.name, task=task.title, due=task.due_on.strftime("%d/%m/%Y")),
            body=Text(gettext_lazy("Set by %(meeting)s."), meeting=task.meeting.title),
            url=task.get_absolute_url(),
        )
    MinutesTask.objects.filter(pk__in=[t.pk for t in tasks]).update(due_notified_on=today)
    return len(tasks)


@transaction.atomic
def proposals_announce_due(*, today: date | None = None) -> int:
    """
    Remind the members of the office that must answer an open proposal, once when its answer falls due
    within TASK_DUE_NOTICE_DAYS and once more when it is overdue (as `tasks_announce_due`). The notice
    leaves their to-do lists when the proposal is answered. Returns the number of proposals announced.
    """
    today = today or timezone.localdate()
    proposals = _due_to_announce(
        Proposal.objects.filter(status=Proposal.Status.OPEN, office__is_active=True).select_related("unit", "office"),
        today=today,
    )
    if not proposals:
        return 0
    members: dict[int, list[User]] = defaultdict(list)
    for link in DistrictOffice.members.through.objects.filter(
        districtoffice_id__in={p.office_id for p in proposals}, user__is_active=True
    ).select_related("user"):
        members[link.districtoffice_id].append(link.user)
    for proposal in proposals:
        if not members.get(proposal.office_id):
            continue
        if proposal.due_on < today:
            title = gettext_lazy("Overdue answer to the proposal of %(unit)s: %(proposal)s")
        else:
            title = gettext_lazy("Answer the proposal of %(unit)s by %(due)s: %(proposal)s")
        notify(
            recipients=members[proposal.office_id],
            kind=NotificationKind.PROPOSAL_TO_ANSWER,
            title=Text(
                title, unit=proposal.unit.name, proposal=str(proposal), due=proposal.due_on.strftime("%d/%m/%Y")
            ),
            body=proposal.text,
            url=proposal.get_absolute_url(),
        )
    Proposal.objects.filter(pk__in=[p.pk for p in proposals]).update(due_notified_on=today)
    return len(proposals)
