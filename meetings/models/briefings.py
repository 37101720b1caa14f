"""
The briefing side of a meeting: its agenda and documents, each invited site's delegation, the
organiser's roll call, the minutes with their versions, reusable text blocks and the tasks that
the conclusions give to communes.
"""

from __future__ import annotations

from pathlib import PurePath
from uuid import uuid4

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from common.exceptions import ApplicationError
from common.models import TimeStampedModel, acting_user_field
from common.scoping import ScopedQuerySet

__all__ = [
    "AgendaItem",
    "DelegationMember",
    "MeetingDocument",
    "Minutes",
    "MinutesTask",
    "RollCall",
    "TextBlock",
]


class AgendaItem(models.Model):
    """
    An item of a meeting's agenda (chương trình họp), in a tree: top-level items are numbered 1, 2, …
    and their children 1.1, 1.2, …. An item's own duration comes first; a parent's is its introduction,
    before its children (0 for a heading only), so a parent spans its own time plus its children's.
    """

    meeting = models.ForeignKey(
        "meetings.Meeting", verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent item"), on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    # "position" also means a job title (DelegationMember.position): the context tells them apart.
    position = models.PositiveSmallIntegerField(pgettext_lazy("order in a list", "position"), default=0)
    title = models.CharField(_("title"), max_length=300)
    presenter = models.CharField(_("presenter"), max_length=200, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("planned duration (minutes)"),
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(600)],
        help_text=_("For an item with sub-items: its introduction, before them (0 for none)."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ("meeting", "parent_id", "position", "pk")
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="%(app_label)s_%(class)s_not_own_parent",
                violation_error_message=_("An agenda item cannot be its own parent."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


def document_upload_to(instance: MeetingDocument, filename: str) -> str:
    # A random name: the original one is kept in `original_name` and never reaches the file system.
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"meetings/{instance.meeting_id}/documents/{uuid4().hex}{suffix}"


class MeetingDocument(TimeStampedModel):
    """A document (tài liệu họp) attached to a meeting: PDF, DOCX, XLSX or an image, checked by content."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "DOCX"
        XLSX = "xlsx", "XLSX"
        PNG = "png", "PNG"
        JPEG = "jpeg", "JPEG"

    meeting = models.ForeignKey(
        "meetings.Meeting", verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ("meeting", "title")
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")

    def __str__(self) -> str:
        return self.title


class DelegationMember(models.Model):
    """One person in an invited site's delegation (thành phần dự họp): name and position."""

    invitation = models.ForeignKey(
        "meetings.MeetingInvitation", verbose_name=_("invitation"), on_delete=models.CASCADE, related_name="members"
    )
    position_order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=120)
    position = models.CharField(_("position"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "invitation__bridge_point__room__site__unit"

    class Meta:
        ordering = ("invitation", "position_order", "pk")
        verbose_name = _("delegation member")
        verbose_name_plural = _("delegation members")

    def __str__(self) -> str:
        return f"{self.name} ({self.position})" if self.position else self.name


class RollCall(TimeStampedModel):
    """
    The organiser's roll call (điểm danh) of one invited site: present, late or absent, how many came
    and who, with a note. Present and late sites also get an `AttendanceInterval` with source
    `roll_call`, beside the intervals that media events write.
    """

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT = "absent", _("Absent")

    meeting = models.ForeignKey(
        "meetings.Meeting", verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="roll_calls"
    )
    bridge_point = models.ForeignKey(
        "sites.BridgePoint", verbose_name=_("bridge point"), on_delete=models.PROTECT, related_name="roll_calls"
    )
    status = models.CharField(_("status"), max_length=8, choices=Status)
    headcount = models.PositiveSmallIntegerField(_("headcount"), default=0)
    names = models.TextField(_("names"), blank=True, help_text=_("One person per line."))
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "bridge_point__room__site__unit"

    class Meta:
        ordering = ("meeting", "bridge_point__janus_display")
        verbose_name = _("roll call")
        verbose_name_plural = _("roll calls")
        constraints = [
            models.UniqueConstraint(fields=("meeting", "bridge_point"), name="%(app_label)s_%(class)s_unique"),
            models.CheckConstraint(
                condition=~Q(status="absent") | Q(headcount=0),
                name="%(app_label)s_%(class)s_absent_has_no_headcount",
                violation_error_message=_("An absent site has a headcount of zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bridge_point} – {self.get_status_display()}"


class TextBlock(TimeStampedModel):
    """A reusable text block (đoạn văn mẫu) that the organiser inserts into minutes."""

    title = models.CharField(_("title"), max_length=200, unique=True)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ("title",)
        verbose_name = _("text block")
        verbose_name_plural = _("text blocks")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:textblock_detail", args=[self.pk])


class Minutes(TimeStampedModel):
    """
    One version of a meeting's minutes (biên bản họp). A draft is edited, submitted for review and
    approved by a leader; an approved version never changes (the model and a database trigger both
    refuse). An amendment is a new version, with its reason, that goes through the same steps.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")

    meeting = models.ForeignKey(
        "meetings.Meeting", verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="minutes"
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self", verbose_name=_("amends"), on_delete=models.PROTECT, null=True, blank=True, related_name="amendment"
    )
    amendment_reason = models.TextField(_("reason for the amendment"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    # Decree 30/2020/NĐ-CP header and footer
    governing_body = models.CharField(_("governing body"), max_length=200, blank=True)
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    number = models.CharField(_("number and symbol"), max_length=64, blank=True, help_text=_("e.g. 15/BB-UBND"))
    place = models.CharField(_("place"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"))
    secretary = models.CharField(_("secretary"), max_length=200, blank=True)
    chair = models.CharField(_("chair"), max_length=200)
    recipients = models.TextField(_("recipients"), blank=True, help_text=_("One per line."))
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drafted by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = acting_user_field(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # The reviewer's last return to draft: shown on the draft and sent to the drafter.
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_by = acting_user_field(_("returned by"))
    return_reason = models.TextField(_("reason for the return"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ("meeting", "-version")
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        permissions = [("approve_minutes", _("Can approve minutes"))]
        constraints = [
            models.UniqueConstraint(fields=("meeting", "version"), name="%(app_label)s_%(class)s_unique_version"),
            models.CheckConstraint(
                condition=~Q(status="approved") | (Q(approved_at__isnull=False) & Q(approved_by__isnull=False)),
                name="%(app_label)s_%(class)s_approved_has_approver",
                violation_error_message=_("Approved minutes name their approver."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def get_absolute_url(self) -> str:
        return reverse("meetings:minutes_detail", args=[self.pk])

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def superseded_by(self) -> Minutes | None:
        """The approved amendment that replaces this approved version, if any (select_related "amendment")."""
        if self.status != self.Status.APPROVED:
            return None
        try:
            amendment = self.amendment
        except type(self).DoesNotExist:
            return None
        return amendment if amendment.status == self.Status.APPROVED else None

    @property
    def display_status(self) -> tuple[str, str]:
        """(badge key, label): an approved version replaced by an approved amendment reads "superseded"."""
        if self.superseded_by is not None:
            return "superseded", str(_("Superseded"))
        return self.status, str(self.get_status_display())

    @property
    def was_returned(self) -> bool:
        """A draft the reviewer sent back: its reason is shown until it is submitted again."""
        return self.status == self.Status.DRAFT and self.returned_at is not None

    def _stored_as_approved(self) -> bool:
        return bool(self.pk) and type(self).objects.filter(pk=self.pk, status=self.Status.APPROVED).exists()

    def save(self, *args: object, **kwargs: object) -> None:
        # Invariant: once stored as approved, a version is never written again.
        if self._stored_as_approved():
            raise ApplicationError(_("Approved minutes cannot be changed; amend them instead."))
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        if self._stored_as_approved():
            raise ApplicationError(_("Approved minutes cannot be deleted."))
        return super().delete(*args, **kwargs)


class MinutesTask(TimeStampedModel):
    """
    A task from the meeting's conclusions (kết luận, nhiệm vụ) assigned to a commune with a due date;
    open tasks are followed up at the next briefings until the commune reports them done.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    meeting = models.ForeignKey(
        "meetings.Meeting", verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="tasks"
    )
    unit = models.ForeignKey(
        "sites.AdministrativeUnit", verbose_name=_("assigned to"), on_delete=models.PROTECT, related_name="tasks"
    )
    title = models.CharField(_("task"), max_length=500)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.OPEN)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = acting_user_field(_("completed by"))
    completion_note = models.TextField(_("completion report"), blank=True)
    due_notified_on = models.DateField(
        _("due notice sent on"), null=True, blank=True, editable=False, help_text=_("The last reminder sent.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "unit"

    class Meta:
        ordering = ("status", "due_on", "pk")
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        permissions = [("complete_minutestask", _("Can report a task done"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(completed_at__isnull=False),
                name="%(app_label)s_%(class)s_done_has_time",
                violation_error_message=_("A done task has a completion time."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:minutestask_detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()
