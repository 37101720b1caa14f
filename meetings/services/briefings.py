"""
Write side of briefings. Every state change is one service here: create a meeting and invite
sites, agenda and documents, a site's delegation and its confirmation, roll call, the minutes'
draft → in review → approved life with amendments, and conclusion tasks.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from common.display import TIME_FORMAT, local_datetime
from common.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from common.scoping import ensure_in_scope
from meetings.models import (
    AgendaItem,
    AttendanceInterval,
    Booking,
    DelegationMember,
    Meeting,
    MeetingDocument,
    MeetingInvitation,
    Minutes,
    MinutesTask,
    RollCall,
)
from meetings.selectors.briefings import (
    agenda_rows,
    attendance_counts,
    attendance_sheet,
    floor_turns_by_agenda,
    meeting_has_started,
    minutes_latest,
)
from meetings.services import notices
from sites.models import AdministrativeUnit, BridgePoint

if TYPE_CHECKING:
    from collections.abc import Iterable

    from accounts.models import User

logger = logging.getLogger("portal.meetings")

#
# Meetings
#


def meeting_booking_create(*, user: User, room: Any, title: str, starts_at: datetime, ends_at: datetime) -> Booking:
    """
    Book the host room for a meeting, with the room's policy and the no-double-booking rule. A meeting
    may be entered after it was held (its minutes and attendance are recorded later), so a past time
    is accepted here.
    """
    from meetings.services.bookings import booking_create

    return booking_create(room=room, title=title, starts_at=starts_at, ends_at=ends_at, booked_by=user, allow_past=True)


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise ApplicationError(_("A meeting must end after it starts."))


@transaction.atomic
def meeting_create(
    *,
    user: User,
    title: str,
    chair: str,
    host_bridge_point: BridgePoint,
    starts_at: datetime,
    ends_at: datetime,
    invited: Iterable[BridgePoint] = (),
    book_room: bool = True,
    record: bool = True,
) -> Meeting:
    """Create a meeting on a new booking of the host room and invite the given bridge points."""
    _check_times(starts_at, ends_at)
    booking = (
        meeting_booking_create(
            user=user, room=host_bridge_point.room, title=title, starts_at=starts_at, ends_at=ends_at
        )
        if book_room
        else None
    )
    meeting = Meeting(
        title=title,
        chair=chair,
        host_bridge_point=host_bridge_point,
        starts_at=starts_at,
        ends_at=ends_at,
        organiser=user,
        booking=booking,
        record=record,
    )
    meeting.full_clean()
    meeting.save()
    meeting_invite(meeting=meeting, bridge_points=invited)
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, **fields: Any) -> Meeting:
    """Change title, chair, times or recording of a meeting that has not started; the booking follows."""
    # Judge "started" on the stored row, not on an instance a form may already have changed.
    if meeting_has_started(meeting=Meeting.objects.select_for_update().get(pk=meeting.pk)):
        raise ApplicationError(_("A meeting that has started cannot be rescheduled or renamed."))
    for name in ("title", "chair", "starts_at", "ends_at", "record"):
        if name in fields:
            setattr(meeting, name, fields[name])
    _check_times(meeting.starts_at, meeting.ends_at)
    meeting.full_clean()
    meeting.save()
    if meeting.booking_id:
        booking = meeting.booking
        booking.title, booking.starts_at, booking.ends_at = meeting.title, meeting.starts_at, meeting.ends_at
        booking.full_clean()
        booking.save()
    return meeting


@transaction.atomic
def meetings_close_past(*, now: datetime | None = None) -> int:
    """
    Close the meetings whose end has passed while they were still scheduled (never started in the
    live room): held (ENDED) when a roll call found a site present or late or minutes were started
    (a briefing held without the live room and recorded by hand), NOT_HELD otherwise. Then answer the
    requests to confirm delegations that can no longer be confirmed. Idempotent; beat runs it every
    five minutes (`meetings.tasks.meetings_close_past`). Returns the number of meetings closed.
    """
    now = now or timezone.now()
    past = list(
        Meeting.objects.select_for_update(skip_locked=True)
        .filter(status=Meeting.Status.SCHEDULED, ends_at__lte=now)
        .order_by("pk")
    )
    ids = [meeting.pk for meeting in past]
    held = set(
        RollCall.objects.filter(
            meeting_id__in=ids, status__in=(RollCall.Status.PRESENT, RollCall.Status.LATE)
        ).values_list("meeting_id", flat=True)
    ) | set(Minutes.objects.filter(meeting_id__in=ids).values_list("meeting_id", flat=True))
    for meeting in past:
        held_here = meeting.pk in held
        meeting.status = Meeting.Status.ENDED if held_here else Meeting.Status.NOT_HELD
        meeting._change_reason = "recorded as held" if held_here else "end passed, never started"
        meeting.save(update_fields=["status", "updated_at"])
    notices.delegation_requests_expire(now=now)
    return len(past)


def _mark_held(meeting: Meeting) -> None:
    """A meeting closed as not held that a roll call or minutes now record as held becomes ENDED."""
    if meeting.status == Meeting.Status.NOT_HELD:
        meeting.status = Meeting.Status.ENDED
        meeting._change_reason = "recorded as held"
        meeting.save(update_fields=["status", "updated_at"])


@transaction.atomic
def meeting_invite(*, meeting: Meeting, bridge_points: Iterable[BridgePoint]) -> list[MeetingInvitation]:
    """Invite bridge points (idempotent: already invited ones are skipped; the host is never invited)."""
    if meeting.status in Meeting.OVER_STATUSES:
        raise ApplicationError(_("Sites cannot be invited to a meeting that has ended or was cancelled."))
    existing = set(meeting.invitations.values_list("bridge_point_id", flat=True))
    created = []
    for bp in bridge_points:
        if bp.pk in existing or bp.pk == meeting.host_bridge_point_id:
            continue
        invitation = MeetingInvitation(meeting=meeting, bridge_point=bp)
        invitation.save()
        existing.add(bp.pk)
        created.append(invitation)
    notices.invitations_announce(invitations=created)
    return created


@transaction.atomic
def meeting_uninvite(*, invitation: MeetingInvitation) -> None:
    if meeting_has_started(meeting=invitation.meeting):
        raise ApplicationError(_("Invitations cannot be withdrawn once the meeting has started."))
    invitation.delete()


#
# Agenda
#


@transaction.atomic
def agenda_item_save(
    *,
    meeting: Meeting,
    title: str,
    duration_minutes: int,
    presenter: str = "",
    parent: AgendaItem | None = None,
    position: int | None = None,
    item: AgendaItem | None = None,
) -> AgendaItem:
    """Add an item (at the end of its level unless `position` is given) or change one."""
    if parent is not None and parent.meeting_id != meeting.pk:
        raise ApplicationError(_("The parent item belongs to another meeting."))
    if item is not None and parent is not None:
        ancestor: AgendaItem | None = parent
        while ancestor is not None:
            if ancestor.pk == item.pk:
                raise ApplicationError(_("An agenda item cannot be placed under itself."))
            ancestor = ancestor.parent
    item = item or AgendaItem(meeting=meeting)
    if position is None and item.pk is None:
        siblings = meeting.agenda_items.filter(parent=parent)
        position = (max(siblings.values_list("position", flat=True), default=0) or 0) + 1
    item.title, item.duration_minutes, item.presenter, item.parent = title, duration_minutes, presenter, parent
    if position is not None:
        item.position = position
    item.full_clean()
    item.save()
    return item


#
# Documents
#

# Allowed kinds, told apart by content, never by the name alone.
_EXTENSIONS = {
    MeetingDocument.Kind.PDF: {".pdf"},
    MeetingDocument.Kind.DOCX: {".docx"},
    MeetingDocument.Kind.XLSX: {".xlsx"},
    MeetingDocument.Kind.PNG: {".png"},
    MeetingDocument.Kind.JPEG: {".jpg", ".jpeg"},
}


def document_sniff(head: bytes, stream: Any) -> str | None:
    """The kind of a file from its bytes: PDF and image signatures, and the OOXML parts inside a zip."""
    if head.startswith(b"%PDF-"):
        return MeetingDocument.Kind.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return MeetingDocument.Kind.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return MeetingDocument.Kind.JPEG
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return MeetingDocument.Kind.DOCX
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return MeetingDocument.Kind.XLSX
    return None


def document_check(*, upload: UploadedFile) -> str:
    """Refuse a file that is too large or whose content is not an allowed kind matching its name."""
    limit = settings.BRIEFINGS_DOCUMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ApplicationError(
            _("The file is too large: at most %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
            {"field": "file"},
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = document_sniff(head, upload.file)
    upload.seek(0)
    if kind is None:
        raise ApplicationError(
            _("This type of file is not accepted: upload a PDF, DOCX, XLSX, PNG or JPEG file."), {"field": "file"}
        )
    suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if suffix not in _EXTENSIONS[kind]:
        raise ApplicationError(
            _("The file's content (%(kind)s) does not match its name %(name)s.")
            % {"kind": MeetingDocument.Kind(kind).label, "name": upload.name},
            {"field": "file"},
        )
    return kind


@transaction.atomic
def meeting_document_add(*, meeting: Meeting, user: User, upload: UploadedFile, title: str = "") -> MeetingDocument:
    kind = document_check(upload=upload)
    document = MeetingDocument(
        meeting=meeting,
        title=title or upload.name,
        original_name=upload.name[:255],
        kind=kind,
        size_bytes=upload.size,
        uploaded_by=user,
    )
    document.file.save(upload.name, upload, save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)  # no orphan file when the row is not written
        raise
    return document


@transaction.atomic
def meeting_document_delete(*, document: MeetingDocument) -> None:
    storage, name = document.file.storage, document.file.name
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))


#
# Delegations
#


def _check_delegation_open(invitation: MeetingInvitation) -> None:
    if meeting_has_started(meeting=invitation.meeting):
        raise ApplicationError(_("The meeting has started: the delegation can no longer be changed."))
    if invitation.meeting.status == Meeting.Status.CANCELLED:
        raise ApplicationError(_("The meeting was cancelled."))


@dataclass(frozen=True, slots=True)
class MemberData:
    name: str
    position: str = ""


@transaction.atomic
def delegation_update(
    *, invitation: MeetingInvitation, user: User, expected_headcount: int, members: list[MemberData]
) -> MeetingInvitation:
    """
    Replace a site's delegation. A change after confirming withdraws the confirmation: the organiser
    must see the list that was really confirmed.
    """
    invitation = MeetingInvitation.objects.select_for_update().select_related("meeting").get(pk=invitation.pk)
    ensure_in_scope(user, invitation)
    _check_delegation_open(invitation)
    if expected_headcount < len(members):
        raise ApplicationError(_("The expected headcount cannot be smaller than the number of names."))
    invitation.members.all().delete()
    DelegationMember.objects.bulk_create(
        DelegationMember(invitation=invitation, position_order=i, name=m.name.strip(), position=m.position.strip())
        for i, m in enumerate(members, start=1)
        if m.name.strip()
    )
    invitation.expected_headcount = expected_headcount
    invitation.confirmed_at = None
    invitation.confirmed_by = None
    invitation._change_reason = "delegation updated"
    invitation.save()
    return invitation


@transaction.atomic
def delegation_confirm(*, invitation: MeetingInvitation, user: User) -> MeetingInvitation:
    """The site confirms its delegation; after the 15-minute deadline it still counts, marked late."""
    invitation = MeetingInvitation.objects.select_for_update().select_related("meeting").get(pk=invitation.pk)
    ensure_in_scope(user, invitation)
    _check_delegation_open(invitation)
    if not invitation.members.exists():
        raise ApplicationError(_("Enter at least one member of the delegation before confirming."))
    invitation.confirmed_at = timezone.now()
    invitation.confirmed_by = user
    invitation._change_reason = "delegation confirmed"
    invitation.save()
    notices.delegation_settled(invitation=invitation)
    return invitation


#
# Roll call
#


@transaction.atomic
def roll_call_record(
    *,
    meeting: Meeting,
    bridge_point: BridgePoint,
    user: User,
    status: str,
    headcount: int = 0,
    names: str = "",
    note: str = "",
    arrived_at: datetime | None = None,
) -> RollCall:
    """
    Record (or correct) one site's roll call and keep its `roll_call` attendance interval in step:
    present sites joined at the start, late ones when they arrived, absent ones have none. The interval
    lies within the meeting's real time (`Meeting.held_period`); once the meeting is over it is closed at
    its real end. A late site on a meeting that is over arrived when given, else when media first saw it.
    """
    if meeting.status == Meeting.Status.CANCELLED:
        raise ApplicationError(_("The meeting was cancelled."))
    if not meeting.invitations.filter(bridge_point=bridge_point).exists():
        raise ApplicationError(_("%(site)s is not invited to this meeting.") % {"site": bridge_point})
    if status == RollCall.Status.ABSENT:
        headcount = 0
    elif headcount < 1:
        raise ApplicationError(_("A present or late site has a headcount of at least one."))
    start, end = meeting.held_period()
    joined = None
    if status == RollCall.Status.PRESENT:
        joined = start
    elif status == RollCall.Status.LATE:
        joined = arrived_at
        if joined is None and end is not None:
            joined = (
                AttendanceInterval.objects.filter(
                    meeting=meeting,
                    bridge_point=bridge_point,
                    source=AttendanceInterval.Source.MEDIA,
                    joined_at__gte=start,
                    joined_at__lte=end,
                )
                .order_by("joined_at")
                .values_list("joined_at", flat=True)
                .first()
            )
            if joined is None:
                raise ApplicationError(
                    _("The meeting is over: give the time %(site)s arrived.") % {"site": bridge_point}
                )
        joined = max(joined or timezone.now(), start)
        if end is not None and joined > end:
            raise ApplicationError(
                _("%(site)s cannot arrive after the meeting ended (%(end)s).")
                % {"site": bridge_point, "end": local_datetime(end, TIME_FORMAT)}
            )
    roll_call = RollCall.objects.filter(meeting=meeting, bridge_point=bridge_point).first() or RollCall(
        meeting=meeting, bridge_point=bridge_point
    )
    roll_call.status, roll_call.headcount, roll_call.names, roll_call.note = status, headcount, names.strip(), note
    roll_call.recorded_by = user
    roll_call.full_clean()
    roll_call.save()
    if status != RollCall.Status.ABSENT:
        _mark_held(meeting)

    intervals = AttendanceInterval.objects.filter(
        meeting=meeting, bridge_point=bridge_point, source=AttendanceInterval.Source.ROLL_CALL
    )
    if status == RollCall.Status.ABSENT:
        intervals.delete()
    else:
        interval = intervals.first() or AttendanceInterval(
            meeting=meeting, bridge_point=bridge_point, source=AttendanceInterval.Source.ROLL_CALL
        )
        interval.joined_at, interval.left_at, interval.note = joined, end, note[:255]
        interval.full_clean()
        interval.save()
    return roll_call


#
# Minutes
#


# The minutes are an administrative document in Vietnamese (Decree 30/2020/NĐ-CP), whatever the
# language of the user interface: the texts that go into the document itself are Vietnamese here.


def _issuing_bodies(meeting: Meeting) -> tuple[str, str]:
    """(governing body, issuing body) from the host's unit: 'UBND TỈNH QUẢNG NAM', 'ỦY BAN NHÂN DÂN HUYỆN …'."""
    unit = meeting.host_bridge_point.room.site.unit
    issuing = f"Ủy ban nhân dân {unit.name}".upper()
    governing = f"UBND {unit.parent.name}".upper() if unit.parent else ""
    return governing, issuing


