"""Web pages for the catalogue, kits and investment plans: configuration of common.views plus plan actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import models
from django.db.models import ProtectedError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django_tables2 import RequestConfig

from common.exceptions import ApplicationError
from common.scoping import scope_queryset
from common.templatetags.portal import format_vnd
from common.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ObjectViewMixin,
)
from investments import exports, filtersets, forms, services, tables
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
from investments.selectors import (
    plan_charts,
    plan_funding,
    plan_totals,
    prices_on,
    revision_compare,
)

#
# Catalogue and kits
#


class CatalogueItemListView(ObjectListView):
    model = CatalogueItem
    table_class = tables.CatalogueItemTable
    filterset_class = filtersets.CatalogueItemFilterSet


class CatalogueItemDetailView(ObjectDetailView):
    model = CatalogueItem

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["prices"] = self.object.prices.all()
        context["kit_lines"] = self.object.kit_lines.select_related("kit")
        return context


class CatalogueItemEditView(ObjectEditView):
    model = CatalogueItem
    form_class = forms.CatalogueItemForm


class CatalogueItemDeleteView(ObjectDeleteView):
    model = CatalogueItem


class ItemPriceEditView(ObjectEditView):
    model = ItemPrice
    form_class = forms.ItemPriceForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "list_url": "investments:catalogueitem_list"}


class ChildDeleteView(ObjectDeleteView):
    """Delete an object that lives on its parent's page (a price, a kit line, an allocation) and go back there."""

    def form_valid(self, form: Any) -> HttpResponse:
        obj = self.get_object()
        back = obj.get_absolute_url()
        try:
            obj.delete()
        except ProtectedError:
            messages.error(self.request, _("%(object)s is still in use and cannot be deleted.") % {"object": obj})
        else:
            messages.success(self.request, _("Deleted %(object)s.") % {"object": obj})
        return redirect(back)


class ItemPriceDeleteView(ChildDeleteView):
    model = ItemPrice


class StandardKitListView(ObjectListView):
    model = StandardKit
    table_class = tables.StandardKitTable
    filterset_class = filtersets.StandardKitFilterSet


class StandardKitDetailView(ObjectDetailView):
    model = StandardKit

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from django.utils import timezone

        context = super().get_context_data(**kwargs)
        lines = list(self.object.lines.select_related("item"))
        prices = prices_on(item_ids=[line.item_id for line in lines], on=timezone.localdate())
        rows = [(line, prices.get(line.item_id)) for line in lines]
        context["rows"] = [(line, price, price * line.quantity if price is not None else None) for line, price in rows]
        context["kit_total"] = sum(amount for _l, _p, amount in context["rows"] if amount)
        return context


class StandardKitEditView(ObjectEditView):
    model = StandardKit
    form_class = forms.StandardKitForm


class StandardKitDeleteView(ObjectDeleteView):
    model = StandardKit


class KitLineEditView(ObjectEditView):
    model = KitLine
    form_class = forms.KitLineForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "list_url": "investments:standardkit_list"}


class KitLineDeleteView(ChildDeleteView):
    model = KitLine


#
# Plans
#


class InvestmentPlanListView(ObjectListView):
    model = InvestmentPlan
    table_class = tables.InvestmentPlanTable
    filterset_class = filtersets.InvestmentPlanFilterSet


class InvestmentPlanDetailView(ObjectDetailView):
    """The plan: totals, funding and warnings, charts, phases, lines, reused items, revisions."""

    model = InvestmentPlan

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        plan, user = self.object, self.request.user
        lines = scope_queryset(PlanLine.objects.filter(plan=plan).select_related("site", "item", "phase"), user)
        table = tables.PlanLineTable(lines)
        # 25 lines a page: a plan with a line for every site has hundreds, and drawing the table's
        # cells was most of the page's time (issue 18); the totals above count them all.
        RequestConfig(self.request, paginate={"per_page": 25}).configure(table)
        funding = plan_funding(plan=plan)
        context.update(
            totals=plan_totals(plan=plan),
            funding=funding,
            charts=plan_charts(plan=plan, funding=funding),
            lines_table=table,
            phases=plan.phases.all(),
            reuses=plan.reuses.select_related("site", "item")[:200],
            allocations=plan.allocations.select_related("phase"),
            spending=plan.spending.select_related("phase", "site")[:100],
            revisions=plan.revisions.select_related("created_by", "approved_by"),
            can_approve=user.has_perm("investments.approve_investmentplan") and plan.status != "approved",
            can_submit=user.has_perm("investments.change_investmentplan")
            and plan.status != "approved"
            and plan.submitted_at is None,
            can_edit_lines=user.has_perm("investments.change_planline"),
            submit_form=forms.SubmitForm(initial={"plan_version": plan.version}),
            sources=funding.totals.by_source,
        )
        return context


class InvestmentPlanEditView(ObjectEditView):
    model = InvestmentPlan
    form_class = forms.InvestmentPlanForm


