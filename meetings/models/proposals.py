"""
Communes' proposals (kiến nghị): what a commune asks of the district during a briefing (on its floor
turn or afterwards), assigned to a district office (phòng chuyên môn) with a due date and answered
by it. Open and late proposals are followed up at the next briefings, like tasks.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from common.models import TimeStampedModel, acting_user_field
from common.scoping import ScopedQuerySet

__all__ = ["DistrictOffice", "Proposal"]


class DistrictOffice(TimeStampedModel):
    """
    A district office (phòng chuyên môn, e.g. "Phòng TC-KH"), the name agenda presenters carry; its
    members are the district's office staff who answer the proposals assigned to it.
    """

    district = models.ForeignKey(
        "sites.AdministrativeUnit", verbose_name=_("district"), on_delete=models.PROTECT, related_name="offices"
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, help_text=_("e.g. Phòng TC-KH"))
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="district_offices"
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ("short_name",)
        verbose_name = _("district office")
        verbose_name_plural = _("district offices")
        constraints = [
            models.UniqueConstraint(fields=("district", "short_name"), name="%(app_label)s_%(class)s_unique_name"),
        ]

    def __str__(self) -> str:
        return self.short_name

    def get_absolute_url(self) -> str:
        return reverse("meetings:districtoffice_detail", args=[self.pk])


class Proposal(TimeStampedModel):
    """A commune's proposal (kiến nghị) raised at a briefing, assigned to a district office that answers it."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("proposal", "Open")
        ANSWERED = "answered", _("Answered")

    meeting = models.ForeignKey(
        "meetings.Meeting", verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="proposals"
    )
    unit = models.ForeignKey(
        "sites.AdministrativeUnit", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="proposals"
    )
    bridge_point = models.ForeignKey(
        "sites.BridgePoint",
        verbose_name=_("bridge point"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        verbose_name=_("agenda item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
    )
    floor_turn = models.ForeignKey(
        "meetings.FloorTurn",
        verbose_name=_("floor turn"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
    )
    meeting_offset_seconds = models.PositiveIntegerField(
        _("time in the meeting (seconds)"),
        null=True,
        blank=True,
        help_text=_("When it was said, counted from the start of the meeting (and of its recording)."),
    )
    text = models.TextField(_("proposal"))
    office = models.ForeignKey(
        DistrictOffice, verbose_name=_("assigned office"), on_delete=models.PROTECT, related_name="proposals"
    )
    due_on = models.DateField(_("answer due on"))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = acting_user_field(_("answered by"))
    due_notified_on = models.DateField(
        _("due notice sent on"), null=True, blank=True, editable=False, help_text=_("The last reminder sent.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "unit"

    class Meta:
        ordering = ("status", "due_on", "pk")
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        permissions = [("answer_proposal", _("Can answer a proposal"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="answered") | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="%(app_label)s_%(class)s_answered_has_answer",
                violation_error_message=_("An answered proposal has its answer and time."),
            ),
        ]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    def get_absolute_url(self) -> str:
        return reverse("meetings:proposal_detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()

    @property
    def meeting_time_display(self) -> str:
        if self.meeting_offset_seconds is None:
            return ""
        minutes, seconds = divmod(self.meeting_offset_seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"
