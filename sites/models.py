"""
Administrative units, sites, meeting rooms, bridge points and their equipment.

The unit tree is effective-dated: a unit's name and parent live in `AdministrativeUnitVersion`
rows, each valid over a date range, and a site's unit in `SiteUnitAssignment` rows. The `name` and
`parent` columns on the unit, and `unit` on the site, mirror the version in force today, so that
day-to-day queries stay simple; the history answers "what was this called on 12/03/2024?".
"""

from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.models import ChoiceLabelsMixin, TimeStampedModel
from common.scoping import ScopedQuerySet
from sites.choices import (
    BridgePointRole,
    EquipmentKind,
    EquipmentStatus,
    LinkKind,
    LinkRole,
    SiteKind,
    Terrain,
    TestCallResult,
    UnitKind,
)

__all__ = [
    "AdministrativeUnit",
    "AdministrativeUnitVersion",
    "BridgePoint",
    "Equipment",
    "NetworkLink",
    "Room",
    "Site",
    "SiteContact",
    "SiteUnitAssignment",
]

code_help = _("Letters, digits, '-' and '_'; unique.")


#
# Administrative units
#


class AdministrativeUnit(TimeStampedModel):
    """
    An administrative unit (đơn vị hành chính): province, district, commune, ward, town or special
    zone, in a tree of any depth. `name` and `parent` are those in force today; past ones are kept in
    `versions`. A unit that was merged away keeps its row, with `dissolved_on` and `merged_into` set.
    """

    code = models.SlugField(_("code"), max_length=32, unique=True, help_text=code_help)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind)
    terrain = models.CharField(_("terrain"), max_length=16, choices=Terrain, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    established_on = models.DateField(_("established on"), default=date(1900, 1, 1))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = ""  # the unit is its own scope
    choice_label_fields = ("name",)  # what `str(unit)` reads (common.views.filter_choices_for_user)

    class Meta:
        ordering = ("name",)
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="%(app_label)s_%(class)s_not_own_parent",
                violation_error_message=_("A unit cannot be its own parent."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sites:administrativeunit_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None or self.dissolved_on > timezone.localdate()

    def version_on(self, day: date) -> "AdministrativeUnitVersion | None":
        """The name and parent in force on `day` (None before the unit existed or after it ended)."""
        return (
            self.versions.filter(valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
            .select_related("parent")
            .first()
        )

    def name_on(self, day: date) -> str:
        version = self.version_on(day)
        return version.name if version else self.name


class AdministrativeUnitVersion(models.Model):
    """One period of a unit's name and parent: valid from `valid_from` (inclusive) to `valid_to`
    (exclusive; empty while in force)."""

    unit = models.ForeignKey(
        AdministrativeUnit, on_delete=models.CASCADE, related_name="versions", verbose_name=_("unit")
    )
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="child_versions",
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        ordering = ("unit", "valid_from")
        verbose_name = _("unit version")
        verbose_name_plural = _("unit versions")
        constraints = [
            models.UniqueConstraint(fields=("unit", "valid_from"), name="%(app_label)s_%(class)s_unique_start"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="%(app_label)s_%(class)s_valid_range",
                violation_error_message=_("A version must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.name} ({self.valid_from:%d/%m/%Y}–{self.valid_to:%d/%m/%Y})"
            if self.valid_to
            else (f"{self.name} ({self.valid_from:%d/%m/%Y}–)")
        )


#
# Sites
#


class Site(TimeStampedModel):
    """
    A site (trụ sở, cơ quan): a physical place that belongs to a unit, such as a People's Committee
    headquarters, the Party Committee hall, an agency or a school. Sites hold meeting rooms,
    equipment and cameras.
    """

    code = models.SlugField(_("code"), max_length=48, unique=True, help_text=code_help)
    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("administrative unit"), on_delete=models.PROTECT, related_name="sites"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SiteKind)
    address = models.CharField(_("address"), max_length=255, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    terrain = models.CharField(
        _("terrain"),
        max_length=16,
        choices=Terrain,
        blank=True,
        help_text=_("Empty means the terrain of its unit."),
    )
    is_key_site = models.BooleanField(
        _("key site"), default=False, help_text=_("Key agencies get camera coverage first.")
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The trip a delegation would make to the district hall without the network (saved per briefing).
    travel_km = models.DecimalField(
        _("distance to the district hall (km)"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("One way, by road. Empty: from the coordinates (great-circle distance × road factor)."),
    )
    travel_minutes = models.PositiveSmallIntegerField(
        _("travel time to the district hall (minutes)"),
        null=True,
        blank=True,
        help_text=_("One way. Empty: from the distance at the average speed."),
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "unit"
    choice_label_fields = ("name",)  # what `str(site)` reads (common.views.filter_choices_for_user)

    class Meta:
        ordering = ("name",)
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        # The lists of what sites hold (equipment, rooms) are ordered by the site's name: with this index
        # PostgreSQL reads the first sites in order and sorts only their rows (an incremental sort), not
        # a province's 50,000 items of equipment for a page of 25 (50 ms → 1 ms).
        indexes = [models.Index(fields=["name"], name="sites_site_name_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sites:site_detail", args=[self.pk])

    @property
    def effective_terrain(self) -> str:
        return self.terrain or self.unit.terrain

    def get_effective_terrain_display(self) -> str:
        return str(Terrain(self.effective_terrain).label) if self.effective_terrain else ""


class SiteUnitAssignment(models.Model):
    """Which unit a site belonged to over a period; kept so that mergers don't rewrite the past."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="unit_assignments")
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="site_assignments")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ("site", "valid_from")
        constraints = [
            models.UniqueConstraint(fields=("site", "valid_from"), name="%(app_label)s_%(class)s_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.site} → {self.unit}"


class SiteContact(models.Model):
    """A person to call about a site (the commune office, the technician on duty)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=120)
    position = models.CharField(_("position"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_technical = models.BooleanField(_("technical contact"), default=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "site__unit"

    class Meta:
        ordering = ("site", "name")
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.name} ({self.position})" if self.position else self.name

    def get_absolute_url(self) -> str:
        return reverse("sites:sitecontact_detail", args=[self.pk])


#
# Rooms and bridge points
#


class RoomManager(models.Manager.from_queryset(ScopedQuerySet)):
    """A room is named with its site (`str(room)`): every room list, choice and filter joins the site."""

    def get_queryset(self) -> ScopedQuerySet:
        return super().get_queryset().select_related("site")


class Room(TimeStampedModel):
    """A meeting room or hall (phòng họp, hội trường) at a site. A room may be a bridge point."""

    code = models.SlugField(_("code"), max_length=64, unique=True, help_text=code_help)
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(_("name"), max_length=200)
    capacity = models.PositiveIntegerField(_("capacity"), default=0)
    av_devices = models.TextField(_("audio-visual devices"), blank=True)
    is_bookable = models.BooleanField(_("bookable"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    objects = RoomManager()
    unit_scope_lookup = "site__unit"
    choice_label_fields = ("name", "site__name")  # what `str(room)` reads (common.views.filter_choices_for_user)

    class Meta:
        ordering = ("site__name", "name")
        verbose_name = _("room")
        verbose_name_plural = _("rooms")

    def __str__(self) -> str:
        return f"{self.name} – {self.site.name}"

    def get_absolute_url(self) -> str:
        return reverse("sites:room_detail", args=[self.pk])


class BridgePoint(TimeStampedModel):
    """
    A bridge point (điểm cầu): a meeting room equipped to join online briefings. The host bridge point
    (điểm cầu chính) runs the meeting; participants join it. `janus_display` is the name the site
    shows in the video room.
    """

    room = models.OneToOneField(Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="bridge_point")
    code = models.SlugField(_("code"), max_length=64, unique=True, help_text=code_help)
    role = models.CharField(_("role"), max_length=16, choices=BridgePointRole, default=BridgePointRole.PARTICIPANT)
    endpoint = models.CharField(
        _("codec or PC"), max_length=200, blank=True, help_text=_("The device that joins the call.")
    )
    janus_display = models.CharField(_("display name in the video room"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)
    last_test_at = models.DateTimeField(_("last test call"), null=True, blank=True)
    last_test_result = models.CharField(
        _("last test result"), max_length=16, choices=TestCallResult, blank=True, default=TestCallResult.NONE
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "room__site__unit"

    class Meta:
        ordering = ("room__site__name",)
        verbose_name = _("bridge point")
        verbose_name_plural = _("bridge points")

    def __str__(self) -> str:
        return self.janus_display

    def get_absolute_url(self) -> str:
        return reverse("sites:bridgepoint_detail", args=[self.pk])

    @property
    def site(self) -> Site:
        return self.room.site


class NetworkLink(ChoiceLabelsMixin, models.Model):
    """A bridge point's network link: kind, provider, bandwidth, primary or backup."""

    bridge_point = models.ForeignKey(
        BridgePoint, verbose_name=_("bridge point"), on_delete=models.CASCADE, related_name="links"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=LinkKind)
    provider = models.CharField(_("provider"), max_length=120, blank=True)
    bandwidth_mbps = models.PositiveIntegerField(_("bandwidth (Mbit/s)"))
    role = models.CharField(_("role"), max_length=16, choices=LinkRole, default=LinkRole.PRIMARY)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "bridge_point__room__site__unit"

    class Meta:
        ordering = ("bridge_point", "role")
        verbose_name = _("network link")
        verbose_name_plural = _("network links")
        constraints = [
            models.UniqueConstraint(
                fields=("bridge_point",),
                condition=Q(role="primary"),
                name="%(app_label)s_%(class)s_one_primary",
                violation_error_message=_("A bridge point has only one primary link."),
            ),
            models.CheckConstraint(
                condition=Q(bandwidth_mbps__gt=0),
                name="%(app_label)s_%(class)s_bandwidth_positive",
                violation_error_message=_("Bandwidth must be positive."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.bandwidth_mbps} Mbit/s ({self.get_role_display()})"

    def get_absolute_url(self) -> str:
        return self.bridge_point.get_absolute_url()


#
# Equipment
#


class Equipment(TimeStampedModel):
    """An item of equipment (thiết bị) at a site, optionally in a room. `code` is the asset tag."""

    code = models.SlugField(_("asset tag"), max_length=64, unique=True, help_text=code_help)
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="equipment")
    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.PROTECT, null=True, blank=True, related_name="equipment"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EquipmentKind)
    model = models.CharField(_("model"), max_length=120, blank=True)
    serial = models.CharField(_("serial number"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=EquipmentStatus, default=EquipmentStatus.WORKING)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    cost_vnd = models.PositiveBigIntegerField(_("cost (VND)"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True)
    is_reusable = models.BooleanField(
        _("reusable"), default=True, help_text=_("Can be kept when the site is upgraded.")
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "site__unit"

    class Meta:
        ordering = ("site__name", "kind", "code")
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        constraints = [
            models.UniqueConstraint(
                fields=("kind", "serial"),
                condition=~Q(serial=""),
                name="%(app_label)s_%(class)s_unique_serial_per_kind",
                violation_error_message=_("Another item of this kind has the same serial number."),
            ),
        ]
        indexes = [
            models.Index(fields=("site", "kind", "status")),
            # The warranties ending soon (technicians' and finance's home): a range over 50,000 rows.
            models.Index(fields=("warranty_end",), name="sites_equipment_warranty_idx"),
            # The faulty and retired ones, across sites (the list filtered by status, its count): a few in 50,000.
            models.Index(fields=("status",), name="sites_equipment_status_idx"),
        ]

    def __str__(self) -> str:
        label = self.model or self.get_kind_display()
        return f"{label} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("sites:equipment_detail", args=[self.pk])

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        # The room, when given, must be at the equipment's own site.
        if self.room_id and self.site_id and self.room.site_id != self.site_id:
            raise ValidationError({"room": _("The room is not at this site.")})
        if self.purchase_date and self.warranty_end and self.warranty_end < self.purchase_date:
            raise ValidationError({"warranty_end": _("The warranty cannot end before the purchase date.")})