def _place(meeting: Meeting) -> str:
    if settings.BRIEFINGS_MINUTES_PLACE:
        return settings.BRIEFINGS_MINUTES_PLACE
    name = meeting.host_bridge_point.room.site.unit.name
    for prefix in ("Huyện ", "Thị trấn ", "Xã ", "Tỉnh ", "Thành phố ", "Phường "):
        name = name.removeprefix(prefix)
    return name


def minutes_prefill_body(*, meeting: Meeting, user: User) -> str:
    """
    The draft text: time, place, chair, who attended (roll call), the agenda, and blanks to fill. The
    time is when the meeting really ran: the host's start and end in the live room when it was held
    there (`Meeting.held_period`), else the scheduled times; an end still unknown is left blank.
    """
    rows = attendance_sheet(user=user, meeting=meeting)
    start, end = meeting.held_period()
    return render_to_string(
        "meetings/briefings/minutes_prefill.txt",
        {
            "meeting": meeting,
            "agenda": agenda_rows(meeting=meeting),
            "speakers": floor_turns_by_agenda(meeting=meeting),
            "attendance": rows,
            "counts": attendance_counts(rows=rows),
            "start": timezone.localtime(start),
            "end": timezone.localtime(end) if end else None,
        },
    ).strip()


@transaction.atomic
def minutes_draft_create(*, meeting: Meeting, user: User) -> Minutes:
    """Start the minutes of a meeting, prefilled. A meeting has one line of versions; amend to change."""
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    if minutes_latest(meeting=meeting) is not None:
        raise ConflictError(_("This meeting already has minutes; edit the draft or amend the approved version."))
    governing, issuing = _issuing_bodies(meeting)
    minutes = Minutes(
        meeting=meeting,
        version=1,
        governing_body=governing,
        issuing_body=issuing,
        place=_place(meeting),
        title=meeting.title,
        body=minutes_prefill_body(meeting=meeting, user=user),
        chair=meeting.chair.split(" – ")[0].strip(),  # the name, without the position
        secretary=_vietnamese_name(user),
        drafted_by=user,
    )
    minutes.full_clean()
    minutes.save()
    _mark_held(meeting)
    return minutes


