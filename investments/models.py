"""
Investment planning: a unit-price catalogue with dated prices, standard kits per site class, and
investment plans (phases, line items, yearly allocations, spending, approved revisions).

Money is integer đồng everywhere (`PositiveBigIntegerField`); a line's amount is stored so that
totals are exact database sums, and it is always `quantity × unit_price_vnd`.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.models import ChoiceLabelsMixin, TimeStampedModel
from common.scoping import ScopedQuerySet
from investments.choices import FundingSource, LineSource, LineStatus, PlanStatus, SpendingKind
from sites.choices import EquipmentKind, SiteKind

__all__ = [
    "Allocation",
    "CatalogueItem",
    "InvestmentPlan",
    "ItemPrice",
    "KitLine",
    "Phase",
    "PlanLine",
    "PlanReuse",
    "PlanRevision",
    "Spending",
    "StandardKit",
]

code_help = _("Letters, digits, '-' and '_'; unique.")
year_validators = [MinValueValidator(2000), MaxValueValidator(2100)]


#
# Catalogue
#


class CatalogueItem(TimeStampedModel):
    """
    An item of the unit-price catalogue (danh mục đơn giá): something the district buys. It is either
    an equipment kind (matched against the inventory of `sites.Equipment`) or a camera type (matched
    against the coverage gaps of the cameras app), never both.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True, help_text=code_help)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit of measure"), max_length=32, default="chiếc", help_text=_("e.g. piece, set"))
    equipment_kind = models.CharField(_("equipment kind"), max_length=16, choices=EquipmentKind, blank=True)
    camera_type = models.CharField(
        _("camera type"), max_length=32, blank=True, help_text=_("The cameras app's camera type, for camera gaps.")
    )
    specification = models.TextField(_("specification"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ("name",)
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        constraints = [
            models.CheckConstraint(
                condition=(Q(equipment_kind="") & ~Q(camera_type="")) | (~Q(equipment_kind="") & Q(camera_type="")),
                name="%(app_label)s_%(class)s_kind_xor_camera_type",
                violation_error_message=_("An item is either an equipment kind or a camera type."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("investments:catalogueitem_detail", args=[self.pk])

    @property
    def kind_key(self) -> str:
        """The kind used for totals per item kind: the equipment kind, or `camera:<type>`."""
        return self.equipment_kind or f"camera:{self.camera_type}"

    def get_kind_display(self) -> str:
        if self.equipment_kind:
            return str(EquipmentKind(self.equipment_kind).label)
        from cameras.choices import CameraType

        label = CameraType(self.camera_type).label if self.camera_type in CameraType.values else self.camera_type
        return str(_("Camera: %(type)s") % {"type": label})


class ItemPrice(models.Model):
    """A catalogue item's unit price in đồng from a date on; older prices are kept."""

    item = models.ForeignKey(CatalogueItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="prices")
    valid_from = models.DateField(_("valid from"))
    price_vnd = models.PositiveBigIntegerField(_("unit price (VND)"))
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("Quotation, price list, decision."))
    history = HistoricalRecords()

    class Meta:
        ordering = ("item", "-valid_from")
        verbose_name = _("item price")
        verbose_name_plural = _("item prices")
        constraints = [
            models.UniqueConstraint(
                fields=("item", "valid_from"),
                name="%(app_label)s_%(class)s_one_per_day",
                violation_error_message=_("This item already has a price from this date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.valid_from:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return self.item.get_absolute_url()


class StandardKit(TimeStampedModel):
    """
    A standard kit (bộ thiết bị chuẩn) for a class of site, e.g. a commune bridge point or a key
    agency's security cameras. It applies to every site of `site_kind` (of any kind when empty; only
    key sites when `key_sites_only`); several kits may apply to one site and their lines add up.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True, help_text=code_help)
    name = models.CharField(_("name"), max_length=200)
    site_kind = models.CharField(
        _("site kind"), max_length=16, choices=SiteKind, blank=True, help_text=_("Empty: sites of every kind.")
    )
    key_sites_only = models.BooleanField(_("key sites only"), default=False)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ("name",)
        verbose_name = _("standard kit")
        verbose_name_plural = _("standard kits")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("investments:standardkit_detail", args=[self.pk])


class KitLine(models.Model):
    """How many of one catalogue item a standard kit holds."""

    kit = models.ForeignKey(StandardKit, verbose_name=_("kit"), on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(CatalogueItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="kit_lines")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    history = HistoricalRecords()

    class Meta:
        ordering = ("kit", "item__name")
        verbose_name = _("kit line")
        verbose_name_plural = _("kit lines")
        constraints = [
            models.UniqueConstraint(
                fields=("kit", "item"),
                name="%(app_label)s_%(class)s_item_once",
                violation_error_message=_("This item is already in the kit."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item}"

    def get_absolute_url(self) -> str:
        return self.kit.get_absolute_url()


#
# Plans
#


class InvestmentPlan(TimeStampedModel):
    """
    An investment plan with its total investment estimate (khái toán tổng mức đầu tư) and phased
    roadmap (lộ trình đầu tư theo giai đoạn). `version` grows with every change to the plan or its
    lines, so that two people editing at once don't overwrite each other; approved states are kept
    as `revisions`.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True, help_text=code_help)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"), validators=year_validators)
    end_year = models.PositiveSmallIntegerField(_("last year"), validators=year_validators)
    price_date = models.DateField(
        _("price date"), default=timezone.localdate, help_text=_("Unit prices are taken as they stand on this day.")
    )
    status = models.CharField(_("status"), max_length=16, choices=PlanStatus, default=PlanStatus.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    submitted_at = models.DateTimeField(_("submitted for approval at"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("submitted for approval by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ("-start_year", "title")
        verbose_name = _("investment plan")
        verbose_name_plural = _("investment plans")
        permissions = [("approve_investmentplan", _("Can approve investment plans"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")),
                name="%(app_label)s_%(class)s_years_in_order",
                violation_error_message=_("The last year cannot be before the first year."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("investments:investmentplan_detail", args=[self.pk])

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))


class Phase(models.Model):
    """A phase (giai đoạn) of a plan's roadmap, over one or more years."""

    plan = models.ForeignKey(InvestmentPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    name = models.CharField(_("name"), max_length=200)
    start_year = models.PositiveSmallIntegerField(_("first year"), validators=year_validators)
    end_year = models.PositiveSmallIntegerField(_("last year"), validators=year_validators)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ("plan", "number")
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(
                fields=("plan", "number"),
                name="%(app_label)s_%(class)s_number_once",
                violation_error_message=_("The plan already has a phase with this number."),
            ),
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")),
                name="%(app_label)s_%(class)s_years_in_order",
                violation_error_message=_("The last year cannot be before the first year."),
            ),
        ]

    def __str__(self) -> str:
        return _("Phase %(number)s: %(name)s") % {"number": self.number, "name": self.name}

    def get_absolute_url(self) -> str:
        return self.plan.get_absolute_url()

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        # A phase lies inside its plan's years.
        if self.plan_id and self.start_year and self.end_year:
            plan = self.plan
            if self.start_year < plan.start_year or self.end_year > plan.end_year:
                raise ValidationError(
                    _("A phase must lie within the plan's years (%(start)s–%(end)s).")
                    % {"start": plan.start_year, "end": plan.end_year}
                )


class PlanLine(ChoiceLabelsMixin, models.Model):
    """
    A line item (hạng mục) of a plan: a quantity of one catalogue item for one site at a unit price.
    `amount_vnd` is always `quantity × unit_price_vnd`, kept by `save()`.
    """

    plan = models.ForeignKey(InvestmentPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="lines")
    phase = models.ForeignKey(
        Phase, verbose_name=_("phase"), on_delete=models.SET_NULL, null=True, blank=True, related_name="lines"
    )
    site = models.ForeignKey(
        "sites.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="investment_lines"
    )
    item = models.ForeignKey(CatalogueItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="plan_lines")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price_vnd = models.PositiveBigIntegerField(_("unit price (VND)"))
    amount_vnd = models.PositiveBigIntegerField(_("amount (VND)"), editable=False)
    source = models.CharField(_("source"), max_length=16, choices=LineSource, default=LineSource.MANUAL)
    zone = models.CharField(_("zone"), max_length=100, blank=True, help_text=_("Where cameras go, for camera lines."))
    note = models.CharField(_("note"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=LineStatus, default=LineStatus.PLANNED)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    delivered_records = models.JSONField(_("records created"), default=list, blank=True, editable=False)
    # How a generated line's quantity was worked out (see `basis_display`); empty for lines entered by hand.
    basis = models.JSONField(_("basis"), default=dict, blank=True, editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "site__unit"

    class Meta:
        ordering = ("plan", "phase__number", "site__name", "item__name", "pk")
        verbose_name = _("line item")
        verbose_name_plural = _("line items")
        indexes = [models.Index(fields=("plan", "site"))]

    def __str__(self) -> str:
        return f"{self.site} · {self.quantity} × {self.item}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.amount_vnd = self.quantity * self.unit_price_vnd
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("investments:planline_detail", args=[self.pk])

    def basis_display(self) -> str:
        """
        How the quantity was worked out, in words: for a standard-kit line, what the kit requires minus
        what is usable at the site (equipment and cameras in service) and the camera coverage gaps it
        also fills; for a coverage-gap line, what the zone misses minus what the kit line brings.
        """
        basis = self.basis or {}
        if "required" in basis:
            text = _("Standard kit: %(required)s; usable at the site: %(usable)s; to buy: %(buy)s.") % {
                "required": basis["required"],
                "usable": basis.get("usable", 0),
                "buy": self.quantity,
            }
            if basis.get("cameras"):
                text += " " + _("Counted as usable: %(n)s camera(s) of this type in service.") % {"n": basis["cameras"]}
            covers = basis.get("covers") or []
            if covers:
                zones = ", ".join(f"{c['zone']} ({c['quantity']})" for c in covers)
                text += " " + _("These also fill the camera coverage gaps: %(zones)s.") % {"zones": zones}
            return text
        if "missing" in basis:
            if basis.get("reason") == "no_preferred_type":
                text = _("Coverage gap at %(zone)s: no camera of the preferred type.") % {"zone": basis.get("zone", "")}
            else:
                text = _("Coverage gap at %(zone)s: %(n)s camera(s) missing.") % {
                    "zone": basis.get("zone", ""),
                    "n": basis["missing"],
                }
            if basis.get("from_kit"):
                text += " " + _("%(n)s come from the standard kit line of this site.") % {"n": basis["from_kit"]}
            return text + " " + _("To buy: %(n)s.") % {"n": self.quantity}
        return ""

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        # The phase, when given, belongs to the line's own plan.
        if self.phase_id and self.plan_id and self.phase.plan_id != self.plan_id:
            raise ValidationError({"phase": _("The phase belongs to another plan.")})


class PlanReuse(models.Model):
    """Existing usable equipment that a generated plan keeps instead of buying, with what it saves."""

    plan = models.ForeignKey(InvestmentPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="reuses")
    site = models.ForeignKey("sites.Site", verbose_name=_("site"), on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(CatalogueItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price_vnd = models.PositiveBigIntegerField(_("unit price (VND)"))
    saving_vnd = models.PositiveBigIntegerField(_("saving (VND)"))

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "site__unit"

    class Meta:
        ordering = ("plan", "site__name", "item__name")
        verbose_name = _("reused item")
        verbose_name_plural = _("reused items")

    def __str__(self) -> str:
        return f"{self.site} · {self.quantity} × {self.item}"


class PlanRevision(models.Model):
    """
    A numbered state of a plan: its lines and totals as a snapshot. Approval creates one; changing
    an approved plan opens the next with a reason, which follows the edits until a leader approves it.
    """

    plan = models.ForeignKey(InvestmentPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("number"))
    reason = models.TextField(_("reason"), blank=True)
    snapshot = models.JSONField(_("snapshot"), default=dict)
    total_vnd = models.PositiveBigIntegerField(_("total (VND)"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        "accounts.User", verbose_name=_("approved by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decision_number = models.CharField(
        _("decision number"), max_length=120, blank=True, help_text=_("Number of the approving decision.")
    )
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    approval_comment = models.TextField(_("approval comment"), blank=True)
    # The funding warnings on screen when the leader approved, acknowledged explicitly (their messages).
    overrun_warnings = models.JSONField(_("overrun warnings acknowledged"), default=list, blank=True)

    class Meta:
        ordering = ("plan", "-number")
        verbose_name = _("plan revision")
        verbose_name_plural = _("plan revisions")
        constraints = [
            models.UniqueConstraint(fields=("plan", "number"), name="%(app_label)s_%(class)s_number_once"),
        ]

    def __str__(self) -> str:
        return _("Revision %(number)s") % {"number": self.number}


#
# Funding
#


class Allocation(TimeStampedModel):
    """
    The annual budget allocation (bố trí nguồn kinh phí hàng năm) that the Finance-Planning office
    arranges: an amount from one funding source, in one year, for one phase. Changes are kept in
    `history`.
    """

    plan = models.ForeignKey(
        InvestmentPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="allocations"
    )
    phase = models.ForeignKey(Phase, verbose_name=_("phase"), on_delete=models.PROTECT, related_name="allocations")
    year = models.PositiveSmallIntegerField(_("year"), validators=year_validators)
    source = models.CharField(_("funding source"), max_length=16, choices=FundingSource)
    amount_vnd = models.PositiveBigIntegerField(_("amount (VND)"))
    decision = models.CharField(_("decision"), max_length=120, blank=True, help_text=_("Number of the decision."))
    note = models.CharField(_("note"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ("plan", "year", "phase__number", "source")
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(
                fields=("phase", "year", "source"),
                name="%(app_label)s_%(class)s_once_per_year_source",
                violation_error_message=_("This phase already has an allocation from this source in this year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.get_source_display()} · {self.phase}"

    def get_absolute_url(self) -> str:
        return self.plan.get_absolute_url() + "#funding"


class Spending(TimeStampedModel):
    """A commitment (contract signed) or a payment against a phase, optionally for one site."""

    plan = models.ForeignKey(InvestmentPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="spending")
    phase = models.ForeignKey(Phase, verbose_name=_("phase"), on_delete=models.PROTECT, related_name="spending")
    site = models.ForeignKey(
        "sites.Site", verbose_name=_("site"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SpendingKind)
    year = models.PositiveSmallIntegerField(_("year"), validators=year_validators)
    on = models.DateField(_("date"))
    amount_vnd = models.PositiveBigIntegerField(_("amount (VND)"))
    reference = models.CharField(_("reference"), max_length=120, blank=True, help_text=_("Contract or voucher."))
    note = models.CharField(_("note"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ("plan", "-on", "-pk")
        verbose_name = _("spending record")
        verbose_name_plural = _("spending records")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.on:%d/%m/%Y} · {self.phase}"

    def get_absolute_url(self) -> str:
        return self.plan.get_absolute_url() + "#funding"
