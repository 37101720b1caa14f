"""Choices for cameras, recorders, health and coverage."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Placement(models.TextChoices):
    CORRIDOR = "corridor", _("Corridor")
    STAIRWAY = "stairway", _("Stairway")
    GATE = "gate", _("Gate")
    HALL = "hall", _("Hall")
    YARD = "yard", _("Yard")
    OTHER = "other", _("Other")


class CameraType(models.TextChoices):
    FISHEYE_360 = "fisheye_360", _("360° / fisheye")
    BULLET = "bullet", _("Bullet")
    DOME = "dome", _("Dome")
    PTZ = "ptz", _("PTZ")


class CameraStatus(models.TextChoices):
    """The inventory status, kept by people; health below is measured by probes."""

    IN_SERVICE = "in_service", _("In service")
    FAULTY = "faulty", _("Faulty")
    REMOVED = "removed", _("Removed")


class Health(models.TextChoices):
    UNKNOWN = "unknown", _("Not probed yet")
    ONLINE = "online", _("Online")
    OFFLINE = "offline", _("Offline")


class RecorderKind(models.TextChoices):
    DVR = "dvr", _("DVR (analogue)")
    NVR = "nvr", _("NVR (network)")


class AlertKind(models.TextChoices):
    OFFLINE = "offline", _("Went offline")
    RECOVERED = "recovered", _("Back online")
