"""django-tables2 tables for the booking list pages."""

import django_tables2 as tables
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.templatetags.portal import badge
from meetings.models import Booking, BookingSeries, RoomBookingPolicy


class BaseTable(tables.Table):
    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}
        template_name = "django_tables2/bootstrap5.html"


class BookingTable(BaseTable):
    title = tables.Column(linkify=True)
    room = tables.Column(accessor="room__name", order_by=("room__name",), verbose_name=_("Room"))
    site = tables.Column(accessor="room__site__name", order_by=("room__site__name",), verbose_name=_("Site"))
    starts_at = tables.Column(verbose_name=_("When"))
    status = tables.Column()
    booked_by = tables.Column(order_by=("booked_by__username",))

    class Meta(BaseTable.Meta):
        model = Booking
        fields = ("title", "room", "site", "starts_at", "status", "booked_by")

    def render_starts_at(self, record: Booking) -> str:
        start, end = timezone.localtime(record.starts_at), timezone.localtime(record.ends_at)
        end_format = "H:i" if start.date() == end.date() else "d/m/Y H:i"
        return f"{date_filter(start, 'D d/m/Y H:i')}–{date_filter(end, end_format)}"

    def render_status(self, record: Booking) -> str:
        return badge(record.status, record.get_status_display())


class BookingSeriesTable(BaseTable):
    title = tables.Column(linkify=True)
    room = tables.Column(accessor="room__name", order_by=("room__name",), verbose_name=_("Room"))
    rrule = tables.Column(orderable=False, verbose_name=_("Repeats"))
    times = tables.Column(empty_values=(), orderable=False, verbose_name=_("Time"))

    class Meta(BaseTable.Meta):
        model = BookingSeries
        fields = ("title", "room", "first_date", "times", "rrule", "booked_by")

    def render_times(self, record: BookingSeries) -> str:
        return f"{record.start_time:%H:%M}–{record.end_time:%H:%M}"

    def render_rrule(self, record: BookingSeries) -> str:
        return record.rule_text


class RoomBookingPolicyTable(BaseTable):
    room = tables.Column(linkify=lambda record: record.get_absolute_url(), order_by=("room__name",))
    site = tables.Column(accessor="room__site__name", verbose_name=_("Site"), orderable=False)
    hours = tables.Column(empty_values=(), orderable=False, verbose_name=_("Opening hours"))

    class Meta(BaseTable.Meta):
        model = RoomBookingPolicy
        fields = ("room", "site", "max_duration_minutes", "max_days_ahead", "hours", "open_on_weekends")

    def render_hours(self, record: RoomBookingPolicy) -> str:
        if record.opens_at is None:
            return "—"
        return f"{record.opens_at:%H:%M}–{record.closes_at:%H:%M}"
