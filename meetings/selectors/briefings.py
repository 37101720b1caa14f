"""
Read side of briefings: which meetings a user sees, the numbered agenda with planned times,
delegation states, the attendance sheet, follow-up tasks and the leaders' figures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.scoping import scope_queryset, user_scope_unit_ids
from meetings.models import (
    AgendaItem,
    AttendanceInterval,
    FloorTurn,
    Meeting,
    MeetingInvitation,
    Minutes,
    MinutesTask,
    RollCall,
)
from sites.choices import BridgePointRole, SiteKind, Terrain, UnitKind
from sites.models import AdministrativeUnit, BridgePoint

if TYPE_CHECKING:
    from accounts.models import User

# Units whose People's Committee runs a commune-level bridge point.
COMMUNE_LEVEL_KINDS = (UnitKind.COMMUNE, UnitKind.TOWN, UnitKind.WARD, UnitKind.SPECIAL_ZONE)

#
# Meetings
#


def meeting_list_for_user(*, user: User) -> QuerySet[Meeting]:
    """
    Meetings the user may see: all for district staff; for a user tied to a unit, those hosted in
    its units or to which one of its bridge points is invited. Use this everywhere instead of
    `Meeting.objects.visible_to`, which only knows the host side.
    """
    qs = Meeting.objects.select_related("host_bridge_point", "booking")
    unit_ids = user_scope_unit_ids(user)
    if unit_ids is None:
        return qs
    invited = MeetingInvitation.objects.filter(meeting=OuterRef("pk"), bridge_point__room__site__unit_id__in=unit_ids)
    return qs.filter(Q(host_bridge_point__room__site__unit_id__in=unit_ids) | Exists(invited))


def meeting_list_in_date_order(qs: QuerySet[Meeting], *, now: datetime | None = None) -> QuerySet[Meeting]:
    """
    The order of the briefings list: what is live or still to come first, the soonest first; then
    the meetings that are over, the most recent first. One ORDER BY, so paging and filters still work.
    """
    now = now or timezone.now()
    upcoming = Q(status=Meeting.Status.LIVE) | (Q(ends_at__gte=now) & ~Q(status__in=Meeting.OVER_STATUSES))
    return qs.annotate(
        is_past=Case(When(upcoming, then=Value(0)), default=Value(1), output_field=IntegerField()),
        upcoming_at=Case(When(upcoming, then=F("starts_at")), default=None),
        past_at=Case(When(upcoming, then=None), default=F("starts_at")),
    ).order_by("is_past", F("upcoming_at").asc(nulls_last=True), F("past_at").desc(nulls_last=True), "-pk")


def meeting_get_for_user(*, user: User, pk: int) -> Meeting:
    """One visible meeting, or 404."""
    return get_object_or_404(meeting_list_for_user(user=user), pk=pk)


def meeting_has_started(*, meeting: Meeting, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return meeting.status in (Meeting.Status.LIVE, Meeting.Status.ENDED) or now >= meeting.starts_at


class InviteGroup:
    """Named groups of commune bridge points for one-click invitations."""

    ALL = "all"
    CHOICES = (
        (ALL, _("All communes and towns")),
        (Terrain.MOUNTAIN, _("Mountain communes")),
        (Terrain.COASTAL, _("Coastal communes (including island ones)")),
        (Terrain.ISLAND, _("Island communes")),
        (Terrain.PLAIN, _("Plain communes")),
    )


def bridge_points_for_group(*, group: str) -> QuerySet[BridgePoint]:
    """Active participant bridge points at commune People's Committees, optionally by terrain."""
    qs = BridgePoint.objects.filter(
        is_active=True,
        role=BridgePointRole.PARTICIPANT,
        room__site__kind=SiteKind.UBND_HQ,
        room__site__unit__kind__in=COMMUNE_LEVEL_KINDS,
        room__site__unit__dissolved_on__isnull=True,
    ).select_related("room__site__unit")
    if group == InviteGroup.ALL:
        return qs
    terrains = [Terrain.COASTAL, Terrain.ISLAND] if group == Terrain.COASTAL else [group]
    # A site's own terrain wins over its unit's (Site.effective_terrain).
    return qs.filter(
        Q(room__site__terrain__in=terrains) | (Q(room__site__terrain="") & Q(room__site__unit__terrain__in=terrains))
    )


#
# Agenda
#