def _vietnamese_name(user: User) -> str:
    # Vietnamese order: family name first (the demo accounts keep it in last_name).
    return f"{user.last_name} {user.first_name}".strip() or user.username


MINUTES_EDITABLE_FIELDS = (
    "governing_body",
    "issuing_body",
    "number",
    "place",
    "title",
    "body",
    "secretary",
    "chair",
    "recipients",
)


def _locked(minutes: Minutes) -> Minutes:
    return Minutes.objects.select_for_update().get(pk=minutes.pk)


@transaction.atomic
def minutes_update(*, minutes: Minutes, user: User, **fields: Any) -> Minutes:
    """Edit a draft. Minutes in review go back to draft first; approved ones are amended, never edited."""
    minutes = _locked(minutes)
    if minutes.status == Minutes.Status.APPROVED:
        raise ConflictError(_("Approved minutes cannot be changed; amend them instead."))
    if minutes.status != Minutes.Status.DRAFT:
        raise ConflictError(_("These minutes are in review; they can be edited after being returned to draft."))
    for name in MINUTES_EDITABLE_FIELDS:
        if name in fields:
            setattr(minutes, name, fields[name])
    minutes.full_clean()
    minutes.save()
    return minutes


@transaction.atomic
def minutes_submit(*, minutes: Minutes, user: User) -> Minutes:
    minutes = _locked(minutes)
    if minutes.status != Minutes.Status.DRAFT:
        raise ConflictError(_("Only a draft can be submitted for review."))
    if not minutes.body.strip():
        raise ApplicationError(_("The minutes have no text."))
    minutes.status = Minutes.Status.IN_REVIEW
    minutes.submitted_at = timezone.now()
    minutes.save()
    notices.minutes_announce_review(minutes=minutes, submitted_by=user)
    notices.minutes_return_answered(minutes=minutes)
    return minutes


