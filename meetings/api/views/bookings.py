"""
REST API for bookings. CRUD goes through the booking services; every change of state is an
explicit action (`approve`, `reject`, `cancel`, `readd`). Bookings are never deleted: cancelling
keeps the record and its history.
"""

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer, IntegerField

from common.api import ScopedModelViewSet
from common.permissions import ModelPermissions
from meetings.api.serializers import bookings as s
from meetings.filtersets.bookings import (
    BookingFilterSet,
    BookingSeriesFilterSet,
    RoomBookingPolicyFilterSet,
    SkippedDateFilterSet,
)
from meetings.models import Booking, BookingSeries, RoomBookingPolicy, SkippedDate
from meetings.selectors import bookings as selectors
from meetings.services import bookings as services


class CanViewModel(ModelPermissions):
    """For actions whose real rule lives in the service (approver of the room, the booker): the role
    must see the model; the object must be in the user's units (404 otherwise)."""

    perms_map = {method: ["%(app_label)s.view_%(model_name)s"] for method in ModelPermissions.perms_map}


ACTION_PERMISSIONS = [CanViewModel]


_REFUSED = OpenApiResponse(
    description="Invalid input, a broken booking rule, or a date on a public holiday without "
    '`confirm_holiday: true`: `{"message", "extra"}`, the holidays in `extra.holidays` '
    '(each `{"date", "name"}`, named in the language of the request).'
)
_CONFLICT = OpenApiResponse(description="The room is already booked then: `extra.conflicting_booking`.")


@extend_schema_view(
    create=extend_schema(responses={201: s.BookingSerializer, 400: _REFUSED, 409: _CONFLICT}),
    update=extend_schema(responses={200: s.BookingSerializer, 400: _REFUSED, 409: _CONFLICT}),
    partial_update=extend_schema(responses={200: s.BookingSerializer, 400: _REFUSED, 409: _CONFLICT}),
)
class BookingViewSet(ScopedModelViewSet):
    queryset = Booking.objects.select_related("booked_by")
    serializer_class = s.BookingSerializer
    filterset_class = BookingFilterSet
    ordering_fields = ("starts_at", "ends_at", "title", "status")
    search_fields = ("title",)
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_permissions(self) -> list[Any]:
        if self.action in ("approve", "reject", "cancel", "free_slots", "awaiting_decision"):
            return [permission() for permission in ACTION_PERMISSIONS]
        return super().get_permissions()

    def perform_create(self, serializer: BaseSerializer) -> None:
        self._check_scope(serializer)
        serializer.save(booked_by=self.request.user)

    def perform_update(self, serializer: BaseSerializer) -> None:
        self._check_scope(serializer)
        serializer.save(user=self.request.user)

    def _decision(self, request: Request, service: Any) -> Response:
        data = s.DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = service(booking=self.get_object(), user=request.user, note=data.validated_data["note"])
        return Response(s.BookingSerializer(booking, context=self.get_serializer_context()).data)

    @extend_schema(request=s.DecisionSerializer, responses=s.BookingSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Confirm a tentative booking (approvers of the room only)."""
        return self._decision(request, services.booking_approve)

    @extend_schema(request=s.DecisionSerializer, responses=s.BookingSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Turn down a tentative booking (approvers of the room only)."""
        return self._decision(request, services.booking_reject)

    @extend_schema(request=s.DecisionSerializer, responses=s.BookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel a booking that has not ended (the booker or office staff)."""
        return self._decision(request, services.booking_cancel)

    @extend_schema(parameters=[s.FreeSlotQuerySerializer], responses=s.FreeSlotSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="free-slots", pagination_class=None)
    def free_slots(self, request: Request) -> Response:
        """Free slots of at least `duration_minutes` per room between two dates."""
        query = s.FreeSlotQuerySerializer(
            data={**request.query_params.dict(), "room": request.query_params.getlist("room")}
        )
        query.is_valid(raise_exception=True)
        data = query.validated_data
        found = selectors.free_slots(
            user=request.user,
            duration=timedelta(minutes=data["duration_minutes"]),
            date_from=data["date_from"],
            date_to=data["date_to"],
            site_id=data.get("site"),
            room_ids=data.get("room") or None,
            min_capacity=data["min_capacity"],
        )
        slots = [slot for _room, room_slots in found for slot in room_slots]
        return Response(s.FreeSlotSerializer(slots, many=True).data)

    @extend_schema(responses=s.BookingSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="awaiting-decision")
    def awaiting_decision(self, request: Request) -> Response:
        """Tentative bookings of the rooms I approve."""
        page = self.paginate_queryset(selectors.bookings_awaiting_decision(user=request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class BookingSeriesViewSet(ScopedModelViewSet):
    queryset = (
        BookingSeries.objects.select_related("booked_by")
        .prefetch_related("skipped_dates")
        .annotate(active_booking_count=Count("bookings", filter=Q(bookings__status__in=Booking.ACTIVE_STATUSES)))
        .order_by("-first_date", "title")
    )
    serializer_class = s.BookingSeriesSerializer
    filterset_class = BookingSeriesFilterSet
    ordering_fields = ("first_date", "title")
    # A rule is not edited in place: cancel the series and book a new one.
    http_method_names = ["get", "post", "head", "options"]

    def get_permissions(self) -> list[Any]:
        if self.action in ("approve", "cancel"):
            return [permission() for permission in ACTION_PERMISSIONS]
        return super().get_permissions()

    def perform_create(self, serializer: BaseSerializer) -> None:
        self._check_scope(serializer)
        serializer.save(booked_by=self.request.user)

    @extend_schema(request=None, responses=inline_serializer("SeriesCancelled", {"cancelled": IntegerField()}))
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel every booking of the series that has not started."""
        count = services.booking_series_cancel(series=self.get_object(), user=request.user)
        return Response({"cancelled": count})

    @extend_schema(request=None, responses=inline_serializer("SeriesApproved", {"approved": IntegerField()}))
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Confirm every tentative booking of the series (approvers of the room only)."""
        count = services.booking_series_approve(series=self.get_object(), user=request.user)
        return Response({"approved": count})


@extend_schema_view(create=extend_schema(exclude=True))  # POST only for `readd`; the schema said it could create
class SkippedDateViewSet(ScopedModelViewSet):
    queryset = SkippedDate.objects.select_related("conflicting_booking")
    serializer_class = s.SkippedDateSerializer
    filterset_class = SkippedDateFilterSet
    ordering_fields = ("date",)
    http_method_names = ["get", "post", "head", "options"]

    def get_permissions(self) -> list[Any]:
        if self.action == "readd":
            return [permission() for permission in ACTION_PERMISSIONS]
        return super().get_permissions()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise MethodNotAllowed("POST")

    @extend_schema(request=None, responses={201: s.BookingSerializer})
    @action(detail=True, methods=["post"])
    def readd(self, request: Request, pk: str | None = None) -> Response:
        """Book a skipped date after all, if the room is free now."""
        skipped = self.get_object()
        if not request.user.has_perm("meetings.add_booking"):
            raise PermissionDenied(_("You may not book rooms."))
        booking = services.skipped_date_readd(skipped=skipped, user=request.user)
        return Response(s.BookingSerializer(booking, context=self.get_serializer_context()).data, status=201)


class RoomBookingPolicyViewSet(ScopedModelViewSet):
    queryset = RoomBookingPolicy.objects.select_related("room").prefetch_related("approvers")
    serializer_class = s.RoomBookingPolicySerializer
    filterset_class = RoomBookingPolicyFilterSet
