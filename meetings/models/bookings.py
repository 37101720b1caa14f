"""
Booking rules and recurrence: a room's booking policy, recurring bookings (series) with the dates
they skipped, and the private tokens behind calendar (ICS) subscriptions.

The booking itself is `meetings.models.core.Booking`; no two active bookings of a room overlap
(an exclusion constraint on PostgreSQL, see migration 0002; a serialised check on SQLite).
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.text import get_text_list
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.models import ChoiceLabelsMixin, TimeStampedModel
from common.scoping import ScopedQuerySet

__all__ = ["BookingSeries", "CalendarFeedToken", "RoomBookingPolicy", "SkippedDate", "rule_in_words"]

# RFC 5545 day codes in the order of `date.weekday()`.
RULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)


def _rule_parts(rrule: str) -> dict[str, str]:
    parts = {}
    for part in rrule.strip().removeprefix("RRULE:").split(";"):
        name, _sep, value = part.partition("=")
        parts[name.strip().upper()] = value.strip().upper()
    return parts


def _rule_date(value: str) -> date | None:
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None


def rule_in_words(rrule: str, first_date: date) -> str | None:
    """
    A recurrence rule as people say it, in the active language ("Thứ Hai hằng tuần đến 01/03/2027",
    "Every Monday until 01/03/2027"); None for a rule too unusual to say (the page then shows the rule).
    """
    parts = _rule_parts(rrule)
    freq = parts.pop("FREQ", "")
    interval = parts.pop("INTERVAL", "1")
    until, count = parts.pop("UNTIL", ""), parts.pop("COUNT", "")
    byday = parts.pop("BYDAY", "")
    parts.pop("WKST", None)
    if parts or not interval.isdigit() or int(interval) < 1 or (count and not count.isdigit()):
        return None
    every = int(interval)
    if freq == "WEEKLY":
        codes = byday.split(",") if byday else [RULE_DAYS[first_date.weekday()]]
        if any(code not in RULE_DAYS for code in codes):
            return None
        days = get_text_list(
            [str(DAY_NAMES[RULE_DAYS.index(code)]) for code in sorted(set(codes), key=RULE_DAYS.index)],
            gettext("and"),
        )
        if every == 1:
            text = gettext("Every %(days)s") % {"days": days}
        else:
            text = gettext("Every %(n)d weeks on %(days)s") % {"n": every, "days": days}
    elif byday:
        return None
    elif freq == "DAILY":
        text = gettext("Every day") if every == 1 else gettext("Every %(n)d days") % {"n": every}
    elif freq == "MONTHLY":
        day = first_date.day
        text = (
            gettext("Monthly on day %(day)d") % {"day": day}
            if every == 1
            else gettext("Every %(n)d months on day %(day)d") % {"n": every, "day": day}
        )
    elif freq == "YEARLY" and every == 1:
        text = gettext("Every year on %(date)s") % {"date": first_date.strftime("%d/%m")}
    else:
        return None
    if until:
        end = _rule_date(until)
        if end is None:
            return None
        return gettext("%(rule)s until %(date)s") % {"rule": text, "date": end.strftime("%d/%m/%Y")}
    if count:
        return ngettext("%(rule)s, %(n)d time", "%(rule)s, %(n)d times", int(count)) % {"rule": text, "n": int(count)}
    return text


class RoomBookingPolicy(TimeStampedModel):
    """
    The booking rules of one room or hall (quy định đặt phòng). A booking that keeps to every rule is
    confirmed at once; one that breaks a rule (too long, too far ahead, outside opening hours or on a
    weekend) waits as tentative until one of the room's approvers decides. A room without a policy
    takes every free slot at once.
    """

    room = models.OneToOneField(
        "sites.Room", verbose_name=_("room"), on_delete=models.CASCADE, related_name="booking_policy"
    )
    max_duration_minutes = models.PositiveIntegerField(
        _("longest booking (minutes)"), null=True, blank=True, help_text=_("Empty means no limit.")
    )
    max_days_ahead = models.PositiveIntegerField(
        _("booking horizon (days)"),
        null=True,
        blank=True,
        help_text=_("How many days ahead a booking is confirmed without approval. Empty means no limit."),
    )
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    open_on_weekends = models.BooleanField(_("open on weekends"), default=False)
    approvers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approvers"),
        blank=True,
        related_name="approved_room_policies",
        help_text=_("People who approve or reject bookings that break a rule."),
    )
    history = HistoricalRecords(m2m_fields=[approvers])

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "room__site__unit"

    class Meta:
        ordering = ("room__site__name", "room__name")
        verbose_name = _("room booking policy")
        verbose_name_plural = _("room booking policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True) | Q(closes_at__gt=F("opens_at")),
                name="%(app_label)s_%(class)s_closes_after_opening",
                violation_error_message=_("A room must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True, closes_at__isnull=True)
                | Q(opens_at__isnull=False, closes_at__isnull=False),
                name="%(app_label)s_%(class)s_hours_both_or_none",
                violation_error_message=_("Give both the opening and the closing time, or neither."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Booking policy of %(room)s") % {"room": self.room.name})

    def get_absolute_url(self) -> str:
        return reverse("meetings:roombookingpolicy_detail", args=[self.pk])


class BookingSeries(TimeStampedModel):
    """
    A recurring booking (lịch họp định kỳ), such as the Monday briefing 07:30–09:00 every week for a
    year. `rrule` holds RFC 5545 recurrence rule parts (`FREQ=WEEKLY;BYDAY=MO;UNTIL=20271231`); it
    is expanded in local time from `first_date` at `start_time`, and every occurrence becomes a
    `Booking` stored as an aware instant. Dates that could not be booked are kept as `SkippedDate`.
    """

    room = models.ForeignKey(
        "sites.Room", verbose_name=_("room"), on_delete=models.PROTECT, related_name="booking_series"
    )
    title = models.CharField(_("title"), max_length=200)
    rrule = models.CharField(
        _("recurrence rule"), max_length=500, help_text=_("RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=52.")
    )
    first_date = models.DateField(_("first date"))
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    skip_holidays = models.BooleanField(_("skip public holidays"), default=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        on_delete=models.PROTECT,
        related_name="booking_series",
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "room__site__unit"

    class Meta:
        ordering = ("-first_date", "title")
        verbose_name = _("recurring booking")
        verbose_name_plural = _("recurring bookings")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("A booking must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.room.name})"

    def get_absolute_url(self) -> str:
        return reverse("meetings:bookingseries_detail", args=[self.pk])

    @property
    def rule_text(self) -> str:
        """The rule in words in the active language, or the rule itself when it is too unusual to say."""
        return rule_in_words(self.rrule, self.first_date) or self.rrule


class SkippedDate(ChoiceLabelsMixin, models.Model):
    """
    A date of a recurring booking that was not booked, and why: the room was taken by another booking
    or the day is a public holiday (ngày nghỉ lễ, e.g. Tết). Re-adding it later books that date and
    links the new booking here, so the record of the skip stays.
    """

    class Reason(models.TextChoices):
        CONFLICT = "conflict", _("Room already booked")
        HOLIDAY = "holiday", _("Public holiday")

    series = models.ForeignKey(
        BookingSeries, verbose_name=_("recurring booking"), on_delete=models.CASCADE, related_name="skipped_dates"
    )
    date = models.DateField(_("date"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason)
    conflicting_booking = models.ForeignKey(
        "meetings.Booking",
        verbose_name=_("conflicting booking"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    holiday_name = models.CharField(_("holiday"), max_length=120, blank=True)
    readded_booking = models.OneToOneField(
        "meetings.Booking",
        verbose_name=_("re-added as"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="readded_from",
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "series__room__site__unit"

    class Meta:
        ordering = ("series", "date")
        verbose_name = _("skipped date")
        verbose_name_plural = _("skipped dates")
        constraints = [
            models.UniqueConstraint(fields=("series", "date"), name="%(app_label)s_%(class)s_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.series.title} {self.date:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return self.series.get_absolute_url()

    @property
    def holiday_label(self) -> str:
        """The holiday's name in the active language; the stored name (the portal's language at the time
        of booking) when the holidays calendar no longer lists that day."""
        if self.reason != self.Reason.HOLIDAY:
            return ""
        from meetings.selectors.bookings import holiday_name  # the selectors import this module

        return holiday_name(self.date) or self.holiday_name

    @property
    def explanation(self) -> str:
        if self.reason == self.Reason.HOLIDAY:
            return str(_("Public holiday: %(name)s") % {"name": self.holiday_label})
        if self.conflicting_booking_id is None:
            return str(_("Room already booked (that booking was since removed)"))
        return str(_("Room already booked: %(booking)s") % {"booking": self.conflicting_booking})


class CalendarFeedToken(models.Model):
    """
    The private key in a person's calendar subscription links (ICS feeds). Calendar apps fetch the
    feeds without a session; the key only opens read-only feeds of bookings the person may see, and
    resetting it cuts off every app that used the old links.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="calendar_token"
    )
    key = models.CharField(_("key"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed key")
        verbose_name_plural = _("calendar feed keys")

    def __str__(self) -> str:
        return str(_("Calendar feed key of %(user)s") % {"user": self.user})
