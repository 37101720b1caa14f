"""
Briefings on the home dashboards, the district map and the site page:
- leaders: minutes awaiting approval, attendance rate per commune, open and overdue tasks per commune,
  communes' open and late proposals per district office;
- commune officers: their invitations (delegation to confirm) and their commune's open tasks;
- map: a site whose unit has overdue tasks needs attention;
- site page: the site's meetings with its attendance record, and its unit's open tasks.
Every builder runs a fixed number of queries whatever the number of meetings, sites or tasks.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.roles import Role
from common.scoping import scope_queryset
from dashboards.registry import first_rows, register_panel
from dashboards.status import Level, register_status_provider
from meetings.models import AttendanceInterval, Meeting, MeetingInvitation, MinutesTask, RollCall
from meetings.selectors import briefings as selectors
from meetings.selectors import proposals as proposal_selectors
from meetings.selectors import savings as savings_selectors
from sites.models import BridgePoint, Site
from sites.sections import SiteSection, register_site_section

PANEL_ROWS = 8


@register_panel(
    key="meetings.minutes_to_approve",
    title=_("Minutes awaiting approval"),
    template="meetings/panels/minutes_to_approve.html",
    roles=[Role.LEADER],
    permission="meetings.approve_minutes",
    order=12,
)
def minutes_to_approve(request: HttpRequest) -> dict[str, Any]:
    qs = selectors.minutes_awaiting_approval(user=request.user)
    items, more = first_rows(qs, PANEL_ROWS)
    return {"items": items, "more": qs.count() - PANEL_ROWS if more else 0}


@register_panel(
    key="meetings.attendance",
    title=_("Attendance rate, last 10 briefings"),
    template="meetings/panels/attendance.html",
    roles=[Role.LEADER],
    permission="meetings.view_rollcall",
    order=14,
    # The last ten of a province's briefings, their invitations, roll calls and media intervals: 12 ms.
    cache_seconds=300,
    depends_on=["meetings.Meeting", "meetings.MeetingInvitation", "meetings.RollCall", "meetings.AttendanceInterval"],
)
def attendance(request: HttpRequest) -> dict[str, Any]:
    rates = sorted(selectors.attendance_rates(user=request.user, last_n=10), key=lambda r: (r.rate, r.unit.name))
    # The lowest first: who needs a call; the leaders' overview charts them all.
    return {"rates": rates[:PANEL_ROWS], "more": max(0, len(rates) - PANEL_ROWS)}


def _open_and_overdue(counts: list[Any]) -> dict[str, Any]:
    """The first ten rows of open/overdue counts (tasks per commune, proposals per office) and the totals."""
    return {
        "items": counts[:10],
        "more": max(0, len(counts) - 10),
        "open": sum(c.open for c in counts),
        "overdue": sum(c.overdue for c in counts),
    }


@register_panel(
    key="meetings.overdue_tasks",
    title=_("Open and overdue tasks per commune"),
    template="meetings/panels/tasks_per_unit.html",
    roles=[Role.LEADER],
    permission="meetings.view_minutestask",
    order=16,
)
def tasks_per_unit(request: HttpRequest) -> dict[str, Any]:
    return _open_and_overdue(selectors.task_counts_per_unit(user=request.user))


@register_panel(
    key="meetings.open_proposals",
    title=_("Communes' proposals awaiting an answer"),
    template="meetings/panels/proposals_per_office.html",
    roles=[Role.LEADER],
    permission="meetings.view_proposal",
    order=17,
)
def proposals_per_office(request: HttpRequest) -> dict[str, Any]:
    return _open_and_overdue(proposal_selectors.proposal_counts_per_office(user=request.user))


@register_panel(
    key="meetings.savings",
    title=_("What the network saved this year"),
    template="meetings/panels/savings.html",
    roles=[Role.LEADER],
    permission="meetings.view_rollcall",
    order=18,
    # A year of the province's briefings (about ten thousand invitations) takes a few hundred ms.
    cache_seconds=300,
    depends_on=savings_selectors.SAVINGS_MODELS,
)
def savings(request: HttpRequest) -> dict[str, Any]:
    """Three queries: the year's invitations with their roll calls, their sites, their meetings."""
    report = savings_selectors.savings_report(user=request.user)
    # What the panel shows, not the year's report: the cached context is read back on every visit
    # to the home page, and a province's year of briefings took 20 ms to unpickle.
    return {"total": report.total, "last": report.meetings[:3], "top": report.units[:5]}