class InvestmentPlanDeleteView(ObjectDeleteView):
    model = InvestmentPlan

    def check_deletable(self, obj: models.Model) -> None:
        if obj.status != "draft" or obj.allocations.exists():
            raise ApplicationError(_("Only a draft plan without allocations can be deleted."))


class PlanActionView(ObjectViewMixin, View):
    """Base of the actions on one plan (generate, assign, approve, export, revisions)."""

    model = InvestmentPlan
    action = "change"

    def get_plan(self) -> InvestmentPlan:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


class PlanGenerateView(PlanActionView):
    """Generate line items from the equipment and camera gap of the chosen sites."""

    template_name = "investments/plan_generate.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.get_plan()
        return render(request, self.template_name, {"plan": plan, "form": forms.GenerateForm(plan=plan)})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.get_plan()
        form = forms.GenerateForm(request.POST, plan=plan)
        if form.is_valid():
            try:
                result = services.plan_generate_from_gap(
                    plan=plan,
                    user=request.user,
                    sites=form.cleaned_data["sites"] or None,
                    phase=form.cleaned_data["phase"],
                    **form.lock(),
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("%(lines)s line items for %(sites)s sites, %(total)s; reusing equipment saves %(saving)s.")
                    % {
                        "lines": result.lines_created,
                        "sites": result.sites,
                        "total": format_vnd(result.total_vnd),
                        "saving": format_vnd(result.saving_vnd),
                    },
                )
                if not result.cameras_checked:
                    messages.info(
                        request, _("Camera coverage gaps were not included: the cameras app is not available.")
                    )
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect(plan)
        return render(request, self.template_name, {"plan": plan, "form": form}, status=400)


class PlanAssignPhaseView(PlanActionView):
    """Put the lines of some sites into a phase."""

    template_name = "investments/plan_assign.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.get_plan()
        return render(request, self.template_name, {"plan": plan, "form": forms.AssignPhaseForm(plan=plan)})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.get_plan()
        form = forms.AssignPhaseForm(request.POST, plan=plan)
        if form.is_valid():
            try:
                count = services.lines_assign_phase(
                    plan=plan,
                    user=request.user,
                    phase=form.cleaned_data["phase"],
                    site_ids=[s.pk for s in form.cleaned_data["sites"]],
                    **form.lock(),
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("%(n)s line items moved.") % {"n": count})
                return redirect(plan)
        return render(request, self.template_name, {"plan": plan, "form": form}, status=400)


class PlanSubmitView(PlanActionView):
    """Submit the plan to the leaders for approval (POST only); they are notified."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.get_plan()
        form = forms.SubmitForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The plan's version is missing; reload the page and try again."))
            return redirect(plan)
        try:
            services.plan_submit(plan=plan, expected_version=form.cleaned_data["plan_version"], user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Submitted for approval; the leaders have been notified."))
        return redirect(plan)


class PlanApproveView(PlanActionView):
    """
    A leader approves the plan, in two steps: this page shows what is approved (total, changes since
    the last approval, funding warnings) and asks for the decision's number and date, a comment, and,
    when there are warnings, their explicit acknowledgement; the POST approves.
    """

    template_name = "investments/plan_approve.html"

    def get_permission_required(self) -> tuple[str, ...]:
        return ("investments.approve_investmentplan",)

    def _render(
        self, request: HttpRequest, plan: InvestmentPlan, form: forms.ApproveForm, status: int = 200
    ) -> HttpResponse:
        funding = plan_funding(plan=plan)
        approved = plan.revisions.filter(approved_at__isnull=False).order_by("-number").first()
        context = {
            "plan": plan,
            "form": form,
            "totals": plan_totals(plan=plan),
            "funding": funding,
            "last_approved": approved,
            "diff": revision_compare(old=approved, new=None) if approved is not None else None,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from django.utils import timezone

        plan = self.get_plan()
        if plan.status == "approved":
            messages.info(request, _("This plan is already approved; change it to open a new revision."))
            return redirect(plan)
        form = forms.ApproveForm(
            initial={"plan_version": plan.version, "decision_date": timezone.localdate()},
            has_warnings=bool(plan_funding(plan=plan).warnings),
        )
        return self._render(request, plan, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.get_plan()
        form = forms.ApproveForm(request.POST, has_warnings=bool(plan_funding(plan=plan).warnings))
        if form.is_valid():
            data = form.cleaned_data
            try:
                revision = services.plan_approve(
                    plan=plan,
                    expected_version=data["plan_version"],
                    user=request.user,
                    decision_number=data["decision_number"],
                    decision_date=data["decision_date"],
                    comment=data["comment"],
                    overrun_acknowledged=bool(data.get("acknowledge_overrun")),
                )
            except ApplicationError as exc:
                fields = (exc.extra or {}).get("fields", {}) if isinstance(exc.extra, dict) else {}
                for name, errors in fields.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
                if not fields:
                    form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Approved as revision %(n)s by decision %(decision)s of %(day)s.")
                    % {
                        "n": revision.number,
                        "decision": revision.decision_number,
                        "day": revision.decision_date.strftime("%d/%m/%Y"),
                    },
                )
                return redirect(plan)
        plan.refresh_from_db()
        return self._render(request, plan, form, status=400)


class PlanRevisionsView(PlanActionView):
    """The plan's revisions, and the comparison of two of them (or of one with the plan now)."""

    action = "view"
    template_name = "investments/plan_revisions.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.get_plan()
        revisions = list(plan.revisions.select_related("created_by", "approved_by"))
        by_number = {str(r.number): r for r in revisions}
        old, new = by_number.get(request.GET.get("old", "")), by_number.get(request.GET.get("new", ""))
        if old is None and revisions:
            old = revisions[1] if len(revisions) > 1 and new is None else revisions[-1]
        diff = revision_compare(old=old, new=new) if old is not None else None
        return render(
            request,
            self.template_name,
            {"plan": plan, "revisions": revisions, "old": old, "new": new, "diff": diff},
        )


