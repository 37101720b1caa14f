"""
The meeting's archive (b21): what the archive page shows (the programme with its chapters, the files
of the sites the user may have, the gaps) and the retention of the recordings: how long each is kept,
the periodic expiry with its audit line, and the storage used per month for the administrator.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from common.scoping import user_scope_unit_ids
from live.models import LiveAction, Recording
from live.services.recording import file_delete
from meetings.models import FloorTurn, Meeting, Minutes
from meetings.selectors.briefings import agenda_rows

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


@dataclass
class Chapter:
    offset: float  # seconds into the programme
    title: str
    kind: str  # agenda / floor

    @property
    def clock(self) -> str:
        return clock(self.offset)


@dataclass
class Archive:
    meeting: Meeting
    programme: Recording | None
    sites: list[Recording] = field(default_factory=list)
    chapters: list[Chapter] = field(default_factory=list)
    expires_on: date | None = None


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600:d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def chapters(*, meeting: Meeting, start: datetime) -> list[Chapter]:
    """Each agenda item put on screen and each floor turn, as offsets into the programme, in order."""
    numbers = {row.item.title: row.number for row in agenda_rows(meeting=meeting)}
    found = []
    for at, title in (
        LiveAction.objects.filter(meeting=meeting, action=LiveAction.Action.AGENDA)
        .exclude(target="")
        .order_by("at")
        .values_list("at", "target")
    ):
        number = numbers.get(title)
        found.append(Chapter((at - start).total_seconds(), f"{number}. {title}" if number else title, "agenda"))
    for turn in (
        FloorTurn.objects.filter(meeting=meeting, started_at__isnull=False)
        .select_related("bridge_point")
        .order_by("started_at")
    ):
        name = turn.bridge_point.janus_display if turn.bridge_point else ""
        found.append(Chapter((turn.started_at - start).total_seconds(), _("Floor: %(site)s") % {"site": name}, "floor"))
    return sorted((c for c in found if c.offset >= -1), key=lambda c: c.offset)


def site_recordings_for(*, user: User, meeting: Meeting) -> list[Recording]:
    """The sites' own files the user may have: all for district users, their own unit's otherwise."""
    rows = Recording.objects.filter(meeting=meeting, kind=Recording.Kind.SITE).select_related("bridge_point")
    unit_ids = user_scope_unit_ids(user)
    if unit_ids is not None:
        rows = rows.filter(bridge_point__room__site__unit_id__in=unit_ids)
    return sorted(rows, key=lambda r: (r.bridge_point_id != meeting.host_bridge_point_id, r.bridge_point.janus_display))


def archive_for(*, user: User, meeting: Meeting) -> Archive:
    """The archive page of a meeting the caller has checked the user may see."""
    programme = Recording.objects.filter(meeting=meeting, kind=Recording.Kind.PROGRAMME).first()
    archive = Archive(meeting=meeting, programme=programme)
    if programme is None:
        return archive
    archive.expires_on = expires_on(meeting=meeting)
    if programme.status == Recording.Status.READY:
        archive.sites = site_recordings_for(user=user, meeting=meeting)
        archive.chapters = chapters(meeting=meeting, start=programme.started_at)
    return archive


def recording_for_user(*, user: User, meeting: Meeting, pk: int) -> Recording | None:
    """A READY file of the meeting that the user may have (the programme, or a site file in scope)."""
    row = Recording.objects.filter(meeting=meeting, pk=pk, status=Recording.Status.READY).first()
    if row is None or row.kind == Recording.Kind.PROGRAMME:
        return row
    return row if any(r.pk == row.pk for r in site_recordings_for(user=user, meeting=meeting)) else None


#
# Retention
#


def _approved(meeting_ref: Any) -> Exists:
    return Exists(Minutes.objects.filter(meeting=meeting_ref, status=Minutes.Status.APPROVED))


def expires_on(*, meeting: Meeting) -> date:
    """
    The day a meeting's recordings go: RECORDING_KEEP_DAYS after the meeting when its minutes were
    approved, RECORDING_UNAPPROVED_KEEP_DAYS otherwise (a draft's recording is only a working copy).
    """
    approved = Minutes.objects.filter(meeting=meeting, status=Minutes.Status.APPROVED).exists()
    days = settings.RECORDING_KEEP_DAYS if approved else settings.RECORDING_UNAPPROVED_KEEP_DAYS
    return timezone.localdate(meeting.starts_at) + timedelta(days=days)


def recordings_expire(*, now: datetime | None = None) -> int:
    """
    Delete the files of the recordings past their retention (see `expires_on`), keeping each row as
    DELETED, with one audit line per meeting in the live actions (shown in the audit log). Returns the
    number of files deleted. Idempotent; beat runs it daily (`live.tasks.recordings_expire`).
    """
    now = now or timezone.now()
    kept_to = now - timedelta(days=settings.RECORDING_KEEP_DAYS)
    draft_to = now - timedelta(days=settings.RECORDING_UNAPPROVED_KEEP_DAYS)
    expired = (
        Recording.objects.exclude(status=Recording.Status.DELETED)
        .annotate(approved=_approved(OuterRef("meeting")))
        .filter(Q(approved=True, meeting__starts_at__lt=kept_to) | Q(approved=False, meeting__starts_at__lt=draft_to))
        .select_related("meeting")
    )
    deleted = 0
    by_meeting: dict[int, list[Recording]] = defaultdict(list)
    for row in expired:
        by_meeting[row.meeting_id].append(row)
    for rows in by_meeting.values():
        meeting = rows[0].meeting
        with transaction.atomic():
            Recording.objects.filter(pk__in=[r.pk for r in rows]).update(
                status=Recording.Status.DELETED, deleted_at=now, updated_at=now
            )
            size = sum(r.size_bytes for r in rows)
            LiveAction.objects.create(
                meeting=meeting,
                action=LiveAction.Action.RECORDING_DELETED,
                target=(_("%(count)d files, %(size)d MB, retention ended") % {
                    "count": len(rows), "size": round(size / 1024**2)})[:120],
            )  # fmt: skip
            for row in rows:
                transaction.on_commit(lambda row=row: file_delete(row))
        deleted += len(rows)
        logger.info("retention: deleted %d recording files of meeting %s", len(rows), meeting.pk)
    return deleted


def storage_by_month(*, months: int = 24) -> list[dict[str, Any]]:
    """Recordings on disk per month of the meetings (newest first): files, bytes, hours."""
    return list(
        Recording.objects.exclude(status=Recording.Status.DELETED)
        .exclude(path="")
        .annotate(month=TruncMonth("meeting__starts_at"))
        .values("month")
        .annotate(files=Count("pk"), size=Sum("size_bytes"), seconds=Sum("duration_seconds"))
        .order_by("-month")[:months]
    )
