"""
Web pages for bookings: the day and week calendar of all rooms, free-slot search, booking list,
form and detail (with its history and the approve / reject / cancel buttons), recurring bookings
with their skipped dates, room policies and calendar feeds. Thin: the logic is in the services and
selectors.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View, generic

from common.exceptions import ApplicationError, ConflictError
from common.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ObjectViewMixin,
)
from meetings.filtersets.bookings import BookingFilterSet, BookingSeriesFilterSet, RoomBookingPolicyFilterSet
from meetings.forms.bookings import (
    BookingForm,
    BookingSeriesForm,
    FreeSlotForm,
    RoomBookingPolicyForm,
    default_free_slot_initial,
)
from meetings.models import Booking, BookingSeries, CalendarFeedToken, RoomBookingPolicy, SkippedDate
from meetings.selectors import bookings as selectors
from meetings.services import bookings as services
from meetings.tables.bookings import BookingSeriesTable, BookingTable, RoomBookingPolicyTable
from meetings.views.bookings_ics import bookings_ics
from sites.models import Room, Site

TEMPLATES = "meetings/bookings"


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return timezone.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _add_service_error(form: Any, exc: ApplicationError) -> None:
    """Put a service error next to the field it names, or above the form."""
    message: Any = exc.message
    conflict = exc.extra.get("conflicting_booking") if isinstance(exc, ConflictError) else None
    if conflict:
        url = reverse("meetings:booking_detail", args=[conflict["id"]])
        message = format_html('{} <a href="{}">{}</a>', exc.message, url, _("See that booking."))
    fields = [f for f in exc.extra.get("fields", []) if f in form.fields]
    form.add_error(fields[0] if fields else None, message)


#
# Bookings
#


class BookingListView(ObjectListView):
    model = Booking
    queryset = Booking.objects.select_related("room", "room__site", "booked_by")
    table_class = BookingTable
    filterset_class = BookingFilterSet


class BookingDetailView(ObjectDetailView):
    model = Booking
    queryset = Booking.objects.select_related("room", "room__site", "booked_by", "series")

    def get_template_names(self) -> list[str]:
        return [f"{TEMPLATES}/booking_detail.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        booking: Booking = self.object
        user = self.request.user
        active = booking.status in Booking.ACTIVE_STATUSES
        context.update(
            violations=services.policy_violations(
                policy=services.policy_for(booking.room), starts_at=booking.starts_at, ends_at=booking.ends_at
            ),
            can_decide=booking.status == Booking.Status.TENTATIVE
            and selectors.user_can_decide(user=user, room=booking.room),
            can_cancel=active
            and booking.ends_at > timezone.now()
            and services.user_can_cancel(user=user, booking=booking),
            can_edit=active and user.has_perm("meetings.change_booking"),
            readded_from=SkippedDate.objects.filter(readded_booking=booking).first(),
            holidays=selectors.holidays_during(starts_at=booking.starts_at, ends_at=booking.ends_at),
        )
        return context


class BookingEditView(ObjectEditView):
    model = Booking
    form_class = BookingForm
    template_name = f"{TEMPLATES}/booking_form.html"

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        # Links from the calendar and the free-slot search pass ?room=&starts_at=&ends_at=.
        for name in ("starts_at", "ends_at"):
            if name in self.request.GET:
                initial[name] = self.request.GET[name]
        return initial

    def form_valid(self, form: BookingForm) -> HttpResponse:
        try:
            self.object = form.save_with_services()
        except ApplicationError as exc:
            _add_service_error(form, exc)
            return self.form_invalid(form)
        if self.object.status == Booking.Status.TENTATIVE:
            messages.warning(
                self.request, _("Booked as tentative: it breaks a rule of the room and waits for its approver.")
            )
        else:
            messages.success(self.request, _("Booked and confirmed: %(object)s.") % {"object": self.object})
        if form.holidays:
            messages.info(
                self.request,
                _("Booked on a public holiday as you confirmed: %(holidays)s.")
                % {"holidays": "; ".join(name for _day, name in form.holidays)},
            )
        return HttpResponseRedirect(self.object.get_absolute_url())


def _back_to(request: HttpRequest, default: str) -> HttpResponse:
    """Where an action returns: the page it was taken from (`next`, e.g. the dashboard) or `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


class BookingActionView(ObjectViewMixin, View):
    """POST approve / reject / cancel; the service decides who may."""

    model = Booking
    services = {
        "approve": (services.booking_approve, _("Booking approved.")),
        "reject": (services.booking_reject, _("Booking rejected.")),
        "cancel": (services.booking_cancel, _("Booking cancelled.")),
    }

    def post(self, request: HttpRequest, pk: int, verb: str) -> HttpResponse:
        if verb not in self.services:
            raise Http404
        booking = get_object_or_404(self.get_queryset(), pk=pk)
        service, done = self.services[verb]
        try:
            service(booking=booking, user=request.user, note=request.POST.get("note", "")[:100])
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
        return _back_to(request, booking.get_absolute_url())


class BookingIcsView(ObjectViewMixin, View):
    """Download one booking as an .ics file."""

    model = Booking

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        booking = get_object_or_404(self.get_queryset().select_related("room", "room__site"), pk=pk)
        body = bookings_ics([booking], name=booking.title, host=request.get_host())
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="booking-{booking.pk}.ics"'
        return response


#
# Calendar and free slots
#


class CalendarView(ObjectViewMixin, View):
    """Day or week of every bookable room the user may see (`?view=day|week&date=&site=`)."""

    model = Booking
    template_name = f"{TEMPLATES}/calendar.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        view = "day" if request.GET.get("view") == "day" else "week"
        day = _parse_date(request.GET.get("date")) or timezone.localdate()
        start = day if view == "day" else day - timedelta(days=day.weekday())
        length = 1 if view == "day" else 7
        site_id = request.GET.get("site")
        site_id = int(site_id) if site_id and site_id.isdigit() else None
        grid = selectors.calendar(
            user=request.user, start=start, days=length, site_id=site_id, page=request.GET.get("page")
        )
        step = timedelta(days=length)
        return render(
            request,
            self.template_name,
            {
                "grid": grid,
                "view": view,
                "day": day,
                "start": start,
                "end": start + timedelta(days=length - 1),
                "prev": start - step,
                "next": start + step,
                "today": timezone.localdate(),
                "site_id": site_id,
                "sites": Site.objects.visible_to(request.user).filter(rooms__is_bookable=True).distinct(),
                "can_add": request.user.has_perm("meetings.add_booking"),
            },
        )


class FreeSlotView(ObjectViewMixin, View):
    """Given a duration and dates, propose free slots per room."""

    model = Booking
    template_name = f"{TEMPLATES}/free_slots.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        bound = "duration_minutes" in request.GET
        form = FreeSlotForm(request.GET if bound else None, initial=default_free_slot_initial(), user=request.user)
        results = None
        if bound and form.is_valid():
            data = form.cleaned_data
            results = selectors.free_slots(
                user=request.user,
                duration=timedelta(minutes=data["duration_minutes"]),
                date_from=data["date_from"],
                date_to=data["date_to"],
                site_id=data["site"].pk if data["site"] else None,
                min_capacity=data["min_capacity"] or 0,
            )
        return render(
            request,
            self.template_name,
            {"form": form, "results": results, "can_add": request.user.has_perm("meetings.add_booking")},
        )


#
# Recurring bookings
#


class BookingSeriesListView(ObjectListView):
    model = BookingSeries
    queryset = BookingSeries.objects.select_related("room", "booked_by")
    table_class = BookingSeriesTable
    filterset_class = BookingSeriesFilterSet


class BookingSeriesDetailView(ObjectDetailView):
    model = BookingSeries
    queryset = BookingSeries.objects.select_related("room", "room__site", "booked_by").prefetch_related(
        Prefetch("bookings", queryset=Booking.objects.order_by("starts_at")),
        Prefetch(
            "skipped_dates",
            queryset=SkippedDate.objects.select_related(
                "conflicting_booking", "conflicting_booking__room", "readded_booking"
            ),
        ),
    )

    def get_template_names(self) -> list[str]:
        return [f"{TEMPLATES}/bookingseries_detail.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        series: BookingSeries = self.object
        bookings = list(series.bookings.all())
        user = self.request.user
        context.update(
            bookings=bookings,
            counts={
                status: sum(1 for b in bookings if b.status == status) for status, _label in Booking.Status.choices
            },
            skipped=list(series.skipped_dates.all()),
            can_readd=user.has_perm("meetings.add_booking"),
            can_decide=selectors.user_can_decide(user=user, room=series.room),
            can_cancel=series.booked_by_id == user.pk or user.has_perm("meetings.change_booking"),
            now=timezone.now(),
        )
        return context


class BookingSeriesAddView(ObjectEditView):
    model = BookingSeries
    form_class = BookingSeriesForm
    template_name = f"{TEMPLATES}/booking_form.html"

    def form_valid(self, form: BookingSeriesForm) -> HttpResponse:
        try:
            self.object = form.save_with_services()
        except ApplicationError as exc:
            _add_service_error(form, exc)
            return self.form_invalid(form)
        booked = self.object.bookings.count()
        skipped = self.object.skipped_dates.count()
        messages.success(
            self.request,
            _("Booked %(booked)d dates; %(skipped)d skipped (listed below with the reason).")
            % {"booked": booked, "skipped": skipped},
        )
        return HttpResponseRedirect(self.object.get_absolute_url())


class BookingSeriesActionView(ObjectViewMixin, View):
    model = BookingSeries

    def post(self, request: HttpRequest, pk: int, verb: str) -> HttpResponse:
        series = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            if verb == "cancel":
                count = services.booking_series_cancel(series=series, user=request.user)
                messages.success(request, _("Cancelled %(count)d upcoming bookings.") % {"count": count})
            elif verb == "approve":
                count = services.booking_series_approve(series=series, user=request.user)
                messages.success(request, _("Approved %(count)d bookings.") % {"count": count})
            else:
                raise Http404
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return _back_to(request, series.get_absolute_url())


class SkippedDateReaddView(ObjectViewMixin, View):
    """Book a skipped date after all."""

    model = SkippedDate

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        skipped = get_object_or_404(self.get_queryset().select_related("series"), pk=pk)
        if not request.user.has_perm("meetings.add_booking"):
            raise PermissionDenied
        try:
            booking = services.skipped_date_readd(skipped=skipped, user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Added back: %(booking)s.") % {"booking": booking})
        return redirect(skipped.series.get_absolute_url())


#
# Room policies
#


class RoomBookingPolicyListView(ObjectListView):
    model = RoomBookingPolicy
    queryset = RoomBookingPolicy.objects.select_related("room", "room__site")
    table_class = RoomBookingPolicyTable
    filterset_class = RoomBookingPolicyFilterSet


class RoomBookingPolicyDetailView(ObjectDetailView):
    model = RoomBookingPolicy
    queryset = RoomBookingPolicy.objects.select_related("room", "room__site").prefetch_related("approvers")

    def get_template_names(self) -> list[str]:
        return [f"{TEMPLATES}/roombookingpolicy_detail.html"]


class RoomBookingPolicyEditView(ObjectEditView):
    model = RoomBookingPolicy
    form_class = RoomBookingPolicyForm


class RoomBookingPolicyDeleteView(ObjectDeleteView):
    model = RoomBookingPolicy


#
# Calendar feeds
#


class CalendarFeedsView(LoginRequiredMixin, generic.TemplateView):
    """My subscription links (mine and per room); POST makes a new key and retires the old links."""

    template_name = f"{TEMPLATES}/feeds.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not request.user.has_perm("meetings.view_booking"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest) -> HttpResponse:
        services.calendar_token_reset(user=request.user)
        messages.success(request, _("New links made; calendars that used the old ones no longer update."))
        return redirect("meetings:booking_feeds")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        token = services.calendar_token_get_or_create(user=self.request.user)
        rooms = selectors.bookable_rooms(user=self.request.user)
        context.update(
            mine_url=self.request.build_absolute_uri(reverse("meetings:booking_feed_mine", args=[token.key])),
            rooms=[
                (
                    room,
                    self.request.build_absolute_uri(reverse("meetings:booking_feed_room", args=[token.key, room.pk])),
                )
                for room in rooms
            ],
        )
        return context


def _feed_user(key: str) -> Any:
    token = CalendarFeedToken.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active or not token.user.has_perm("meetings.view_booking"):
        raise Http404
    return token.user


def _ics_response(body: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def feed_mine(request: HttpRequest, key: str) -> HttpResponse:
    """A person's bookings (and those of rooms they approve), for calendar apps; the key is the login."""
    user = _feed_user(key)
    bookings = selectors.feed_bookings_for_user(user=user)
    return _ics_response(bookings_ics(bookings, name=_("My room bookings"), host=request.get_host()))


def feed_room(request: HttpRequest, key: str, room_id: int) -> HttpResponse:
    """One room's bookings, for calendar apps; only rooms the key's owner may see."""
    user = _feed_user(key)
    room = Room.objects.visible_to(user).select_related("site").filter(pk=room_id).first()
    if room is None:
        raise Http404
    bookings = selectors.feed_bookings_for_room(user=user, room=room)
    return _ics_response(bookings_ics(bookings, name=f"{room.name} – {room.site.name}", host=request.get_host()))
