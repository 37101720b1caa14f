"""Forms for the catalogue, kits, plans, phases, lines, allocations and spending."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from common.views import ScopedModelForm
from investments import services
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
from investments.selectors import item_price_on
from sites.models import Site


class CatalogueItemForm(ScopedModelForm):
    class Meta:
        model = CatalogueItem
        fields = ("code", "name", "unit", "equipment_kind", "camera_type", "specification", "is_active")


class ItemPriceForm(ScopedModelForm):
    class Meta:
        model = ItemPrice
        fields = ("item", "valid_from", "price_vnd", "source")

    def save_with_services(self) -> ItemPrice:
        data = self.cleaned_data
        return services.item_price_set(
            item=data["item"], valid_from=data["valid_from"], price_vnd=data["price_vnd"], source=data["source"]
        )


class StandardKitForm(ScopedModelForm):
    class Meta:
        model = StandardKit
        fields = ("code", "name", "site_kind", "key_sites_only", "description", "is_active")


class KitLineForm(ScopedModelForm):
    class Meta:
        model = KitLine
        fields = ("kit", "item", "quantity")


class PlanChangeMixin(forms.Form):
    """The optimistic lock and the reason that every change to a plan carries."""

    plan_version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=500,
        help_text=_("Required once the plan is approved; the change opens a new revision."),
    )

    def init_version(self, plan: InvestmentPlan | None) -> None:
        if plan is not None and not self.is_bound:
            self.initial["plan_version"] = plan.version
        if plan is None or plan.status == "draft":
            self.fields["reason"].widget = forms.HiddenInput()

    def lock(self) -> dict[str, Any]:
        return {"expected_version": self.cleaned_data["plan_version"], "reason": self.cleaned_data.get("reason", "")}


class InvestmentPlanForm(PlanChangeMixin, ScopedModelForm):
    class Meta:
        model = InvestmentPlan
        fields = ("code", "title", "description", "start_year", "end_year", "price_date")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.init_version(self.instance)
        else:
            self.fields["plan_version"].required = False
            self.fields["reason"].widget = forms.HiddenInput()

    def save_with_services(self) -> InvestmentPlan:
        if self.instance.pk is None:
            return services.plan_create(plan=self.instance, user=self.user)
        fields = {name: self.cleaned_data[name] for name in self._meta.fields}
        plan = InvestmentPlan.objects.get(pk=self.instance.pk)
        return services.plan_update(plan=plan, user=self.user, **self.lock(), **fields)


class PhaseForm(PlanChangeMixin, ScopedModelForm):
    class Meta:
        model = Phase
        fields = ("plan", "number", "name", "start_year", "end_year", "description")
        widgets = {"plan": forms.HiddenInput}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _pin_plan(self)
        plan = self.instance.plan if self.instance.plan_id else _initial_plan(self)
        self.init_version(plan)

    def save_with_services(self) -> Phase:
        return services.phase_save(phase=self.instance, user=self.user, **self.lock())


def _pin_plan(form: forms.ModelForm) -> None:
    """An existing phase, line, allocation or spending record stays in its plan."""
    if form.instance.pk:
        form.fields["plan"].disabled = True


def _initial_plan(form: forms.BaseForm) -> InvestmentPlan | None:
    plan_id = form.data.get("plan") if form.is_bound else form.initial.get("plan")
    try:
        return InvestmentPlan.objects.filter(pk=int(plan_id)).first() if plan_id else None
    except (TypeError, ValueError):
        return None


class PlanLineForm(PlanChangeMixin, ScopedModelForm):
    unit_price_vnd = forms.IntegerField(
        label=_("Unit price (VND)"),
        required=False,
        min_value=0,
        help_text=_("Empty: the catalogue price on the plan's price date."),
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)

    class Meta:
        model = PlanLine
        fields = ("plan", "site", "item", "quantity", "unit_price_vnd", "phase", "zone", "note")
        widgets = {"plan": forms.HiddenInput}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _pin_plan(self)
        plan = self.instance.plan if self.instance.plan_id else _initial_plan(self)
        self.init_version(plan)
        self.fields["phase"].queryset = Phase.objects.filter(plan=plan) if plan else Phase.objects.none()
        self.fields["item"].queryset = CatalogueItem.objects.filter(is_active=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        plan, item = data.get("plan"), data.get("item")
        if data.get("unit_price_vnd") is None and plan is not None and item is not None:
            price = item_price_on(item=item, on=plan.price_date)
            if price is None:
                self.add_error(
                    "unit_price_vnd",
                    _("%(item)s has no price on %(day)s; enter the unit price or add it to the catalogue.")
                    % {"item": item, "day": plan.price_date.strftime("%d/%m/%Y")},
                )
            else:
                data["unit_price_vnd"] = price
        return data

    def save_with_services(self) -> PlanLine:
        data = self.cleaned_data
        values = {name: data[name] for name in ("site", "item", "quantity", "unit_price_vnd", "phase", "zone", "note")}
        if self.instance.pk is None:
            return services.line_create(plan=data["plan"], user=self.user, **self.lock(), **values)
        line = PlanLine.objects.select_related("plan").get(pk=self.instance.pk)
        return services.line_update(line=line, user=self.user, **self.lock(), **values)


class GenerateForm(PlanChangeMixin):
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"),
        queryset=Site.objects.select_related("unit").order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 12}),
        help_text=_("Empty: every site that a standard kit applies to."),
    )
    phase = forms.ModelChoiceField(
        label=_("Put new lines in phase"),
        queryset=Phase.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, plan: InvestmentPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.init_version(plan)
        self.fields["phase"].queryset = plan.phases.all()
        self.fields["reason"].widget.attrs.setdefault("class", "form-control")


class AssignPhaseForm(PlanChangeMixin):
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"),
        queryset=Site.objects.order_by("name"),
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 12}),
    )
    phase = forms.ModelChoiceField(
        label=_("Phase"),
        queryset=Phase.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("Empty: out of any phase."),
    )

    def __init__(self, *args: Any, plan: InvestmentPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.init_version(plan)
        self.fields["phase"].queryset = plan.phases.all()
        self.fields["sites"].queryset = Site.objects.filter(investment_lines__plan=plan).distinct().order_by("name")
        self.fields["reason"].widget.attrs.setdefault("class", "form-control")


class SubmitForm(forms.Form):
    plan_version = forms.IntegerField(widget=forms.HiddenInput)


class ApproveForm(forms.Form):
    """The leader's approval (phê duyệt): the decision that approves the plan, a comment, the warnings seen."""

    plan_version = forms.IntegerField(widget=forms.HiddenInput)
    decision_number = forms.CharField(
        label=_("Decision number"),
        max_length=120,
        help_text=_("The number of the decision that approves the plan, e.g. 1234/QĐ-UBND."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    decision_date = forms.DateField(
        label=_("Decision date"),
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d"),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )
    acknowledge_overrun = forms.BooleanField(
        label=_("I have read the funding warnings above and approve the plan with them."),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, has_warnings: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_warnings = has_warnings
        if has_warnings:
            self.fields["acknowledge_overrun"].required = True
        else:
            del self.fields["acknowledge_overrun"]

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class AllocationForm(PlanChangeMixin, ScopedModelForm):
    class Meta:
        model = Allocation
        fields = ("plan", "phase", "year", "source", "amount_vnd", "decision", "note")
        widgets = {"plan": forms.HiddenInput}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _pin_plan(self)
        plan = self.instance.plan if self.instance.plan_id else _initial_plan(self)
        self.init_version(plan)
        self.fields["phase"].queryset = Phase.objects.filter(plan=plan) if plan else Phase.objects.none()
        self.warnings: list = []

    def save_with_services(self) -> Allocation:
        allocation, self.warnings = services.allocation_save(allocation=self.instance, user=self.user, **self.lock())
        return allocation


class SpendingForm(ScopedModelForm):
    class Meta:
        model = Spending
        fields = ("plan", "phase", "site", "kind", "year", "on", "amount_vnd", "reference", "note")
        widgets = {"plan": forms.HiddenInput}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _pin_plan(self)
        plan = self.instance.plan if self.instance.plan_id else _initial_plan(self)
        self.fields["phase"].queryset = Phase.objects.filter(plan=plan) if plan else Phase.objects.none()
        self.warnings: list = []

    def save_with_services(self) -> Spending:
        spending, self.warnings = services.spending_save(spending=self.instance, user=self.user)
        return spending
