"""API shapes for cameras. The password is write-only; reads say only whether one is set."""

from __future__ import annotations

from copy import copy
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from cameras import services
from cameras.forms import CAMERA_FIELDS, RECORDER_FIELDS
from cameras.models import Camera, CameraAlert, CameraOutage, Recorder
from common.api import ScopedSerializerMixin

HEALTH_READ = (
    "health",
    "health_changed_at",
    "last_probe_at",
    "last_seen_at",
    "last_probe_error",
)


class RecorderSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Recorder
        fields = ("id", *RECORDER_FIELDS, "notes", "created_at", "updated_at")

    def create(self, validated_data: dict[str, Any]) -> Recorder:
        return services.recorder_save(recorder=Recorder(**validated_data))

    def update(self, instance: Recorder, validated_data: dict[str, Any]) -> Recorder:
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.recorder_save(recorder=instance)


class CameraSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    """
    `password` is accepted on write (technicians only; see camera_save) and never returned;
    `has_password` tells whether one is stored.
    """

    password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, trim_whitespace=False, style={"input_type": "password"}
    )
    has_password = serializers.SerializerMethodField()

    class Meta:
        model = Camera
        fields = (
            "id",
            *CAMERA_FIELDS,
            "notes",
            "password",
            "has_password",
            "password_changed_at",
            *HEALTH_READ,
            "created_at",
            "updated_at",
        )
        read_only_fields = ("password_changed_at", *HEALTH_READ)

    def get_has_password(self, obj: Camera) -> bool:
        annotated = getattr(obj, "password_is_set", None)
        return bool(obj.password) if annotated is None else annotated

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = copy(self.instance) if self.instance is not None else Camera()
        for name, value in attrs.items():
            if name != "password":
                setattr(instance, name, value)
        try:
            instance.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs

    def _save(self, instance: Camera, validated_data: dict[str, Any]) -> Camera:
        password = validated_data.pop("password", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        request = self.context.get("request")
        return services.camera_save(
            camera=instance, password=password, changed_by=request.user if request is not None else None
        )

    def create(self, validated_data: dict[str, Any]) -> Camera:
        return self._save(Camera(), validated_data)

    def update(self, instance: Camera, validated_data: dict[str, Any]) -> Camera:
        return self._save(instance, validated_data)


class CameraOutageSerializer(serializers.ModelSerializer):
    class Meta:
        model = CameraOutage
        fields = ("id", "camera", "started_at", "ended_at", "last_error")


class CameraAlertSerializer(serializers.ModelSerializer):
    camera_code = serializers.CharField(source="camera.code", read_only=True)
    site = serializers.IntegerField(source="camera.site_id", read_only=True)
    acknowledged_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = CameraAlert
        fields = (
            "id",
            "camera",
            "camera_code",
            "site",
            "incident",
            "kind",
            "created_at",
            "message",
            "acknowledged_at",
            "acknowledged_by",
        )
        read_only_fields = fields


class CoverageGapSerializer(serializers.Serializer):
    site_id = serializers.IntegerField()
    zone = serializers.CharField()
    camera_type = serializers.CharField()
    quantity = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=["uncovered", "no_preferred_type"])


class CameraCountsSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, required=False)
    name = serializers.CharField(required=False)
    total = serializers.IntegerField()
    working = serializers.IntegerField()
    faulty = serializers.IntegerField()
    online = serializers.IntegerField()
    offline = serializers.IntegerField()
    maintenance = serializers.IntegerField()


class UptimeSerializer(serializers.Serializer):
    uptime_24h = serializers.FloatField(allow_null=True)
    uptime_30d = serializers.FloatField(allow_null=True)
    outages = CameraOutageSerializer(many=True)


class CoverageGapQuerySerializer(serializers.Serializer):
    site_id = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, default=list
    )
