"""API shapes of bookings, recurring bookings, skipped dates and room policies. Writes go through
the booking services; the serializers only check the shape of the input."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from common.api import ScopedSerializerMixin
from common.exceptions import ApplicationError
from meetings.models import Booking, BookingSeries, RoomBookingPolicy, SkippedDate
from meetings.selectors.bookings import holidays_during
from meetings.services import bookings as services
from sites.models import Room


class BookingSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    """
    A booking. As on the booking page, a booking that falls on a public holiday (Tết, national days),
    or is moved onto one, is made only when the client says it means it (`confirm_holiday`); otherwise
    the answer is 400 naming the holidays, with them listed in `extra.holidays`.
    """

    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.filter(is_bookable=True))
    booked_by = serializers.StringRelatedField()
    # The page's path (relative: not a `uri`).
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    confirm_holiday = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Book it even though it falls on a public holiday. Without it, a booking on a public "
        "holiday is refused with 400 naming the holiday (extra.holidays lists each date and name).",
    )

    class Meta:
        model = Booking
        fields = (
            "id",
            "room",
            "title",
            "starts_at",
            "ends_at",
            "status",
            "booked_by",
            "notes",
            "series",
            "url",
            "confirm_holiday",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("status", "series")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        instance = self.instance
        starts_at = attrs.get("starts_at", instance.starts_at if instance else None)
        ends_at = attrs.get("ends_at", instance.ends_at if instance else None)
        moved = instance is None or (starts_at, ends_at) != (instance.starts_at, instance.ends_at)
        if starts_at and ends_at and starts_at < ends_at and moved and not attrs.get("confirm_holiday"):
            _refuse_holidays(holidays_during(starts_at=starts_at, ends_at=ends_at))
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Booking:
        validated_data.pop("confirm_holiday", None)
        return services.booking_create(**validated_data)

    def update(self, instance: Booking, validated_data: dict[str, Any]) -> Booking:
        validated_data.pop("confirm_holiday", None)
        return services.booking_update(booking=instance, **validated_data)


def _refuse_holidays(days_off: list[tuple[Any, str]]) -> None:
    """The page's holiday warning (meetings.forms.bookings.BookingForm) as an API error."""
    if not days_off:
        return
    names = "; ".join(f"{day:%d/%m/%Y} – {name}" for day, name in days_off)
    message = _("This is a public holiday (%(holidays)s). Send “confirm_holiday”: true to book it all the same.") % {
        "holidays": names
    }
    raise ApplicationError(
        message,
        extra={
            "fields": {"confirm_holiday": [message]},
            "holidays": [{"date": day.isoformat(), "name": name} for day, name in days_off],
        },
    )


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class SkippedDateSerializer(serializers.ModelSerializer):
    explanation = serializers.CharField(read_only=True)
    holiday_name = serializers.CharField(
        source="holiday_label",
        read_only=True,
        help_text="The public holiday's name in the language of the request; empty for a room conflict.",
    )

    class Meta:
        model = SkippedDate
        fields = (
            "id",
            "series",
            "date",
            "starts_at",
            "ends_at",
            "reason",
            "conflicting_booking",
            "holiday_name",
            "readded_booking",
            "explanation",
        )
        read_only_fields = fields


class BookingSeriesSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.filter(is_bookable=True))
    booked_by = serializers.StringRelatedField()
    booking_count = serializers.SerializerMethodField()
    skipped_dates = SkippedDateSerializer(many=True, read_only=True)

    class Meta:
        model = BookingSeries
        fields = (
            "id",
            "room",
            "title",
            "rrule",
            "first_date",
            "start_time",
            "end_time",
            "skip_holidays",
            "booked_by",
            "notes",
            "booking_count",
            "skipped_dates",
            "created_at",
        )

    def get_booking_count(self, series: BookingSeries) -> int:
        annotated = getattr(series, "active_booking_count", None)
        if annotated is not None:
            return annotated
        return series.bookings.filter(status__in=Booking.ACTIVE_STATUSES).count()

    def create(self, validated_data: dict[str, Any]) -> BookingSeries:
        return services.booking_series_create(**validated_data)


class RoomBookingPolicySerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = RoomBookingPolicy
        fields = (
            "id",
            "room",
            "max_duration_minutes",
            "max_days_ahead",
            "opens_at",
            "closes_at",
            "open_on_weekends",
            "approvers",
            "created_at",
            "updated_at",
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = self.instance or RoomBookingPolicy()
        opens = attrs.get("opens_at", instance.opens_at)
        closes = attrs.get("closes_at", instance.closes_at)
        if (opens is None) != (closes is None):
            raise serializers.ValidationError(
                {"closes_at": _("Give both the opening and the closing time, or neither.")}
            )
        if opens is not None and closes <= opens:
            raise serializers.ValidationError({"closes_at": _("A room must close after it opens.")})
        return attrs


class FreeSlotQuerySerializer(serializers.Serializer):
    duration_minutes = serializers.IntegerField(min_value=15, max_value=24 * 60)
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    site = serializers.IntegerField(required=False)
    room = serializers.ListField(child=serializers.IntegerField(), required=False)
    min_capacity = serializers.IntegerField(min_value=0, required=False, default=0)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"date_to": _("The end date is before the start date.")})
        if (attrs["date_to"] - attrs["date_from"]).days > 62:
            raise serializers.ValidationError({"date_to": _("Search at most two months at a time.")})
        return attrs


class FreeSlotSerializer(serializers.Serializer):
    room = serializers.IntegerField(source="room.pk")
    room_name = serializers.CharField(source="room.name")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    window_ends_at = serializers.DateTimeField(help_text=_("The end of the free window that starts at starts_at."))
