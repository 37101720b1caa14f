from django.utils.translation import gettext as _
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import ScopedModelViewSet
from common.api_views import ImportExportMixin
from sites import filtersets, imports, services
from sites.api import serializers as s
from sites.models import AdministrativeUnit, BridgePoint, Equipment, NetworkLink, Room, Site, SiteContact


class UnitViewSet(ImportExportMixin, ScopedModelViewSet):
    queryset = AdministrativeUnit.objects.all()
    serializer_class = s.UnitSerializer
    filterset_class = filtersets.UnitFilterSet
    import_spec = imports.UnitImportSpec
    ordering_fields = ("name", "code", "kind")

    def perform_destroy(self, instance: AdministrativeUnit) -> None:
        services.unit_check_deletable(unit=instance)
        instance.delete()

    @action(detail=False, methods=["post"], serializer_class=s.UnitMergeSerializer)
    def merge(self, request: Request) -> Response:
        """Merge two or more units into one from a date (administrators only)."""
        if not request.user.has_perm("sites.change_administrativeunit") or not request.user.has_perm(
            "sites.add_administrativeunit"
        ):
            raise PermissionDenied(_("Only administrators merge units."))
        data = s.UnitMergeSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        for unit in data.validated_data["sources"]:
            if not self.get_queryset().filter(pk=unit.pk).exists():
                raise PermissionDenied
        target = services.unit_merge(**data.validated_data)
        return Response(s.UnitSerializer(target, context={"request": request}).data, status=201)


class SiteViewSet(ImportExportMixin, ScopedModelViewSet):
    queryset = Site.objects.select_related("unit")
    serializer_class = s.SiteSerializer
    filterset_class = filtersets.SiteFilterSet
    import_spec = imports.SiteImportSpec
    ordering_fields = ("name", "code")


class SiteContactViewSet(ScopedModelViewSet):
    queryset = SiteContact.objects.all()
    serializer_class = s.SiteContactSerializer
    filterset_class = filtersets.SiteContactFilterSet


class RoomViewSet(ImportExportMixin, ScopedModelViewSet):
    queryset = Room.objects.select_related("bridge_point")
    serializer_class = s.RoomSerializer
    filterset_class = filtersets.RoomFilterSet
    import_spec = imports.RoomImportSpec
    ordering_fields = ("name", "code", "capacity")


class BridgePointViewSet(ScopedModelViewSet):
    queryset = BridgePoint.objects.select_related("room").prefetch_related("links")
    serializer_class = s.BridgePointSerializer
    filterset_class = filtersets.BridgePointFilterSet
    ordering_fields = ("code", "janus_display", "last_test_at")


class NetworkLinkViewSet(ScopedModelViewSet):
    queryset = NetworkLink.objects.all()
    serializer_class = s.NetworkLinkSerializer
    filterset_class = filtersets.NetworkLinkFilterSet


class EquipmentViewSet(ImportExportMixin, ScopedModelViewSet):
    queryset = Equipment.objects.all()
    serializer_class = s.EquipmentSerializer
    filterset_class = filtersets.EquipmentFilterSet
    import_spec = imports.EquipmentImportSpec
    ordering_fields = ("code", "kind", "status", "purchase_date", "warranty_end", "cost_vnd")
