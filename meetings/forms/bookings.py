"""Forms for booking a room (once or recurring), room policies and the free-slot search."""

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from common.views import ScopedModelForm
from meetings.models import Booking, BookingSeries, RoomBookingPolicy
from meetings.models.bookings import DAY_NAMES, RULE_DAYS
from meetings.selectors.bookings import holidays_during
from meetings.services import bookings as services
from sites.models import Site


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


def _bookable_rooms(field: forms.ModelChoiceField) -> None:
    field.queryset = field.queryset.filter(is_bookable=True).select_related("site")


class BookingForm(ScopedModelForm):
    """One booking. A date on a public holiday (Tết, national days) is booked only when the person ticks
    that they mean it: the box appears with the warning."""

    confirm_holiday = forms.BooleanField(
        label=_("Book it on the public holiday anyway"), required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = Booking
        fields = ("room", "title", "starts_at", "ends_at", "notes")
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    field_order = ("room", "title", "starts_at", "ends_at", "confirm_holiday", "notes")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bookable_rooms(self.fields["room"])
        self.holidays: list[tuple[date, str]] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("A booking must end after it starts."))
        elif starts_at and ends_at and self._moved(starts_at, ends_at):
            self._check_holidays(starts_at, ends_at, confirmed=data.get("confirm_holiday", False))
        return data

    def _moved(self, starts_at: Any, ends_at: Any) -> bool:
        return not self.instance.pk or (starts_at, ends_at) != (self.instance.starts_at, self.instance.ends_at)

    def _check_holidays(self, starts_at: Any, ends_at: Any, *, confirmed: bool) -> None:
        days_off = holidays_during(starts_at=starts_at, ends_at=ends_at)
        if not days_off:
            return
        field = self.fields["confirm_holiday"]
        field.widget = forms.CheckboxInput(attrs={"class": "form-check-input"})
        self.holidays = days_off
        if confirmed:
            return
        names = "; ".join(f"{day:%d/%m/%Y} – {name}" for day, name in days_off)
        self.add_error(
            "starts_at",
            _("This is a public holiday (%(holidays)s). Tick “%(confirm)s” to book it all the same.")
            % {"holidays": names, "confirm": field.label},
        )

    def _post_clean(self) -> None:
        # The service validates and saves; the model's own checks would run a second, racy overlap-free
        # validation here, so skip them (the CHECK constraint still guards the database).
        pass

    def save_with_services(self) -> Booking:
        data = self.cleaned_data
        if self.instance.pk:
            return services.booking_update(
                booking=self.instance,
                user=self.user,
                room=data["room"],
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                notes=data["notes"],
            )
        return services.booking_create(
            room=data["room"],
            title=data["title"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            notes=data["notes"],
            booked_by=self.user,
        )


WEEKDAYS = list(zip(RULE_DAYS, DAY_NAMES, strict=True))


class BookingSeriesForm(ScopedModelForm):
    """A recurring booking from simple choices (every N weeks on these days, until a date), or from an
    RRULE typed by hand."""

    frequency = forms.ChoiceField(
        label=_("Repeats"),
        choices=[("WEEKLY", _("Weekly")), ("DAILY", _("Daily")), ("MONTHLY", _("Monthly (same day of month)"))],
        initial="WEEKLY",
    )
    interval = forms.IntegerField(
        label=_("Every"), min_value=1, max_value=12, initial=1, help_text=_("weeks, days or months")
    )
    weekdays = forms.MultipleChoiceField(
        label=_("On"),
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a weekly booking; none ticked means the weekday of the first date."),
    )
    until = forms.DateField(label=_("Until"), required=False)
    count = forms.IntegerField(label=_("Or number of times"), min_value=1, required=False)
    rrule = forms.CharField(
        label=_("Recurrence rule (advanced)"),
        required=False,
        help_text=_("An RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=MO;COUNT=52; overrides the choices above."),
    )

    class Meta:
        model = BookingSeries
        fields = ("room", "title", "first_date", "start_time", "end_time", "skip_holidays", "notes")
        widgets = {"start_time": TimeInput(), "end_time": TimeInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    field_order = (
        "room",
        "title",
        "first_date",
        "start_time",
        "end_time",
        "frequency",
        "interval",
        "weekdays",
        "until",
        "count",
        "rrule",
        "skip_holidays",
        "notes",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bookable_rooms(self.fields["room"])
        self.fields["weekdays"].widget.attrs = {"class": "form-check-input"}
        self.fields["until"].widget.input_type = "date"
        self.fields["until"].widget.format = "%Y-%m-%d"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("A booking must end after it starts."))
        if data.get("rrule"):
            data["rrule"] = data["rrule"].strip()
            return data
        until, count = data.get("until"), data.get("count")
        if not until and not count:
            self.add_error("until", _("Give an end date or a number of times."))
            return data
        first: date | None = data.get("first_date")
        if until and first and until < first:
            self.add_error("until", _("The end date is before the first date."))
        parts = [f"FREQ={data.get('frequency', 'WEEKLY')}", f"INTERVAL={data.get('interval') or 1}"]
        if data.get("frequency") == "WEEKLY":
            days = data.get("weekdays") or ([WEEKDAYS[first.weekday()][0]] if first else [])
            parts.append("BYDAY=" + ",".join(days))
        parts.append(f"UNTIL={until:%Y%m%d}T235959" if until else f"COUNT={count}")
        data["rrule"] = ";".join(parts)
        return data

    def _post_clean(self) -> None:
        pass  # the service validates and saves

    def save_with_services(self) -> BookingSeries:
        data = self.cleaned_data
        return services.booking_series_create(
            room=data["room"],
            title=data["title"],
            rrule=data["rrule"],
            first_date=data["first_date"],
            start_time=data["start_time"],
            end_time=data["end_time"],
            skip_holidays=data["skip_holidays"],
            notes=data["notes"],
            booked_by=self.user,
        )


class RoomBookingPolicyForm(ScopedModelForm):
    class Meta:
        model = RoomBookingPolicy
        fields = (
            "room",
            "max_duration_minutes",
            "max_days_ahead",
            "opens_at",
            "closes_at",
            "open_on_weekends",
            "approvers",
        )
        widgets = {"opens_at": TimeInput(), "closes_at": TimeInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bookable_rooms(self.fields["room"])
        self.fields["approvers"].queryset = User.objects.filter(is_active=True).order_by("username")
        self.fields["approvers"].widget.attrs["size"] = 8


class FreeSlotForm(forms.Form):
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=15, max_value=24 * 60, initial=90)
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False)
    min_capacity = forms.IntegerField(label=_("At least (seats)"), min_value=0, required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.visible_to(user).filter(rooms__is_bookable=True).distinct()
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The end date is before the start date."))
            elif (end - start).days > 62:
                self.add_error("date_to", _("Search at most two months at a time."))
        return data


def default_free_slot_initial() -> dict[str, Any]:
    today = timezone.localdate()
    return {"duration_minutes": 90, "date_from": today, "date_to": today + timedelta(days=13)}
