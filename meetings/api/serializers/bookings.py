"""API shapes of bookings, recurring bookings, skipped dates and room policies. Writes go through
the booking services; the serializers only check the shape of the input."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from common.api import ScopedSerializerMixin
from meetings.models import Booking, BookingSeries, RoomBookingPolicy, SkippedDate
from meetings.services import bookings as services
from sites.models import Room


class BookingSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.filter(is_bookable=True))
    booked_by = serializers.StringRelatedField()
    # The page's path (relative: not a `uri`).
    url = serializers.CharField(source="get_absolute_url", read_only=True)

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
            "created_at",
            "updated_at",
        )
        read_only_fields = ("status", "series")

    def create(self, validated_data: dict[str, Any]) -> Booking:
        return services.booking_create(**validated_data)

    def update(self, instance: Booking, validated_data: dict[str, Any]) -> Booking:
        return services.booking_update(booking=instance, **validated_data)


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class SkippedDateSerializer(serializers.ModelSerializer):
    explanation = serializers.CharField(read_only=True)

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
