"""Read side of communes' proposals: lists scoped to the user, the follow-up at the next briefing, counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from common.scoping import scope_queryset
from meetings.models import Meeting, Proposal

if TYPE_CHECKING:
    from accounts.models import User


def proposal_list_for_user(*, user: User) -> QuerySet[Proposal]:
    """A commune officer sees its commune's proposals; district staff and leaders see all."""
    return scope_queryset(
        Proposal.objects.select_related("meeting", "unit", "office", "agenda_item", "answered_by"), user
    )


def proposals_open_before(*, user: User, meeting: Meeting) -> QuerySet[Proposal]:
    """Proposals still open from earlier meetings, for the communes invited to this one (the follow-up list)."""
    unit_ids = meeting.invitations.values("bridge_point__room__site__unit_id")
    return (
        proposal_list_for_user(user=user)
        .filter(status=Proposal.Status.OPEN, meeting__starts_at__lt=meeting.starts_at, unit_id__in=unit_ids)
        .order_by("due_on", "unit__name", "pk")
    )


@dataclass(frozen=True, slots=True)
class OfficeProposalCounts:
    office_id: int
    short_name: str
    open: int
    overdue: int


def proposal_counts_per_office(*, user: User, today: date | None = None) -> list[OfficeProposalCounts]:
    """Open and overdue proposals per office (one query)."""
    today = today or timezone.localdate()
    rows = (
        proposal_list_for_user(user=user)
        .filter(status=Proposal.Status.OPEN)
        .values("office_id", "office__short_name")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
        .order_by()
    )
    return sorted(
        (OfficeProposalCounts(r["office_id"], r["office__short_name"], r["open"], r["overdue"]) for r in rows),
        key=lambda c: (-c.overdue, -c.open, c.short_name),
    )
