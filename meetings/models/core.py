"""The core of the meetings app: a booking of a room, a meeting on it, its invited bridge points and
the attendance intervals that a person (roll call) or Janus media events fill."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.display import TIME_FORMAT, local_datetime
from common.models import ChoiceLabelsMixin, TimeStampedModel
from common.scoping import ScopedQuerySet


class Booking(TimeStampedModel):
    """A reservation of a meeting room or hall (đặt phòng) over a time range."""

    class Status(models.TextChoices):
        TENTATIVE = "tentative", _("Tentative")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    # Statuses that hold the room; the no-overlap rule applies to these only.
    ACTIVE_STATUSES = (Status.TENTATIVE, Status.CONFIRMED)

    room = models.ForeignKey("sites.Room", verbose_name=_("room"), on_delete=models.PROTECT, related_name="bookings")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.CONFIRMED)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("booked by"), on_delete=models.PROTECT, related_name="bookings"
    )
    notes = models.TextField(_("notes"), blank=True)
    series = models.ForeignKey(
        "meetings.BookingSeries",
        verbose_name=_("recurring booking"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "room__site__unit"

    class Meta:
        ordering = ("starts_at",)
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("A booking must end after it starts."),
            ),
        ]
        indexes = [models.Index(fields=("room", "starts_at", "ends_at"))]

    def __str__(self) -> str:
        return f"{self.title} ({self.room.name})"

    def get_absolute_url(self) -> str:
        return reverse("meetings:booking_detail", args=[self.pk])


class Meeting(TimeStampedModel):
    """
    An online briefing (giao ban trực tuyến) held from a host bridge point (điểm cầu chính) and joined
    by invited bridge points (điểm cầu thành phần), usually on a booking of the host room.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        LIVE = "live", _("Live")
        ENDED = "ended", _("Ended")
        # Its end passed and it was never started nor recorded as held (meetings_close_past).
        NOT_HELD = "not_held", _("Not held")
        CANCELLED = "cancelled", _("Cancelled")

    # Over: nothing more happens to a meeting in these statuses (no delegation, no invitation).
    OVER_STATUSES = (Status.ENDED, Status.NOT_HELD, Status.CANCELLED)

    title = models.CharField(_("title"), max_length=255)
    booking = models.OneToOneField(
        Booking, verbose_name=_("booking"), on_delete=models.PROTECT, null=True, blank=True, related_name="meeting"
    )
    host_bridge_point = models.ForeignKey(
        "sites.BridgePoint",
        verbose_name=_("host bridge point"),
        on_delete=models.PROTECT,
        related_name="hosted_meetings",
    )
    invited_bridge_points = models.ManyToManyField(
        "sites.BridgePoint",
        through="MeetingInvitation",
        related_name="meetings",
        verbose_name=_("invited bridge points"),
    )
    chair = models.CharField(_("chair"), max_length=200, help_text=_("Name and position of the person chairing."))
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="organised_meetings",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.SCHEDULED)
    # Recorded by Janus unless the host turns it off before the start (b21); turned off at the start
    # when the recordings' disk is too full and the host starts without recording.
    record = models.BooleanField(
        _("record the meeting"),
        default=True,
        help_text=_("The video room records every site; the archive page plays it after the meeting."),
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    # Scope is special: a commune sees meetings its bridge points are invited to (see selectors).
    unit_scope_lookup = "host_bridge_point__room__site__unit"

    class Meta:
        ordering = ("-starts_at",)
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("A meeting must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting_detail", args=[self.pk])

    def held_period(self, *, now: datetime | None = None) -> tuple[datetime, datetime | None]:
        """
        When the meeting really ran: from the host's start (else the scheduled start) to the host's end
        (else the scheduled end, for a meeting that ended or is past without being held live); the end is
        None while the meeting runs or is still to come. Reads the live room's audit (`live_actions`).
        """
        actions = dict(
            self.live_actions.filter(action__in=("start", "end"))
            .order_by("at")
            .values_list("action", "at")  # the latest of each wins: a restarted meeting's last start
        )
        start = actions.get("start", self.starts_at)
        if self.status == self.Status.LIVE:
            return start, None
        if self.status == self.Status.ENDED:
            return start, max(actions.get("end", self.ends_at), start)
        if self.ends_at <= (now or timezone.now()):
            return start, self.ends_at
        return start, None


class MeetingInvitation(TimeStampedModel):
    """One invited bridge point of a meeting; the delegation and its confirmation hang off it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    bridge_point = models.ForeignKey("sites.BridgePoint", on_delete=models.PROTECT, related_name="invitations")
    # The delegation (thành phần dự họp) the site sends; its members are `DelegationMember` rows.
    expected_headcount = models.PositiveSmallIntegerField(_("expected headcount"), default=0)
    confirmed_at = models.DateTimeField(_("delegation confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delegation confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "bridge_point__room__site__unit"

    class Meta:
        ordering = ("meeting", "bridge_point__janus_display")
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=("meeting", "bridge_point"), name="%(app_label)s_%(class)s_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} – {self.bridge_point}"


class FloorTurn(ChoiceLabelsMixin, models.Model):
    """
    A bridge point's turn to speak (lượt phát biểu) in a briefing: asked for with "Xin phát biểu" (or
    given by the chair unasked), given, then taken back. The minutes list the turns per agenda item.
    At most one turn of a meeting has the floor at a time.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SPEAKING = "speaking", _("Has the floor")
        DONE = "done", _("Spoke")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DECLINED = "declined", _("Declined")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="floor_turns")
    bridge_point = models.ForeignKey(
        "sites.BridgePoint", verbose_name=_("bridge point"), on_delete=models.PROTECT, related_name="floor_turns"
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        verbose_name=_("agenda item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="floor_turns",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.REQUESTED)
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "bridge_point__room__site__unit"

    class Meta:
        ordering = ("meeting", "requested_at", "started_at", "pk")
        verbose_name = _("floor turn")
        verbose_name_plural = _("floor turns")
        constraints = [
            models.UniqueConstraint(
                fields=("meeting",),
                condition=Q(status="speaking"),
                name="%(app_label)s_%(class)s_one_speaker",
                violation_error_message=_("Another site has the floor."),
            ),
            models.UniqueConstraint(
                fields=("meeting", "bridge_point"),
                condition=Q(status="requested"),
                name="%(app_label)s_%(class)s_one_request_per_site",
                violation_error_message=_("This site has already asked for the floor."),
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(started_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("A turn cannot end before it started."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bridge_point} ({self.get_status_display()})"


class AttendanceInterval(ChoiceLabelsMixin, models.Model):
    """
    A period during which a bridge point was in a meeting. Roll call (a person) and Janus media events
    (join/leave) both write intervals; `left_at` stays empty while the site is still in.
    """

    class Source(models.TextChoices):
        ROLL_CALL = "roll_call", _("Roll call")
        MEDIA = "media", _("Media events")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance_intervals")
    bridge_point = models.ForeignKey("sites.BridgePoint", on_delete=models.PROTECT, related_name="attendance_intervals")
    source = models.CharField(_("source"), max_length=16, choices=Source)
    joined_at = models.DateTimeField(_("joined at"))
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "bridge_point__room__site__unit"

    class Meta:
        ordering = ("meeting", "bridge_point", "joined_at")
        verbose_name = _("attendance interval")
        verbose_name_plural = _("attendance intervals")
        constraints = [
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(left_at__gte=F("joined_at")),
                name="%(app_label)s_%(class)s_left_after_joined",
                violation_error_message=_("A site cannot leave before it joined."),
            ),
        ]

    def __str__(self) -> str:
        left = local_datetime(self.left_at, TIME_FORMAT) if self.left_at else ""
        return f"{self.bridge_point} {local_datetime(self.joined_at, TIME_FORMAT)}–{left}"

    def clean(self) -> None:
        """Once the meeting is over, an interval is closed and lies within the time it really ran."""
        start, end = self.meeting.held_period()
        if end is None:
            return
        if self.left_at is None:
            raise ValidationError({"left_at": _("The meeting has ended: the interval must end too.")})
        if self.joined_at < start or self.left_at > end:
            raise ValidationError(
                _("An attendance interval must lie within the meeting's time (%(start)s–%(end)s).")
                % {"start": local_datetime(start, TIME_FORMAT), "end": local_datetime(end, TIME_FORMAT)}
            )