@register_panel(
    key="meetings.my_commune",
    title=_("My commune's briefings and tasks"),
    template="meetings/panels/my_commune.html",
    roles=[Role.COMMUNE_OFFICER],
    permission="meetings.view_meetinginvitation",
    order=12,
)
def my_commune(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    invitations, more_invitations = first_rows(
        scope_queryset(MeetingInvitation.objects.all(), user)
        .filter(meeting__ends_at__gte=now, meeting__status__in=(Meeting.Status.SCHEDULED, Meeting.Status.LIVE))
        .select_related("meeting", "bridge_point")
        .order_by("meeting__starts_at", "pk"),
        PANEL_ROWS,
    )
    for invitation in invitations:
        invitation.state = selectors.delegation_state(invitation=invitation, now=now)
        invitation.state_label = selectors.DelegationState.LABELS[invitation.state]
        # Delegations close when the meeting starts: a started one is no longer asked to confirm.
        invitation.can_confirm = not selectors.meeting_has_started(meeting=invitation.meeting, now=now)
    tasks, more_tasks = first_rows(
        selectors.task_list_for_user(user=user).filter(status=MinutesTask.Status.OPEN).order_by("due_on", "pk"),
        PANEL_ROWS,
    )
    return {
        "invitations": invitations,
        "more_invitations": more_invitations,
        "tasks": tasks,
        "more_tasks": more_tasks,
        "today": timezone.localdate(),
    }


#
# District map
#


@register_status_provider("meetings.overdue_tasks", depends_on=["meetings.MinutesTask", "sites.Site"])
def overdue_tasks(site_ids: list[int]) -> dict[int, tuple[int, str]]:
    """
    Overdue tasks are set for a unit, so they mark the unit's People's Committee headquarters (where
    the commune answers for them); a unit without such a site marks all its sites.
    """
    today = timezone.localdate()
    overdue = dict(
        MinutesTask.objects.filter(status=MinutesTask.Status.OPEN, due_on__lt=today)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("unit_id", "n")
    )
    if not overdue:
        return {}
    sites = list(Site.objects.filter(pk__in=site_ids, unit_id__in=overdue).values_list("pk", "unit_id", "kind"))
    units_with_hq = {unit_id for _pk, unit_id, kind in sites if kind == "ubnd_hq"}
    found = {}
    for pk, unit_id, kind in sites:
        if unit_id in units_with_hq and kind != "ubnd_hq":
            continue
        n = overdue[unit_id]
        found[pk] = (Level.WARNING, ngettext("%(n)d overdue task", "%(n)d overdue tasks", n) % {"n": n})
    return found


#
# Site page
#

SITE_PAST_MEETINGS = 10
SITE_UPCOMING_MEETINGS = 5


def _site_meetings_context(site: Site, request: HttpRequest) -> dict[str, Any]:
    """Six queries whatever the site holds: bridge points, upcoming, past, roll calls, media, tasks."""
    user = request.user
    now = timezone.now()
    bp_ids = list(BridgePoint.objects.filter(room__site=site).values_list("pk", flat=True))
    at_site = Q(host_bridge_point_id__in=bp_ids) | Q(invitations__bridge_point_id__in=bp_ids)
    visible = selectors.meeting_list_for_user(user=user).exclude(status=Meeting.Status.CANCELLED)
    upcoming = list(visible.filter(at_site, ends_at__gte=now).distinct().order_by("starts_at")[:SITE_UPCOMING_MEETINGS])
    past = list(visible.filter(at_site, ends_at__lt=now).distinct().order_by("-starts_at")[:SITE_PAST_MEETINGS])
    past_ids = [m.pk for m in past]
    calls = defaultdict(list)
    for call in RollCall.objects.filter(meeting_id__in=past_ids, bridge_point_id__in=bp_ids):
        calls[call.meeting_id].append(call)
    seen = set(
        AttendanceInterval.objects.filter(
            meeting_id__in=past_ids,
            bridge_point_id__in=bp_ids,
            source=AttendanceInterval.Source.MEDIA,
        ).values_list("meeting_id", flat=True)
    )
    for meeting in past:
        meeting.site_calls = calls.get(meeting.pk, [])
        meeting.site_seen = meeting.pk in seen
        meeting.site_is_host = meeting.host_bridge_point_id in bp_ids
    tasks, more_tasks = first_rows(
        selectors.task_list_for_user(user=user)
        .filter(unit_id=site.unit_id, status=MinutesTask.Status.OPEN)
        .order_by("due_on", "pk"),
        PANEL_ROWS,
    )
    attended = sum(1 for m in past if any(c.status in ("present", "late") for c in m.site_calls) or m.site_seen)
    return {
        "upcoming": upcoming,
        "past": past,
        "attended": attended,
        "tasks": tasks,
        "more_tasks": more_tasks,
        "today": timezone.localdate(),
        "has_bridge_point": bool(bp_ids),
    }


register_site_section(
    SiteSection(
        key="meetings.meetings",
        title=_("Meetings and tasks"),
        template="meetings/site_section.html",
        order=60,
        permission="meetings.view_meeting",
        context=_site_meetings_context,
    )
)
