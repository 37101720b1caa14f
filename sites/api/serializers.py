from copy import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from common.api import ScopedSerializerMixin
from sites import services
from sites.models import AdministrativeUnit, BridgePoint, Equipment, NetworkLink, Room, Site, SiteContact


class UnitSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = AdministrativeUnit
        fields = (
            "id",
            "code",
            "name",
            "kind",
            "terrain",
            "parent",
            "established_on",
            "dissolved_on",
            "merged_into",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("dissolved_on", "merged_into")

    def create(self, validated_data: dict) -> AdministrativeUnit:
        return services.unit_save(unit=AdministrativeUnit(**validated_data))

    def update(self, instance: AdministrativeUnit, validated_data: dict) -> AdministrativeUnit:
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.unit_save(unit=instance)


class UnitMergeSerializer(serializers.Serializer):
    sources = serializers.PrimaryKeyRelatedField(queryset=AdministrativeUnit.objects.all(), many=True)
    code = serializers.SlugField(max_length=32)
    name = serializers.CharField(max_length=120)
    kind = serializers.CharField(max_length=16)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=AdministrativeUnit.objects.all(), required=False, allow_null=True
    )
    effective = serializers.DateField()
    terrain = serializers.CharField(max_length=16, required=False, allow_blank=True)


class SiteSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = (
            "id",
            "code",
            "name",
            "unit",
            "kind",
            "address",
            "latitude",
            "longitude",
            "terrain",
            "is_key_site",
            "phone",
            "email",
            "notes",
            "created_at",
            "updated_at",
        )

    def create(self, validated_data: dict) -> Site:
        return services.site_save(site=Site(**validated_data))

    def update(self, instance: Site, validated_data: dict) -> Site:
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.site_save(site=instance)


class SiteContactSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = SiteContact
        fields = ("id", "site", "name", "position", "phone", "email", "is_technical")


class RoomSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    bridge_point = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Room
        fields = (
            "id",
            "code",
            "site",
            "name",
            "capacity",
            "av_devices",
            "is_bookable",
            "notes",
            "bridge_point",
            "created_at",
            "updated_at",
        )


class NetworkLinkSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = NetworkLink
        fields = ("id", "bridge_point", "kind", "provider", "bandwidth_mbps", "role")


class BridgePointSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    site = serializers.PrimaryKeyRelatedField(source="room.site", read_only=True)
    links = NetworkLinkSerializer(many=True, read_only=True)

    class Meta:
        model = BridgePoint
        fields = (
            "id",
            "code",
            "room",
            "site",
            "role",
            "endpoint",
            "janus_display",
            "is_active",
            "last_test_at",
            "last_test_result",
            "notes",
            "links",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("last_test_at", "last_test_result")


class EquipmentSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Equipment
        fields = (
            "id",
            "code",
            "site",
            "room",
            "kind",
            "model",
            "serial",
            "status",
            "purchase_date",
            "cost_vnd",
            "warranty_end",
            "is_reusable",
            "notes",
            "created_at",
            "updated_at",
        )

    def validate(self, attrs: dict) -> dict:
        instance = copy(self.instance) if self.instance is not None else Equipment()
        for name, value in attrs.items():
            setattr(instance, name, value)
        try:
            instance.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs
