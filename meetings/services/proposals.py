"""
Communes' proposals (kiến nghị): recorded during a floor turn or after the briefing, assigned to a
district office with a due date, answered by that office. Recording one tells the office's members;
the answer tells the commune's officers and settles the office's request.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from common.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from common.scoping import ensure_in_scope, user_scope_unit_ids
from meetings.models import AgendaItem, DistrictOffice, FloorTurn, Meeting, Proposal
from meetings.services.notices import _officers_by_unit
from notifications.choices import NotificationKind
from notifications.services import notification_mark_done, notify
from sites.models import AdministrativeUnit, BridgePoint

if TYPE_CHECKING:
    from accounts.models import User


def proposal_can_answer(*, user: User, proposal: Proposal) -> bool:
    """Members of the assigned office answer (an administrator too); it must still be open."""
    if not user.has_perm("meetings.answer_proposal"):
        return False
    return user.is_superuser or user.has_role(Role.ADMINISTRATOR) or proposal.office.members.filter(pk=user.pk).exists()


@transaction.atomic
def proposal_create(
    *,
    meeting: Meeting,
    unit: AdministrativeUnit,
    text: str,
    office: DistrictOffice,
    due_on: date,
    user: User,
    bridge_point: BridgePoint | None = None,
    agenda_item: AgendaItem | None = None,
    floor_turn: FloorTurn | None = None,
    meeting_offset_seconds: int | None = None,
) -> Proposal:
    """
    Record a commune's proposal. A commune officer records for their own commune only. A floor turn
    gives the bridge point, the agenda item and the time in the meeting when they are not given.
    """
    text = text.strip()
    if not text:
        raise ApplicationError(_("Write the proposal."))
    scope = user_scope_unit_ids(user)
    if scope is not None and unit.pk not in scope:
        raise PermissionDeniedError(_("You can record proposals for your own commune only."))
    if not office.is_active:
        raise ApplicationError(_("This office no longer takes proposals."))
    if due_on < timezone.localtime(meeting.starts_at).date():
        raise ApplicationError(_("A proposal cannot be due before the meeting where it was raised."))
    if floor_turn is not None:
        if floor_turn.meeting_id != meeting.pk:
            raise ApplicationError(_("This floor turn belongs to another meeting."))
        bridge_point = bridge_point or floor_turn.bridge_point
        agenda_item = agenda_item or floor_turn.agenda_item
        if meeting_offset_seconds is None and floor_turn.started_at is not None:
            meeting_offset_seconds = max(0, int((floor_turn.started_at - meeting.starts_at).total_seconds()))
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ApplicationError(_("This agenda item belongs to another meeting."))
    if bridge_point is not None and bridge_point.room.site.unit_id != unit.pk:
        raise ApplicationError(_("This bridge point is not the commune's."))
    proposal = Proposal(
        meeting=meeting,
        unit=unit,
        bridge_point=bridge_point,
        agenda_item=agenda_item,
        floor_turn=floor_turn,
        meeting_offset_seconds=meeting_offset_seconds,
        text=text,
        office=office,
        due_on=due_on,
        created_by=user,
    )
    proposal.full_clean()
    proposal.save()
    recipients = [m for m in office.members.filter(is_active=True) if m.pk != user.pk]
    if recipients:
        notify(
            recipients=recipients,
            kind=NotificationKind.PROPOSAL_TO_ANSWER,
            title=_("Proposal from %(unit)s to answer by %(due)s")
            % {"unit": unit.name, "due": due_on.strftime("%d/%m/%Y")},
            body=proposal.text,
            url=proposal.get_absolute_url(),
        )
    return proposal


@transaction.atomic
def proposal_answer(*, proposal: Proposal, user: User, answer: str) -> Proposal:
    """The assigned office answers; the commune's officers are told."""
    proposal = Proposal.objects.select_for_update().select_related("office", "unit").get(pk=proposal.pk)
    ensure_in_scope(user, proposal)
    if not proposal_can_answer(user=user, proposal=proposal):
        raise PermissionDeniedError(_("Only the assigned office answers this proposal."))
    if proposal.status != Proposal.Status.OPEN:
        raise ConflictError(_("This proposal is already answered."))
    answer = answer.strip()
    if not answer:
        raise ApplicationError(_("Write the answer."))
    proposal.status = Proposal.Status.ANSWERED
    proposal.answer = answer
    proposal.answered_at = timezone.now()
    proposal.answered_by = user
    proposal.save()
    notification_mark_done(kind=NotificationKind.PROPOSAL_TO_ANSWER, url=proposal.get_absolute_url())
    officers = _officers_by_unit([proposal.unit_id]).get(proposal.unit_id, [])
    if officers:
        notify(
            recipients=officers,
            kind=NotificationKind.PROPOSAL_ANSWERED,
            title=_("%(office)s answered the proposal of %(unit)s")
            % {"office": proposal.office, "unit": proposal.unit.name},
            body=answer,
            url=proposal.get_absolute_url(),
        )
    return proposal