@transaction.atomic
def minutes_return(*, minutes: Minutes, user: User, reason: str) -> Minutes:
    """
    A reviewer sends the minutes back to draft with a reason: kept on the minutes (shown on the draft
    until it is submitted again) and in the change history, and sent to the drafter.
    """
    minutes = _locked(minutes)
    if minutes.status != Minutes.Status.IN_REVIEW:
        raise ConflictError(_("Only minutes in review can be returned to draft."))
    if not reason.strip():
        raise ApplicationError(_("Say why the minutes are returned."))
    minutes.status = Minutes.Status.DRAFT
    minutes.submitted_at = None
    minutes.returned_at = timezone.now()
    minutes.returned_by = user
    minutes.return_reason = reason.strip()
    minutes._change_reason = reason.strip()[:100]
    minutes.save()
    notices.minutes_review_settled(minutes=minutes)
    notices.minutes_returned_announce(minutes=minutes, returned_by=user)
    return minutes


def minutes_may_self_approve() -> bool:
    return settings.BRIEFINGS_MINUTES_SELF_APPROVAL


@transaction.atomic
def minutes_approve(*, minutes: Minutes, user: User) -> Minutes:
    """A leader approves minutes in review. Approving one's own draft is refused unless policy allows it."""
    minutes = _locked(minutes)
    if not user.has_perm("meetings.approve_minutes"):
        raise PermissionDeniedError(_("Only leaders approve minutes."))
    if minutes.status != Minutes.Status.IN_REVIEW:
        raise ConflictError(_("Only minutes in review can be approved."))
    if minutes.drafted_by_id == user.pk and not minutes_may_self_approve():
        raise PermissionDeniedError(_("You drafted these minutes; another leader must approve them."))
    minutes.status = Minutes.Status.APPROVED
    minutes.approved_by = user
    minutes.approved_at = timezone.now()
    minutes.save()
    notices.minutes_review_settled(minutes=minutes)
    minutes_id = minutes.pk
    transaction.on_commit(lambda: _minutes_pdf_prepare_later(minutes_id))
    return minutes


