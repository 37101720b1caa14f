"""
Investments API: CRUD viewsets (NetBox style) plus explicit actions that call services (generate,
assign-phase, approve, summary, revisions, compare, export, deliver). A stale `version` /
`plan_version` answers 409 with the current version in `extra`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import ScopedModelViewSet
from common.exceptions import ApplicationError
from common.openapi import PDF, XLSX, file_responses
from common.permissions import ModelPermissions
from investments import exports, filtersets, services
from investments.api import serializers as s
from investments.models import (
    Allocation,
    CatalogueItem,
    InvestmentPlan,
    ItemPrice,
    KitLine,
    Phase,
    PlanLine,
    Spending,
    StandardKit,
)
from investments.selectors import plan_funding, plan_totals, revision_compare
from sites.models import Site


class ActionPermissions(permissions.BasePermission):
    """Actions named in the view's `action_perms` need that permission; everything else the model's."""

    def has_permission(self, request: Request, view: Any) -> bool:
        needed = getattr(view, "action_perms", {}).get(getattr(view, "action", None))
        if needed is None:
            return ModelPermissions().has_permission(request, view)
        return bool(request.user and request.user.is_authenticated and request.user.has_perm(needed))


class CatalogueItemViewSet(ScopedModelViewSet):
    queryset = CatalogueItem.objects.all()
    serializer_class = s.CatalogueItemSerializer
    filterset_class = filtersets.CatalogueItemFilterSet
    ordering_fields = ("name", "code")


class ItemPriceViewSet(ScopedModelViewSet):
    queryset = ItemPrice.objects.select_related("item")
    serializer_class = s.ItemPriceSerializer
    filterset_class = filtersets.ItemPriceFilterSet
    ordering_fields = ("valid_from", "price_vnd")


class StandardKitViewSet(ScopedModelViewSet):
    queryset = StandardKit.objects.all()
    serializer_class = s.StandardKitSerializer
    filterset_class = filtersets.StandardKitFilterSet


class KitLineViewSet(ScopedModelViewSet):
    queryset = KitLine.objects.select_related("item")
    serializer_class = s.KitLineSerializer
    filterset_class = filtersets.KitLineFilterSet


def _version(request: Request) -> int | None:
    value = request.query_params.get("plan_version") or request.data.get("plan_version")
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class InvestmentPlanViewSet(ScopedModelViewSet):
    queryset = InvestmentPlan.objects.all()
    serializer_class = s.InvestmentPlanSerializer
    filterset_class = filtersets.InvestmentPlanFilterSet
    permission_classes = (ActionPermissions,)
    ordering_fields = ("start_year", "title")
    action_perms = {
        "generate": "investments.change_investmentplan",
        "assign_phase": "investments.change_planline",
        "approve": "investments.approve_investmentplan",
        "submit": "investments.change_investmentplan",
    }

    def perform_destroy(self, instance: InvestmentPlan) -> None:

        if instance.status != "draft" or instance.allocations.exists():
            raise ApplicationError(_("Only a draft plan without allocations can be deleted."))
        instance.delete()

    @extend_schema(request=s.GenerateSerializer, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], serializer_class=s.GenerateSerializer)
    def generate(self, request: Request, pk: str) -> Response:
        """Line items from the equipment gap (and camera coverage gaps) of the given sites, or all."""
        plan = self.get_object()
        data = s.GenerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        phase = (
            get_object_or_404(Phase, pk=data.validated_data["phase"], plan=plan)
            if data.validated_data["phase"]
            else None
        )
        site_ids = data.validated_data["site_ids"]
        sites = list(Site.objects.visible_to(request.user).filter(pk__in=site_ids)) if site_ids is not None else None
        result = services.plan_generate_from_gap(
            plan=plan,
            expected_version=data.validated_data["version"],
            user=request.user,
            sites=sites,
            phase=phase,
            reason=data.validated_data["reason"],
        )
        plan.refresh_from_db()
        return Response({**asdict(result), "version": plan.version}, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.AssignPhaseSerializer,
        responses=inline_serializer(
            "PhaseAssigned", {"moved": serializers.IntegerField(), "version": serializers.IntegerField()}
        ),
    )
    @action(detail=True, methods=["post"], url_path="assign-phase", serializer_class=s.AssignPhaseSerializer)
    def assign_phase(self, request: Request, pk: str) -> Response:
        plan = self.get_object()
        data = s.AssignPhaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        phase = get_object_or_404(Phase, pk=v["phase"], plan=plan) if v["phase"] else None
        count = services.lines_assign_phase(
            plan=plan,
            expected_version=v["version"],
            user=request.user,
            phase=phase,
            site_ids=v["site_ids"],
            line_ids=v["line_ids"],
            reason=v["reason"],
        )
        return Response({"moved": count, "version": plan.version})

    @extend_schema(request=s.ApproveSerializer, responses={201: s.PlanRevisionSerializer})
    @action(detail=True, methods=["post"], serializer_class=s.ApproveSerializer)
    def approve(self, request: Request, pk: str) -> Response:
        """A leader approves the plan as it stands; answers the new revision."""
        plan = self.get_object()
        data = s.ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        revision = services.plan_approve(
            plan=plan,
            expected_version=v["version"],
            user=request.user,
            decision_number=v["decision_number"],
            decision_date=v["decision_date"],
            comment=v["comment"],
            overrun_acknowledged=v["acknowledge_overrun"],
            note=v["note"],
        )
        return Response(s.PlanRevisionSerializer(revision).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.SubmitSerializer,
        responses=inline_serializer(
            "PlanSubmitted", {"version": serializers.IntegerField(), "submitted_at": serializers.DateTimeField()}
        ),
    )
    @action(detail=True, methods=["post"], serializer_class=s.SubmitSerializer)
    def submit(self, request: Request, pk: str) -> Response:
        """Submit the plan to the leaders for approval; they are notified."""
        plan = self.get_object()
        data = s.SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.plan_submit(plan=plan, expected_version=data.validated_data["version"], user=request.user)
        return Response({"version": plan.version, "submitted_at": plan.submitted_at})

    @extend_schema(responses=OpenApiTypes.OBJECT, filters=False)
    @action(detail=True, methods=["get"], filter_backends=[])
    def summary(self, request: Request, pk: str) -> Response:
        """Total estimate and breakdowns; planned vs allocated vs committed vs spent; warnings."""
        plan = self.get_object()
        totals, funding = plan_totals(plan=plan), plan_funding(plan=plan)
        return Response(
            {
                "version": plan.version,
                "status": plan.status,
                "total_vnd": totals.total_vnd,
                "line_count": totals.line_count,
                "saving_vnd": totals.saving_vnd,
                "by_phase": [asdict(t) for t in totals.by_phase],
                "by_site": [asdict(t) for t in totals.by_site],
                "by_kind": [asdict(t) for t in totals.by_kind],
                "funding": {
                    "by_year": [asdict(r) for r in funding.by_year],
                    "by_phase": [asdict(r) for r in funding.by_phase],
                    "by_site": [asdict(r) for r in funding.by_site],
                    "totals": asdict(funding.totals),
                },
                "warnings": [asdict(w) for w in funding.warnings],
            }
        )

    @extend_schema(responses=s.PlanReuseSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filter_backends=[])
    def reuses(self, request: Request, pk: str) -> Response:
        plan = self.get_object()
        page = self.paginate_queryset(plan.reuses.select_related("site", "item"))
        return self.get_paginated_response(s.PlanReuseSerializer(page, many=True).data)

    @extend_schema(responses=s.PlanRevisionSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def revisions(self, request: Request, pk: str) -> Response:
        plan = self.get_object()
        return Response(
            s.PlanRevisionSerializer(plan.revisions.select_related("created_by", "approved_by"), many=True).data
        )

    @extend_schema(
        parameters=[OpenApiParameter("old", int, required=True), OpenApiParameter("new", int)],
        responses=OpenApiTypes.OBJECT,
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def compare(self, request: Request, pk: str) -> Response:
        """`?old=<n>&new=<n>`: lines added, removed and changed, and the totals; without `new`, the plan now."""
        plan = self.get_object()
        old = get_object_or_404(plan.revisions, number=request.query_params.get("old"))
        new_number = request.query_params.get("new")
        new = get_object_or_404(plan.revisions, number=new_number) if new_number else None
        diff = revision_compare(old=old, new=new)
        return Response(
            {
                "old": old.number,
                "new": new.number if new else None,
                "old_total_vnd": diff.old_total_vnd,
                "new_total_vnd": diff.new_total_vnd,
                "delta_vnd": diff.delta_vnd,
                "changes": [
                    {
                        "change": c.change,
                        "site_id": c.key[0],
                        "site": c.site,
                        "item_id": c.key[1],
                        "item": c.item,
                        "zone": c.zone,
                        "old": c.old,
                        "new": c.new,
                        "delta_vnd": c.delta_vnd,
                    }
                    for c in diff.changes
                ],
            }
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=["estimate", "roadmap"]),
            OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=["xlsx", "pdf"]),
        ],
        responses=file_responses(XLSX, PDF),
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        url_path=r"export/(?P<kind>estimate|roadmap)/(?P<fmt>xlsx|pdf)",
    )
    def export(self, request: Request, pk: str, kind: str, fmt: str) -> HttpResponse:
        plan = self.get_object()
        try:
            body, content_type, filename = exports.plan_export(plan=plan, kind=kind, fmt=fmt)
        except KeyError as exc:
            raise Http404 from exc
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class PhaseViewSet(ScopedModelViewSet):
    queryset = Phase.objects.all()
    serializer_class = s.PhaseSerializer
    filterset_class = filtersets.PhaseFilterSet

    def perform_destroy(self, instance: Phase) -> None:
        services.phase_delete(
            phase=instance,
            expected_version=_version(self.request),
            user=self.request.user,
            reason=self.request.query_params.get("reason", ""),
        )


class PlanLineViewSet(ScopedModelViewSet):
    """Line items; a commune officer reads the lines of the own commune's sites only."""

    queryset = PlanLine.objects.select_related("site", "item", "plan")
    serializer_class = s.PlanLineSerializer
    filterset_class = filtersets.PlanLineFilterSet
    ordering_fields = ("amount_vnd", "quantity", "site__name")

    def perform_destroy(self, instance: PlanLine) -> None:
        services.line_delete(
            line=instance,
            expected_version=_version(self.request),
            user=self.request.user,
            reason=self.request.query_params.get("reason", ""),
        )

    @extend_schema(
        request=s.DeliverSerializer,
        responses={
            201: inline_serializer("LineDelivered", {"records": serializers.ListField(child=serializers.DictField())})
        },
    )
    @action(detail=True, methods=["post"], serializer_class=s.DeliverSerializer)
    def deliver(self, request: Request, pk: str) -> Response:
        """The goods arrived: equipment or camera records are created at the line's site."""
        if not request.user.has_perm("investments.change_planline"):
            raise PermissionDenied
        line = self.get_object()
        data = s.DeliverSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        records = services.line_deliver(line=line, user=request.user, delivered_on=data.validated_data["delivered_on"])
        return Response({"records": records}, status=status.HTTP_201_CREATED)


