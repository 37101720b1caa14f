"""Serializers for the investments API. Writes to plans, phases and lines carry `plan_version`."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from common.api import ScopedSerializerMixin
from investments import services
from investments.models import (
    Allocation,
    CatalogueItem,
    InvestmentPlan,
    ItemPrice,
    KitLine,
    Phase,
    PlanLine,
    PlanReuse,
    PlanRevision,
    Spending,
    StandardKit,
)
from sites.models import Site


class CatalogueItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = CatalogueItem
        fields = ("id", "code", "name", "unit", "equipment_kind", "camera_type", "specification", "is_active")


class ItemPriceSerializer(serializers.ModelSerializer):
    class Meta:
        model = ItemPrice
        fields = ("id", "item", "valid_from", "price_vnd", "source")

    def create(self, validated_data: dict[str, Any]) -> ItemPrice:
        return services.item_price_set(**validated_data)


class StandardKitSerializer(serializers.ModelSerializer):
    class Meta:
        model = StandardKit
        fields = ("id", "code", "name", "site_kind", "key_sites_only", "description", "is_active")


class KitLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = KitLine
        fields = ("id", "kit", "item", "quantity")


class LockedSerializerMixin(serializers.Serializer):
    """`plan_version` (the optimistic lock) and `reason` (required once the plan is approved)."""

    plan_version = serializers.IntegerField(write_only=True)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, default="")

    def lock(self, validated_data: dict[str, Any]) -> dict[str, Any]:
        return {
            "expected_version": validated_data.pop("plan_version", None),
            "reason": validated_data.pop("reason", ""),
        }


class InvestmentPlanSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(required=False, help_text="Required on update: the version you read.")
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, default="")

    class Meta:
        model = InvestmentPlan
        fields = (
            "id",
            "code",
            "title",
            "description",
            "start_year",
            "end_year",
            "price_date",
            "status",
            "version",
            "reason",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("status",)

    def create(self, validated_data: dict[str, Any]) -> InvestmentPlan:
        validated_data.pop("version", None)
        validated_data.pop("reason", None)
        return services.plan_create(plan=InvestmentPlan(**validated_data), user=self.context["request"].user)

    def update(self, instance: InvestmentPlan, validated_data: dict[str, Any]) -> InvestmentPlan:
        expected = validated_data.pop("version", None)
        reason = validated_data.pop("reason", "")
        return services.plan_update(
            plan=instance, expected_version=expected, user=self.context["request"].user, reason=reason, **validated_data
        )


class PhaseSerializer(LockedSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Phase
        fields = ("id", "plan", "number", "name", "start_year", "end_year", "description", "plan_version", "reason")

    def create(self, validated_data: dict[str, Any]) -> Phase:
        lock = self.lock(validated_data)
        return services.phase_save(phase=Phase(**validated_data), user=self.context["request"].user, **lock)

    def update(self, instance: Phase, validated_data: dict[str, Any]) -> Phase:
        lock = self.lock(validated_data)
        validated_data.pop("plan", None)  # a phase stays in its plan
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.phase_save(phase=instance, user=self.context["request"].user, **lock)


class PlanLineSerializer(ScopedSerializerMixin, LockedSerializerMixin, serializers.ModelSerializer):
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all())
    site_name = serializers.CharField(source="site.name", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    unit_price_vnd = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text="Empty: the catalogue price on the plan's price date."
    )
    quantity = serializers.IntegerField(min_value=1)

    class Meta:
        model = PlanLine
        fields = (
            "id",
            "plan",
            "phase",
            "site",
            "site_name",
            "item",
            "item_name",
            "quantity",
            "unit_price_vnd",
            "amount_vnd",
            "source",
            "zone",
            "note",
            "status",
            "delivered_on",
            "delivered_records",
            "plan_version",
            "reason",
        )
        read_only_fields = ("amount_vnd", "source", "status", "delivered_on", "delivered_records")

    def create(self, validated_data: dict[str, Any]) -> PlanLine:
        lock = self.lock(validated_data)
        return services.line_create(user=self.context["request"].user, **lock, **validated_data)

    def update(self, instance: PlanLine, validated_data: dict[str, Any]) -> PlanLine:
        lock = self.lock(validated_data)
        validated_data.pop("plan", None)  # a line stays in its plan
        if validated_data.get("unit_price_vnd", 0) is None:
            validated_data.pop("unit_price_vnd")
        return services.line_update(line=instance, user=self.context["request"].user, **lock, **validated_data)


class PlanReuseSerializer(serializers.ModelSerializer):
    site_name = serializers.CharField(source="site.name", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = PlanReuse
        fields = ("id", "site", "site_name", "item", "item_name", "quantity", "unit_price_vnd", "saving_vnd")


class PlanRevisionSerializer(serializers.ModelSerializer):
    created_by = serializers.StringRelatedField()
    approved_by = serializers.StringRelatedField()

    class Meta:
        model = PlanRevision
        fields = (
            "id",
            "number",
            "reason",
            "total_vnd",
            "created_at",
            "created_by",
            "approved_at",
            "approved_by",
            "decision_number",
            "decision_date",
            "approval_comment",
            "overrun_warnings",
        )


class WarningSerializer(serializers.Serializer):
    phase_id = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    limit_vnd = serializers.IntegerField()
    actual_vnd = serializers.IntegerField()


class AllocationSerializer(serializers.ModelSerializer):
    """An allocation is a change to its plan: `plan_version` (optional here) and `reason` (once approved)."""

    plan_version = serializers.IntegerField(write_only=True, required=False, allow_null=True, default=None)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, default="")

    class Meta:
        model = Allocation
        fields = (
            "id",
            "plan",
            "phase",
            "year",
            "source",
            "amount_vnd",
            "decision",
            "note",
            "created_at",
            "updated_at",
            "plan_version",
            "reason",
        )

    def _lock(self, validated_data: dict[str, Any]) -> dict[str, Any]:
        return {
            "expected_version": validated_data.pop("plan_version", None),
            "reason": validated_data.pop("reason", ""),
        }

    def create(self, validated_data: dict[str, Any]) -> Allocation:
        lock = self._lock(validated_data)
        allocation, self.warnings = services.allocation_save(
            allocation=Allocation(**validated_data), user=self.context["request"].user, **lock
        )
        return allocation

    def update(self, instance: Allocation, validated_data: dict[str, Any]) -> Allocation:
        lock = self._lock(validated_data)
        validated_data.pop("plan", None)  # an allocation stays in its plan
        for name, value in validated_data.items():
            setattr(instance, name, value)
        allocation, self.warnings = services.allocation_save(
            allocation=instance, user=self.context["request"].user, **lock
        )
        return allocation


class SpendingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Spending
        fields = ("id", "plan", "phase", "site", "kind", "year", "on", "amount_vnd", "reference", "note")

    def create(self, validated_data: dict[str, Any]) -> Spending:
        spending, self.warnings = services.spending_save(
            spending=Spending(**validated_data), user=self.context["request"].user
        )
        return spending

    def update(self, instance: Spending, validated_data: dict[str, Any]) -> Spending:
        validated_data.pop("plan", None)  # a spending record stays in its plan
        for name, value in validated_data.items():
            setattr(instance, name, value)
        spending, self.warnings = services.spending_save(spending=instance, user=self.context["request"].user)
        return spending


class GenerateSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    site_ids = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True, default=None)
    phase = serializers.IntegerField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AssignPhaseSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    phase = serializers.IntegerField(allow_null=True)
    site_ids = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True, default=None)
    line_ids = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ApproveSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    decision_number = serializers.CharField(max_length=120, help_text="Number of the approving decision.")
    decision_date = serializers.DateField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    acknowledge_overrun = serializers.BooleanField(
        required=False, default=False, help_text="Required (true) when the plan shows funding warnings."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SubmitSerializer(serializers.Serializer):
    version = serializers.IntegerField()


class DeliverSerializer(serializers.Serializer):
    delivered_on = serializers.DateField(required=False, allow_null=True, default=None)