def _minutes_pdf_prepare_later(minutes_id: int) -> None:
    from meetings.tasks import minutes_pdf_prepare

    try:
        minutes_pdf_prepare.delay(minutes_id=minutes_id)
    except Exception:  # the broker is down: the first download makes the PDF instead
        logger.warning("could not queue the PDF of minutes %s", minutes_id, exc_info=True)


@transaction.atomic
def minutes_amend(*, minutes: Minutes, user: User, reason: str) -> Minutes:
    """Start a new version of approved minutes, as a draft copy, with the reason for the change."""
    minutes = _locked(minutes)
    if minutes.status != Minutes.Status.APPROVED:
        raise ConflictError(_("Only approved minutes are amended; edit the draft instead."))
    latest = minutes_latest(meeting=minutes.meeting)
    if latest is not None and latest.pk != minutes.pk:
        raise ConflictError(
            _("Version %(version)s already amends these minutes.") % {"version": latest.version},
        )
    if not reason.strip():
        raise ApplicationError(_("An amendment needs a reason."))
    amendment = Minutes(
        meeting=minutes.meeting,
        version=minutes.version + 1,
        previous=minutes,
        amendment_reason=reason.strip(),
        drafted_by=user,
        **{name: getattr(minutes, name) for name in MINUTES_EDITABLE_FIELDS},
    )
    amendment.full_clean()
    amendment.save()
    return amendment


