"""django-filter sets for bookings, shared by the web lists and the API."""

from datetime import date, datetime, time, timedelta

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.filters import ColumnChoicesFilter
from meetings.models import Booking, BookingSeries, RoomBookingPolicy, SkippedDate
from sites.models import Room, Site

# The sites a booking can be at: those with a bookable room (a province has hundreds of sites without).
SITES_WITH_ROOMS = Site.objects.filter(Exists(Room.objects.filter(site=OuterRef("pk"), is_bookable=True)))


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


class BookingFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    room = django_filters.ModelChoiceFilter(queryset=Room.objects.filter(is_bookable=True), label=_("Room"))
    site = django_filters.ModelChoiceFilter(field_name="room__site", queryset=SITES_WITH_ROOMS, label=_("Site"))
    status = ColumnChoicesFilter(choices=Booking.Status.choices, label=_("Status"))
    series = django_filters.ModelChoiceFilter(queryset=BookingSeries.objects.all(), label=_("Recurring booking"))
    date_from = django_filters.DateFilter(method="filter_from", label=_("From (date)"))
    date_to = django_filters.DateFilter(method="filter_to", label=_("To (date)"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Booked by me"))

    class Meta:
        model = Booking
        fields = ("q", "room", "site", "status", "series", "date_from", "date_to", "mine")

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(notes__icontains=value)) if value else queryset

    def filter_from(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(ends_at__gt=_local_midnight(value))

    def filter_to(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(starts_at__lt=_local_midnight(value + timedelta(days=1)))

    def filter_mine(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        user = getattr(self.request, "user", None)
        if value is None or user is None:
            return queryset
        return queryset.filter(booked_by=user) if value else queryset.exclude(booked_by=user)


class BookingSeriesFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Search"))
    room = django_filters.ModelChoiceFilter(queryset=Room.objects.filter(is_bookable=True), label=_("Room"))

    class Meta:
        model = BookingSeries
        fields = ("q", "room")


class SkippedDateFilterSet(django_filters.FilterSet):
    readded = django_filters.BooleanFilter(
        field_name="readded_booking", lookup_expr="isnull", exclude=True, label=_("Added back")
    )

    class Meta:
        model = SkippedDate
        fields = ("series", "reason", "readded")


class RoomBookingPolicyFilterSet(django_filters.FilterSet):
    site = django_filters.ModelChoiceFilter(field_name="room__site", queryset=SITES_WITH_ROOMS, label=_("Site"))

    class Meta:
        model = RoomBookingPolicy
        fields = ("room", "site", "approvers")
