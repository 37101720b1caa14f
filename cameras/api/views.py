"""REST API for cameras, recorders, alerts and coverage gaps: thin viewsets over services."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from cameras import filtersets, imports, selectors, services
from cameras.api import serializers as s
from cameras.models import Camera, CameraAlert, Recorder
from common.api import ScopedModelViewSet
from common.api_views import ImportExportMixin
from common.scoping import scope_queryset
from sites.models import Site


class RecorderViewSet(ImportExportMixin, ScopedModelViewSet):
    queryset = Recorder.objects.all()
    serializer_class = s.RecorderSerializer
    filterset_class = filtersets.RecorderFilterSet
    import_spec = imports.RecorderImportSpec
    ordering_fields = ("name", "code", "channels")


class CameraViewSet(ImportExportMixin, ScopedModelViewSet):
    """Camera inventory with health. `gaps/` lists coverage gaps, `summary/` the counts."""

    # The password column is never loaded for reading: lists do not decrypt anything, and
    # `has_password` comes from the database.
    queryset = Camera.objects.defer("password").annotate(
        password_is_set=ExpressionWrapper(~Q(password=""), output_field=BooleanField())
    )
    serializer_class = s.CameraSerializer
    filterset_class = filtersets.CameraFilterSet
    import_spec = imports.CameraImportSpec
    ordering_fields = ("code", "floor", "status", "health", "last_seen_at", "install_date", "cost_vnd")
    ordering = ("pk",)

    @extend_schema(responses=s.UptimeSerializer)
    @action(detail=True, methods=["get"])
    def uptime(self, request: Request, pk: str | None = None) -> Response:
        """Uptime % over 24 hours and 30 days, and the last 50 outages."""
        camera = self.get_object()
        data = {
            f"uptime_{key}": selectors.camera_uptimes(cameras=[camera], window=window)[camera.pk]
            for key, window in selectors.UPTIME_WINDOWS.items()
        }
        data["outages"] = camera.outages.all()[:50]
        return Response(s.UptimeSerializer(data).data)

    @extend_schema(
        parameters=[OpenApiParameter("by", str, enum=["site", "recorder"])],
        filters=False,
        # The totals (an object), or a list of rows with `?by=`.
        responses=PolymorphicProxySerializer(
            component_name="CameraSummary",
            serializers=[s.CameraCountsSerializer, s.CameraCountsSerializer(many=True)],
            resource_type_field_name=None,
            many=False,
        ),
    )
    @action(detail=False, methods=["get"])
    def summary(self, request: Request) -> Response:
        """Totals ("77 of 87 working"), and per site or per recorder with `?by=`."""
        by = request.query_params.get("by")
        if by in ("site", "recorder"):
            rows = selectors.camera_summary(user=request.user, by=by)
            return Response(s.CameraCountsSerializer(rows, many=True).data)
        return Response(s.CameraCountsSerializer(selectors.camera_totals(user=request.user)).data)

    @extend_schema(parameters=[s.CoverageGapQuerySerializer], responses=s.CoverageGapSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def gaps(self, request: Request) -> Response:
        """Coverage gaps of the key sites the user sees (`?site_id=` narrows them)."""
        sites = scope_queryset(Site.objects.all(), request.user)
        query = s.CoverageGapQuerySerializer(data={"site_id": request.query_params.getlist("site_id")})
        query.is_valid(raise_exception=True)
        wanted = query.validated_data["site_id"]
        if wanted:
            sites = sites.filter(pk__in=wanted)
        gaps = selectors.coverage_gaps(site_ids=sites.values_list("pk", flat=True))
        return Response(s.CoverageGapSerializer(gaps, many=True).data)


class CanAcknowledge(BasePermission):
    """Acknowledging changes the alert: the role needs `change_cameraalert` (technicians)."""

    message = _("Your role may not acknowledge alerts.")

    def has_permission(self, request: Request, view: object) -> bool:
        return bool(request.user.is_authenticated and request.user.has_perm("cameras.change_cameraalert"))


class CameraAlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Offline and recovery alerts, newest first; `acknowledge/` marks one as seen."""

    queryset = CameraAlert.objects.select_related("camera", "acknowledged_by")
    serializer_class = s.CameraAlertSerializer
    filterset_class = filtersets.CameraAlertFilterSet
    ordering_fields = ("created_at",)

    def get_queryset(self):
        return scope_queryset(super().get_queryset(), self.request.user)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], permission_classes=[CanAcknowledge])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        alert = services.alert_acknowledge(alert=self.get_object(), user=request.user)
        return Response(s.CameraAlertSerializer(alert).data)