#
# Tasks
#


@transaction.atomic
def task_create(*, meeting: Meeting, unit: AdministrativeUnit, title: str, due_on: date, user: User) -> MinutesTask:
    if not title.strip():
        raise ApplicationError(_("Describe the task."))
    if due_on < timezone.localtime(meeting.starts_at).date():
        raise ApplicationError(_("A task cannot be due before the meeting that set it."))
    task = MinutesTask(meeting=meeting, unit=unit, title=title.strip(), due_on=due_on, created_by=user)
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def task_complete(*, task: MinutesTask, user: User, note: str = "") -> MinutesTask:
    """The commune (or the office) reports a task done, with what was done."""
    task = MinutesTask.objects.select_for_update().get(pk=task.pk)
    ensure_in_scope(user, task)
    if task.status != MinutesTask.Status.OPEN:
        raise ConflictError(_("This task is already %(status)s.") % {"status": task.get_status_display()})
    task.status = MinutesTask.Status.DONE
    task.completed_at = timezone.now()
    task.completed_by = user
    task.completion_note = note.strip()
    task.save()
    return task


@transaction.atomic
def task_reopen(*, task: MinutesTask, user: User, reason: str) -> MinutesTask:
    task = MinutesTask.objects.select_for_update().get(pk=task.pk)
    if task.status != MinutesTask.Status.DONE:
        raise ConflictError(_("Only a done task can be reopened."))
    task.status, task.completed_at, task.completed_by = MinutesTask.Status.OPEN, None, None
    task._change_reason = reason.strip()[:100]
    task.save()
    return task