class FundingViewSetMixin:
    """Adds the phase's warnings to the answer of a create or update."""

    def _with_warnings(self, response: Response, serializer: Any) -> Response:
        response.data["warnings"] = s.WarningSerializer(getattr(serializer, "warnings", []), many=True).data
        return response

    def perform_create(self, serializer: Any) -> None:
        super().perform_create(serializer)  # type: ignore[misc]
        self._last = serializer

    def perform_update(self, serializer: Any) -> None:
        super().perform_update(serializer)  # type: ignore[misc]
        self._last = serializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._with_warnings(super().create(request, *args, **kwargs), self._last)  # type: ignore[misc]

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._with_warnings(super().update(request, *args, **kwargs), self._last)  # type: ignore[misc]


class AllocationViewSet(FundingViewSetMixin, ScopedModelViewSet):
    queryset = Allocation.objects.select_related("phase")
    serializer_class = s.AllocationSerializer
    filterset_class = filtersets.AllocationFilterSet
    ordering_fields = ("year", "amount_vnd")

    def perform_destroy(self, instance: Allocation) -> None:
        services.allocation_delete(
            allocation=instance,
            expected_version=_version(self.request),
            user=self.request.user,
            reason=self.request.query_params.get("reason", ""),
        )


class SpendingViewSet(FundingViewSetMixin, ScopedModelViewSet):
    queryset = Spending.objects.select_related("phase")
    serializer_class = s.SpendingSerializer
    filterset_class = filtersets.SpendingFilterSet
    ordering_fields = ("on", "amount_vnd")