@dataclass(frozen=True, slots=True)
class AgendaRow:
    item: AgendaItem
    number: str
    depth: int
    minutes: int  # the whole span: the item's own time plus its children's
    starts_at: datetime
    ends_at: datetime
    has_children: bool = False

    @property
    def own_minutes(self) -> int:
        """The item's own time: for a parent, its introduction before its children."""
        return self.item.duration_minutes


def agenda_rows(*, meeting: Meeting) -> list[AgendaRow]:
    """
    The agenda in reading order with numbers (1, 1.1, 1.2, 2 …) and planned times, one item after
    another from the start. An item takes its own duration; a parent's own duration is its
    introduction, before its children, so a parent spans its own time plus its children's
    (a parent of 20′ with children of 5′ and 5′ runs 30′: 20′ introduction, then 1.1, then 1.2).
    """
    items = list(meeting.agenda_items.all())
    children: dict[int | None, list[AgendaItem]] = defaultdict(list)
    for item in sorted(items, key=lambda i: (i.position, i.pk)):
        children[item.parent_id].append(item)

    rows: list[AgendaRow] = []
    clock = meeting.starts_at

    def walk(parent_id: int | None, prefix: str, depth: int) -> None:
        nonlocal clock
        for index, item in enumerate(children.get(parent_id, []), start=1):
            number = f"{prefix}{index}"
            start = clock
            slot = len(rows)
            clock = clock + timedelta(minutes=item.duration_minutes)
            has_children = bool(children.get(item.pk))
            if has_children:
                walk(item.pk, f"{number}.", depth + 1)
            total = int((clock - start).total_seconds() // 60)
            rows.insert(slot, AgendaRow(item, number, depth, total, start, clock, has_children))

    walk(None, "", 0)
    return rows


def floor_turns_by_agenda(*, meeting: Meeting) -> list[tuple[str, list[FloorTurn]]]:
    """
    The sites that spoke ("Ý kiến phát biểu"), per agenda item in the agenda's order (numbered title),
    then those that spoke outside any item; each list in speaking order. Two queries.
    """
    turns = list(
        FloorTurn.objects.filter(meeting=meeting, started_at__isnull=False)
        .exclude(status=FloorTurn.Status.REQUESTED)
        .select_related("bridge_point")
        .order_by("started_at", "pk")
    )
    if not turns:
        return []
    by_item: dict[int | None, list[FloorTurn]] = defaultdict(list)
    for turn in turns:
        by_item[turn.agenda_item_id].append(turn)
    out = [
        (f"{row.number}. {row.item.title}", by_item[row.item.pk])
        for row in agenda_rows(meeting=meeting)
        if row.item.pk in by_item
    ]
    if None in by_item:
        out.append(("", by_item[None]))
    return out


def agenda_planned_end(*, meeting: Meeting, rows: list[AgendaRow] | None = None) -> datetime:
    rows = agenda_rows(meeting=meeting) if rows is None else rows
    return max((row.ends_at for row in rows), default=meeting.starts_at)


#
# Delegations
#


def delegation_deadline(*, meeting: Meeting) -> datetime:
    return meeting.starts_at - timedelta(minutes=settings.BRIEFINGS_DELEGATION_DEADLINE_MINUTES)


class DelegationState:
    CONFIRMED = "confirmed"
    CONFIRMED_LATE = "confirmed_late"
    PENDING = "pending"
    LATE = "late"
    LABELS = {
        CONFIRMED: _("Confirmed"),
        CONFIRMED_LATE: _("Confirmed late"),
        PENDING: _("Not yet confirmed"),
        LATE: _("Late: not confirmed"),
    }


def delegation_state(*, invitation: MeetingInvitation, now: datetime | None = None) -> str:
    """Confirmed (in time or late), pending, or late: not confirmed when the deadline has passed."""
    deadline = delegation_deadline(meeting=invitation.meeting)
    if invitation.confirmed_at is not None:
        return DelegationState.CONFIRMED if invitation.confirmed_at <= deadline else DelegationState.CONFIRMED_LATE
    return DelegationState.LATE if (now or timezone.now()) >= deadline else DelegationState.PENDING


def invitation_list_for_user(*, user: User, meeting: Meeting) -> QuerySet[MeetingInvitation]:
    """The meeting's invitations the user may see: all for district staff, its own for a commune."""
    qs = meeting.invitations.select_related("bridge_point__room__site__unit", "confirmed_by", "meeting")
    return scope_queryset(qs.prefetch_related("members"), user)


def invitation_get_for_user(*, user: User, pk: int) -> MeetingInvitation:
    qs = scope_queryset(MeetingInvitation.objects.select_related("meeting", "bridge_point"), user)
    return get_object_or_404(qs.filter(meeting__in=meeting_list_for_user(user=user)), pk=pk)


#
# Attendance
#


@dataclass(slots=True)
class AttendanceRow:
    invitation: MeetingInvitation
    state: str
    roll_call: RollCall | None
    intervals: list[AttendanceInterval] = field(default_factory=list)

    @property
    def media_intervals(self) -> list[AttendanceInterval]:
        return [i for i in self.intervals if i.source == AttendanceInterval.Source.MEDIA]

    @property
    def media_seconds(self) -> int:
        end = timezone.now()
        return int(sum(((i.left_at or end) - i.joined_at).total_seconds() for i in self.media_intervals))

    @property
    def media_minutes(self) -> int:
        """Connected minutes, a started minute counting whole: 59 s is 1, never 0 for a site media saw."""
        return -(-self.media_seconds // 60)

    @property
    def media_duration(self) -> str:
        """What a person reads: seconds under a minute ('59 s'), else minutes rounded up ('2′')."""
        seconds = self.media_seconds
        if seconds < 60:
            return _("%(seconds)d s") % {"seconds": seconds}
        return f"{self.media_minutes}′"

    @property
    def attended(self) -> bool:
        """Roll call decides when there is one; otherwise media events do."""
        if self.roll_call is not None:
            return self.roll_call.status in (RollCall.Status.PRESENT, RollCall.Status.LATE)
        return bool(self.media_intervals)


def attendance_sheet(*, user: User, meeting: Meeting, now: datetime | None = None) -> list[AttendanceRow]:
    """Per invited site visible to the user: delegation, roll call, and every attendance interval."""
    invitations = list(invitation_list_for_user(user=user, meeting=meeting))
    roll_calls = {rc.bridge_point_id: rc for rc in meeting.roll_calls.all()}
    intervals: dict[int, list[AttendanceInterval]] = defaultdict(list)
    for interval in meeting.attendance_intervals.order_by("joined_at"):
        intervals[interval.bridge_point_id].append(interval)
    return [
        AttendanceRow(
            invitation=inv,
            state=delegation_state(invitation=inv, now=now),
            roll_call=roll_calls.get(inv.bridge_point_id),
            intervals=intervals.get(inv.bridge_point_id, []),
        )
        for inv in invitations
    ]


def attendance_counts(*, rows: list[AttendanceRow]) -> dict[str, int]:
    """
    Quorum-style counters for the header of the attendance sheet. People are compared with the
    expected headcount like for like: `headcount_expected` counts the people at the sites that gave an
    expected headcount (`expected_sites`), over their total `expected`; `headcount` counts everyone.
    """
    declared = [r for r in rows if r.invitation.expected_headcount]
    present = sum(1 for r in rows if r.roll_call and r.roll_call.status == RollCall.Status.PRESENT)
    late = sum(1 for r in rows if r.roll_call and r.roll_call.status == RollCall.Status.LATE)
    absent = sum(1 for r in rows if r.roll_call and r.roll_call.status == RollCall.Status.ABSENT)
    return {
        "invited": len(rows),
        "present": present,
        "late": late,
        "absent": absent,
        "not_called": len(rows) - present - late - absent,
        "confirmed": sum(1 for r in rows if r.invitation.confirmed_at),
        "headcount": sum(r.roll_call.headcount for r in rows if r.roll_call),
        "expected": sum(r.invitation.expected_headcount for r in declared),
        "expected_sites": len(declared),
        "headcount_expected": sum(r.roll_call.headcount for r in declared if r.roll_call),
    }


#
# Minutes and tasks
#


def minutes_list_for_user(*, user: User) -> QuerySet[Minutes]:
    """Minutes of visible meetings; those who neither write nor approve minutes see approved versions only."""
    qs = Minutes.objects.filter(meeting__in=meeting_list_for_user(user=user)).select_related(
        "meeting", "drafted_by", "approved_by", "returned_by", "previous", "amendment"
    )
    if not (user.has_perm("meetings.change_minutes") or user.has_perm("meetings.approve_minutes")):
        qs = qs.filter(status=Minutes.Status.APPROVED)
    return qs


def minutes_awaiting_approval(*, user: User) -> QuerySet[Minutes]:
    """
    The minutes leaders are asked to approve, with their meeting and drafter only: the six joins of
    the full list took PostgreSQL 14 ms to plan on every visit to the leaders' home (issue 18).
    """
    return (
        minutes_list_for_user(user=user)
        .filter(status=Minutes.Status.IN_REVIEW)
        .select_related(None)
        .select_related("meeting", "drafted_by")
        .defer("body")
        .order_by("submitted_at")
    )


def minutes_latest(*, meeting: Meeting) -> Minutes | None:
    return meeting.minutes.order_by("-version").first()


def task_list_for_user(*, user: User) -> QuerySet[MinutesTask]:
    return scope_queryset(MinutesTask.objects.select_related("meeting", "unit", "completed_by"), user)


def tasks_open_before(*, user: User, meeting: Meeting) -> QuerySet[MinutesTask]:
    """Tasks still open from earlier meetings, for the units invited to this one (the follow-up list)."""
    unit_ids = meeting.invitations.values("bridge_point__room__site__unit_id")
    return (
        task_list_for_user(user=user)
        .filter(status=MinutesTask.Status.OPEN, meeting__starts_at__lt=meeting.starts_at, unit_id__in=unit_ids)
        .order_by("due_on", "unit__name")
    )


@dataclass(frozen=True, slots=True)
class UnitAttendanceRate:
    unit: AdministrativeUnit
    invited: int
    attended: int

    @property
    def rate(self) -> float:
        return round(100 * self.attended / self.invited, 1) if self.invited else 0.0


def attendance_rates(*, user: User, last_n: int = 10, now: datetime | None = None) -> list[UnitAttendanceRate]:
    """
    Attendance rate per commune over the last `last_n` meetings that have started: a site attended
    when its roll call says present or late, or, without a roll call, when media events saw it.
    """
    now = now or timezone.now()
    meeting_ids = list(
        meeting_list_for_user(user=user)
        .exclude(status=Meeting.Status.CANCELLED)
        .filter(starts_at__lte=now)
        .order_by("-starts_at")
        .values_list("pk", flat=True)[:last_n]
    )
    invitations = scope_queryset(MeetingInvitation.objects.filter(meeting_id__in=meeting_ids), user)
    called = RollCall.objects.filter(meeting=OuterRef("meeting_id"), bridge_point=OuterRef("bridge_point_id"))
    media = AttendanceInterval.objects.filter(
        meeting=OuterRef("meeting_id"),
        bridge_point=OuterRef("bridge_point_id"),
        source=AttendanceInterval.Source.MEDIA,
    )
    rows = invitations.annotate(
        called=Exists(called),
        present=Exists(called.filter(status__in=(RollCall.Status.PRESENT, RollCall.Status.LATE))),
        seen=Exists(media),
    ).values("bridge_point__room__site__unit_id", "called", "present", "seen")
    invited: dict[int, int] = defaultdict(int)
    attended: dict[int, int] = defaultdict(int)
    for row in rows:
        unit_id = row["bridge_point__room__site__unit_id"]
        invited[unit_id] += 1
        if row["present"] or (not row["called"] and row["seen"]):
            attended[unit_id] += 1
    units = AdministrativeUnit.objects.in_bulk(invited.keys())
    return sorted(
        (UnitAttendanceRate(units[u], invited[u], attended[u]) for u in invited),
        key=lambda r: r.unit.name,
    )


@dataclass(frozen=True, slots=True)
class UnitTaskCounts:
    unit: AdministrativeUnit
    open: int
    overdue: int


def task_counts_per_unit(*, user: User, today: date | None = None) -> list[UnitTaskCounts]:
    today = today or timezone.localdate()
    rows = (
        task_list_for_user(user=user)
        .filter(status=MinutesTask.Status.OPEN)
        .values("unit_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    )
    units = AdministrativeUnit.objects.in_bulk([r["unit_id"] for r in rows])
    return sorted(
        (UnitTaskCounts(units[r["unit_id"]], r["open"], r["overdue"]) for r in rows),
        key=lambda c: (-c.overdue, -c.open, c.unit.name),
    )


def meeting_detail_prefetch(qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return qs.select_related("organiser").prefetch_related(
        Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("position", "pk")),
        "documents",
    )