@transaction.atomic
def tasks_move_on_merge(*, sources: list[AdministrativeUnit], target: AdministrativeUnit, effective: date) -> int:
    """
    Units merged (sites.services.unit_merge): their open tasks are the successor's to finish. Done and
    cancelled tasks keep the unit they were reported by. Saved one by one so each keeps its history.
    """
    moved = 0
    open_tasks = MinutesTask.objects.select_for_update().filter(unit__in=sources, status=MinutesTask.Status.OPEN)
    for task in open_tasks:
        task.unit = target
        task._change_reason = _("Units merged on %(day)s") % {"day": effective.strftime("%d/%m/%Y")}
        task.save(update_fields=["unit", "updated_at"])
        moved += 1
    return moved


#
# Exports
#


def _vn_date(day: date) -> str:
    # Decree 30/2020: days below 10 and months below 3 get a leading zero.
    day_text = f"{day.day:02d}"
    month_text = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day_text} tháng {month_text} năm {day.year}"


def _paragraphs(body: str) -> list[dict[str, Any]]:
    """Blank-line separated paragraphs; short all-capital ones (I. THỜI GIAN …) are headings."""
    paragraphs = [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return [{"text": p, "heading": len(p) < 120 and p == p.upper() and "\n" not in p} for p in paragraphs]


def minutes_pdf_html(*, minutes: Minutes) -> str:
    """The HTML behind the PDF: Decree 30/2020/NĐ-CP layout; versions not yet approved are watermarked."""
    meeting = minutes.meeting
    day = timezone.localtime(minutes.approved_at or meeting.starts_at).date()
    return render_to_string(
        "meetings/briefings/minutes_pdf.html",
        {
            "minutes": minutes,
            "meeting": meeting,
            "paragraphs": _paragraphs(minutes.body),
            "tasks": meeting.tasks.select_related("unit").order_by("unit__name", "due_on"),
            "date_line": f"{minutes.place}, {_vn_date(day)}",
            "recipients": [r.strip() for r in minutes.recipients.splitlines() if r.strip()],
            "number": minutes.number or "\u00a0" * 6 + "/BB-UBND",
            "superseded_by": minutes.superseded_by,
            "font_dir": settings.BRIEFINGS_PDF_FONT_DIR,
        },
    )


# Raise when the PDF's template or fonts change, so that PDFs made before are made again.
# 2: task rows never split across pages and the signatures never stand alone; superseded versions say so.
MINUTES_PDF_LAYOUT = 2
MINUTES_PDF_CACHE_SECONDS = 30 * 24 * 3600


def _minutes_pdf_key(minutes: Minutes) -> str:
    """
    What the PDF shows, as a cache key: the minutes row, the meeting's start (the date line), its
    tasks (added, edited or removed after the approval, they show) and the approved amendment that
    supersedes it. A unit renamed later keeps the
    name the PDF was made with until the entry expires.
    """
    tasks = MinutesTask.objects.filter(meeting_id=minutes.meeting_id).aggregate(
        n=Count("pk"), changed=Max("updated_at")
    )
    changed = tasks["changed"].timestamp() if tasks["changed"] else 0
    superseded = minutes.superseded_by
    return (
        f"minutes-pdf:{MINUTES_PDF_LAYOUT}:{minutes.pk}:{minutes.updated_at.timestamp()}:"
        f"{minutes.meeting.starts_at.timestamp()}:{tasks['n']}:{changed}:{superseded.pk if superseded else ''}"
    )


def minutes_pdf(*, minutes: Minutes) -> bytes:
    """
    The minutes as PDF (WeasyPrint), in Liberation Serif read from BRIEFINGS_PDF_FONT_DIR. Making one
    takes about a second, so each is kept in the cache until what it shows changes; approval makes
    it ahead in the worker (`minutes_pdf_prepare`), so that the leaders' first download is instant.
    """
    key = _minutes_pdf_key(minutes)
    pdf = cache.get(key)
    if pdf is None:
        pdf = _minutes_pdf_render(minutes)
        cache.set(key, pdf, MINUTES_PDF_CACHE_SECONDS)
    return pdf


def _minutes_pdf_render(minutes: Minutes) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is made
    from weasyprint.text.fonts import FontConfiguration

    html = minutes_pdf_html(minutes=minutes)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=FontConfiguration())