class PlanExportView(PlanActionView):
    """`estimate` or `roadmap` as `xlsx` or `pdf`."""

    action = "view"

    def get(self, request: HttpRequest, pk: int, kind: str, fmt: str) -> HttpResponse:
        plan = self.get_plan()
        try:
            body, content_type, filename = exports.plan_export(plan=plan, kind=kind, fmt=fmt)
        except KeyError as exc:
            raise Http404 from exc
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


#
# Phases, lines, allocations, spending
#


class PlanChildEditView(ObjectEditView):
    """Edit an object that belongs to a plan; goes back to the plan."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "list_url": "investments:investmentplan_list"}


class PlanLockedDeleteView(ObjectDeleteView):
    """Delete a phase or line: the confirmation carries the plan's version and a reason."""

    template_name = "investments/confirm_delete.html"

    def delete_with_services(self, obj: Any, *, expected_version: int | None, reason: str) -> None:
        raise NotImplementedError

    def form_valid(self, form: Any) -> HttpResponse:
        obj = self.get_object()
        plan = obj.plan
        try:
            version = int(self.request.POST.get("plan_version", ""))
        except ValueError:
            version = None
        try:
            self.delete_with_services(obj, expected_version=version, reason=self.request.POST.get("reason", ""))
        except ApplicationError as exc:
            messages.error(self.request, exc.message)
            return redirect(plan)
        messages.success(self.request, _("Deleted %(object)s.") % {"object": obj})
        return redirect(plan)


class PhaseEditView(PlanChildEditView):
    model = Phase
    form_class = forms.PhaseForm


class PhaseDeleteView(PlanLockedDeleteView):
    model = Phase

    def delete_with_services(self, obj: Phase, *, expected_version: int | None, reason: str) -> None:
        services.phase_delete(phase=obj, expected_version=expected_version, user=self.request.user, reason=reason)


class PlanLineListView(ObjectListView):
    """Line items of every plan the user may see; a commune officer sees the own commune's only."""

    model = PlanLine
    queryset = PlanLine.objects.select_related("site", "item", "phase", "plan")
    table_class = tables.PlanLineTable
    filterset_class = filtersets.PlanLineFilterSet


class PlanLineDetailView(ObjectDetailView):
    model = PlanLine
    queryset = PlanLine.objects.select_related("site", "item", "phase", "plan")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_deliver"] = self.request.user.has_perm("investments.change_planline")
        return context


class PlanLineEditView(PlanChildEditView):
    model = PlanLine
    form_class = forms.PlanLineForm


class PlanLineDeleteView(PlanLockedDeleteView):
    model = PlanLine

    def delete_with_services(self, obj: PlanLine, *, expected_version: int | None, reason: str) -> None:
        services.line_delete(line=obj, expected_version=expected_version, user=self.request.user, reason=reason)


class PlanLineDeliverView(ObjectViewMixin, View):
    """One action: the line's goods arrived; create the inventory records at its site."""

    model = PlanLine
    action = "change"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        line = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            records = services.line_deliver(line=line, user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Delivered: %(n)s records created at %(site)s.") % {"n": len(records), "site": line.site}
            )
        return HttpResponseRedirect(line.get_absolute_url())


class FundingEditView(PlanChildEditView):
    """Allocation or spending: saved through the service, whose warnings become messages."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        for warning in getattr(form, "warnings", []):
            messages.warning(self.request, warning.message)
        return response


class AllocationEditView(FundingEditView):
    model = Allocation
    form_class = forms.AllocationForm


class AllocationDeleteView(PlanLockedDeleteView):
    model = Allocation

    def delete_with_services(self, obj: Allocation, *, expected_version: int | None, reason: str) -> None:
        services.allocation_delete(
            allocation=obj, expected_version=expected_version, user=self.request.user, reason=reason
        )


class SpendingEditView(FundingEditView):
    model = Spending
    form_class = forms.SpendingForm


class SpendingDeleteView(ChildDeleteView):
    model = Spending
