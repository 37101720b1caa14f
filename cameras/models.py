"""
Security cameras (ca-mê-ra giám sát an ninh), the recorders they record to, their measured health,
alerts and outages, and the coverage every key site should have.

Inventory fields (what a technician keeps) have a change history; the health fields that probes
update every minute do not, since their story is told by `CameraOutage` and `CameraAlert` instead.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cameras.choices import AlertKind, CameraStatus, CameraType, Health, Placement, RecorderKind
from common.display import local_datetime
from common.fields import EncryptedTextField
from common.models import ChoiceLabelsMixin, TimeStampedModel
from common.scoping import ScopedQuerySet
from sites.choices import SiteKind

__all__ = ["Camera", "CameraAlert", "CameraIncident", "CameraOutage", "CoverageTemplate", "Recorder", "ZoneRequirement"]

code_help = _("Letters, digits, '-' and '_'; unique.")
stream_url_validator = URLValidator(schemes=["rtsp", "rtsps", "http", "https"])
snapshot_url_validator = URLValidator(schemes=["http", "https"])

# Probe bookkeeping: changes every sweep, so it stays out of the change history.
HEALTH_FIELDS = [
    "health",
    "health_changed_at",
    "last_probe_at",
    "last_seen_at",
    "last_probe_error",
    "consecutive_failures",
    "consecutive_successes",
    "failing_since",
    "monitored_since",
]


class Recorder(TimeStampedModel):
    """
    A recorder (đầu ghi): a DVR or NVR that records cameras on numbered channels and keeps
    `storage_days` of footage. `operator` is who watches it, e.g. the district police.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True, help_text=code_help)
    name = models.CharField(_("name"), max_length=120)
    site = models.ForeignKey(
        "sites.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="camera_recorders"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=RecorderKind, default=RecorderKind.NVR)
    operator = models.CharField(_("operated by"), max_length=120, blank=True, help_text=_("e.g. district police"))
    model = models.CharField(_("model"), max_length=120, blank=True)
    serial = models.CharField(_("serial number"), max_length=120, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    channels = models.PositiveSmallIntegerField(
        _("channels"), default=16, validators=[MinValueValidator(1), MaxValueValidator(512)]
    )
    storage_days = models.PositiveSmallIntegerField(_("storage days"), default=30)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "site__unit"

    class Meta:
        ordering = ("site__name", "name")
        verbose_name = _("recorder")
        verbose_name_plural = _("recorders")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cameras:recorder_detail", args=[self.pk])


class Camera(TimeStampedModel):
    """
    A security camera at a site: where it hangs (building, floor, placement), what it is, how to
    reach its stream, which recorder channel keeps its footage, and its health as last probed.

    `status` is the inventory status people set (in service, faulty, removed); `health` is what the
    probes measured. Only in-service cameras outside maintenance are probed. The stream password is
    encrypted at rest and never leaves the server in full.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True, help_text=code_help)
    name = models.CharField(_("name"), max_length=120, blank=True)
    site = models.ForeignKey("sites.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="cameras")
    building = models.CharField(_("building"), max_length=120, blank=True)
    floor = models.SmallIntegerField(_("floor"), default=1, help_text=_("1 is the ground floor."))
    placement = models.CharField(_("placement"), max_length=16, choices=Placement, default=Placement.OTHER)
    camera_type = models.CharField(_("type"), max_length=16, choices=CameraType)
    model = models.CharField(_("model"), max_length=120, blank=True)
    serial = models.CharField(_("serial number"), max_length=120, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    stream_url = models.CharField(
        _("stream URL"),
        max_length=500,
        blank=True,
        validators=[stream_url_validator],
        help_text=_("rtsp://host:554/path, without user name or password."),
    )
    snapshot_url = models.CharField(_("snapshot URL"), max_length=500, blank=True, validators=[snapshot_url_validator])
    username = models.CharField(_("user name"), max_length=120, blank=True)
    password = EncryptedTextField(_("password"), blank=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    recorder = models.ForeignKey(
        Recorder,
        verbose_name=_("recorder"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cameras",
    )
    recorder_channel = models.PositiveSmallIntegerField(_("recorder channel"), null=True, blank=True)
    install_date = models.DateField(_("install date"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True)
    cost_vnd = models.PositiveBigIntegerField(_("cost (VND)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=CameraStatus, default=CameraStatus.IN_SERVICE)
    maintenance = models.BooleanField(
        _("maintenance mode"), default=False, help_text=_("Not probed and raises no alerts while set.")
    )
    notes = models.TextField(_("notes"), blank=True)

    # Health, written by the probes (see cameras.services.camera_health_record).
    health = models.CharField(_("health"), max_length=16, choices=Health, default=Health.UNKNOWN)
    health_changed_at = models.DateTimeField(_("health changed at"), null=True, blank=True)
    last_probe_at = models.DateTimeField(_("last probed"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    last_probe_error = models.CharField(_("last probe error"), max_length=255, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    consecutive_successes = models.PositiveIntegerField(default=0, editable=False)
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    monitored_since = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["password", *HEALTH_FIELDS])

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "site__unit"

    class Meta:
        ordering = ("site__name", "floor", "code")
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")
        permissions = [("change_camera_password", _("Can change a camera's stream password"))]
        constraints = [
            models.UniqueConstraint(
                fields=("recorder", "recorder_channel"),
                condition=Q(recorder__isnull=False, recorder_channel__isnull=False),
                name="%(app_label)s_%(class)s_one_camera_per_channel",
                violation_error_message=_("Another camera already records on this recorder channel."),
            ),
        ]
        indexes = [
            models.Index(fields=("status", "site")),
            models.Index(fields=("site", "floor", "placement")),
            models.Index(fields=("health",)),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.name else self.code

    def get_absolute_url(self) -> str:
        return reverse("cameras:camera_detail", args=[self.pk])

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, str] = {}
        channel = self.recorder_channel
        if self.recorder_id and channel is not None and not 1 <= channel <= self.recorder.channels:
            errors["recorder_channel"] = _("The recorder has channels 1 to %(n)d.") % {"n": self.recorder.channels}
        if self.recorder_channel is not None and not self.recorder_id:
            errors["recorder_channel"] = _("Choose the recorder first.")
        if self.install_date and self.warranty_end and self.warranty_end < self.install_date:
            errors["warranty_end"] = _("The warranty cannot end before the install date.")
        if "@" in self.stream_url.split("//", 1)[-1].split("/", 1)[0]:
            errors["stream_url"] = _("Put the user name and password in their own fields, not in the URL.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_probed(self) -> bool:
        """Probes run only for in-service cameras outside maintenance that have an address."""
        return (
            self.status == CameraStatus.IN_SERVICE and not self.maintenance and bool(self.stream_url or self.ip_address)
        )

    @property
    def masked_password(self) -> str:
        """What pages show instead of the password: dots when one is set, nothing otherwise."""
        return "••••••••" if self.password else ""


class CameraOutage(models.Model):
    """
    One period during which a camera was offline (mất tín hiệu): from its first failed probe of the
    streak that took it offline to the probe that brought it back (empty while still offline).
    """

    camera = models.ForeignKey(Camera, verbose_name=_("camera"), on_delete=models.CASCADE, related_name="outages")
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    last_error = models.CharField(_("error"), max_length=255, blank=True)

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "camera__site__unit"

    class Meta:
        ordering = ("-started_at",)
        verbose_name = _("outage")
        verbose_name_plural = _("outages")
        constraints = [
            models.UniqueConstraint(
                fields=("camera",), condition=Q(ended_at__isnull=True), name="%(app_label)s_%(class)s_one_open"
            ),
        ]
        indexes = [models.Index(fields=("camera", "started_at"))]

    def __str__(self) -> str:
        return f"{self.camera} {local_datetime(self.started_at)}"

    @property
    def duration(self) -> timedelta | None:
        return self.ended_at - self.started_at if self.ended_at else None


class CameraIncident(models.Model):
    """
    An incident (sự cố camera): one outage episode at a site. It opens when a camera of the site goes
    offline while the site has no open incident; cameras of the site that go offline meanwhile join
    it; it clears (`ended_at`) when none of its cameras is offline and monitored any more. People are
    notified once when it opens and once when it clears, and acknowledge it as a whole (which
    acknowledges its cameras' alerts). Its cameras are those of its offline alerts.
    """

    site = models.ForeignKey(
        "sites.Site", verbose_name=_("site"), on_delete=models.CASCADE, related_name="camera_incidents"
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "site__unit"

    class Meta:
        ordering = ("-started_at", "-pk")
        verbose_name = _("camera incident")
        verbose_name_plural = _("camera incidents")
        constraints = [
            models.UniqueConstraint(
                fields=("site",), condition=Q(ended_at__isnull=True), name="%(app_label)s_%(class)s_one_open_per_site"
            ),
        ]
        indexes = [models.Index(fields=("acknowledged_at", "ended_at"))]

    def __str__(self) -> str:
        return f"{self.site} {local_datetime(self.started_at)}"

    def get_absolute_url(self) -> str:
        return reverse("cameras:incident_detail", args=[self.pk])

    @property
    def cameras(self) -> list[Camera]:
        """The cameras that went offline in this incident, in the order they did (uses prefetched alerts)."""
        seen: dict[int, Camera] = {}
        for alert in sorted(self.alerts.all(), key=lambda a: (a.created_at, a.pk)):
            if alert.kind == AlertKind.OFFLINE:
                seen.setdefault(alert.camera_id, alert.camera)
        return list(seen.values())

    @property
    def camera_rows(self) -> list[dict]:
        """Per camera: when it went offline and when it came back in this incident (prefetched alerts)."""
        rows: dict[int, dict] = {}
        for alert in sorted(self.alerts.all(), key=lambda a: (a.created_at, a.pk)):
            row = rows.setdefault(alert.camera_id, {"camera": alert.camera, "offline_at": None, "back_at": None})
            if alert.kind == AlertKind.OFFLINE:
                row["offline_at"], row["back_at"] = row["offline_at"] or alert.created_at, None
            else:
                row["back_at"] = alert.created_at
        return [row for row in rows.values() if row["offline_at"] is not None]

    @property
    def duration(self) -> timedelta | None:
        return self.ended_at - self.started_at if self.ended_at else None


class CameraAlert(ChoiceLabelsMixin, models.Model):
    """
    An alert (cảnh báo) raised when a camera goes offline or comes back, within its site's incident;
    people acknowledge it (usually with its incident).
    """

    camera = models.ForeignKey(Camera, verbose_name=_("camera"), on_delete=models.CASCADE, related_name="alerts")
    incident = models.ForeignKey(
        CameraIncident,
        verbose_name=_("incident"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AlertKind)
    created_at = models.DateTimeField(_("raised at"))
    message = models.CharField(_("message"), max_length=255, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "camera__site__unit"

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("camera alert")
        verbose_name_plural = _("camera alerts")
        indexes = [models.Index(fields=("acknowledged_at", "created_at"))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.camera}"

    def get_absolute_url(self) -> str:
        return self.camera.get_absolute_url()


class CoverageTemplate(TimeStampedModel):
    """
    The zones a key site of one kind must have covered, e.g. every People's Committee headquarters:
    each floor's corridor and stairway with a 360° camera, and the gate. `floors` is the default
    number of floors; a site with cameras on higher floors is assumed to have those floors too.
    """

    site_kind = models.CharField(_("site kind"), max_length=16, choices=SiteKind, unique=True)
    name = models.CharField(_("name"), max_length=120)
    floors = models.PositiveSmallIntegerField(
        _("floors"), default=2, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ("site_kind",)
        verbose_name = _("coverage template")
        verbose_name_plural = _("coverage templates")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cameras:coverage")


class ZoneRequirement(ChoiceLabelsMixin, models.Model):
    """
    One required zone of a coverage template: a placement, on every floor or once for the site, the
    preferred camera type and how many cameras it needs. `label` names the zone ("Hành lang");
    per-floor zones get the floor appended ("Hành lang – tầng 2").
    """

    template = models.ForeignKey(
        CoverageTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="zones"
    )
    label = models.CharField(_("label"), max_length=120)
    placement = models.CharField(_("placement"), max_length=16, choices=Placement)
    per_floor = models.BooleanField(_("on every floor"), default=False)
    preferred_type = models.CharField(_("preferred type"), max_length=16, choices=CameraType, blank=True)
    quantity = models.PositiveSmallIntegerField(_("cameras needed"), default=1, validators=[MinValueValidator(1)])
    history = HistoricalRecords()

    class Meta:
        ordering = ("template", "per_floor", "pk")
        verbose_name = _("required zone")
        verbose_name_plural = _("required zones")
        constraints = [
            models.UniqueConstraint(fields=("template", "placement"), name="%(app_label)s_%(class)s_unique_placement"),
        ]

    def __str__(self) -> str:
        return self.label