def attendance_xlsx(*, meeting: Meeting, user: User) -> bytes:
    """The attendance sheet: delegation, roll call and media intervals per site."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from common.spreadsheets import safe_row

    rows = attendance_sheet(user=user, meeting=meeting)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Attendance")[:31]
    sheet.append(safe_row([meeting.title]))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y %H:%M")])
    sheet.append([])
    header = [
        _("Bridge point"),
        _("Unit"),
        _("Delegation"),
        _("Expected headcount"),
        _("Delegation members"),
        _("Roll call"),
        _("Headcount"),
        _("Names"),
        _("Note"),
        _("Media intervals"),
        _("Minutes connected"),
    ]
    sheet.append(safe_row(header))
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    from meetings.selectors.briefings import DelegationState

    for row in rows:
        inv = row.invitation
        rc = row.roll_call
        sheet.append(
            safe_row(
                [
                    str(inv.bridge_point),
                    inv.bridge_point.room.site.unit.name,
                    str(DelegationState.LABELS[row.state]),
                    inv.expected_headcount,
                    "\n".join(str(m) for m in inv.members.all()),
                    rc.get_status_display() if rc else "",
                    rc.headcount if rc else None,
                    rc.names if rc else "",
                    rc.note if rc else "",
                    "\n".join(
                        f"{timezone.localtime(i.joined_at):%H:%M}–"
                        + (f"{timezone.localtime(i.left_at):%H:%M}" if i.left_at else "")
                        for i in row.media_intervals
                    ),
                    row.media_minutes,
                ]
            )
        )
    for column, width in zip("ABCDEFGHIJK", (28, 22, 18, 10, 36, 12, 10, 30, 24, 18, 10), strict=True):
        sheet.column_dimensions[column].width = width
    for line in sheet.iter_rows(min_row=5):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
