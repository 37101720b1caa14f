"""Choices for sites, rooms, bridge points and equipment."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("Centrally-run city")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    WARD = "ward", _("Ward")
    TOWN = "town", _("Town")
    SPECIAL_ZONE = "special_zone", _("Special zone")


class Terrain(models.TextChoices):
    MOUNTAIN = "mountain", _("Mountain")
    COASTAL = "coastal", _("Coastal")
    ISLAND = "island", _("Island")
    PLAIN = "plain", _("Plain")


class SiteKind(models.TextChoices):
    UBND_HQ = "ubnd_hq", _("People's Committee headquarters")
    PARTY_HALL = "party_hall", _("Party Committee hall")
    AGENCY = "agency", _("Agency")
    SCHOOL = "school", _("School")
    OTHER = "other", _("Other")


class BridgePointRole(models.TextChoices):
    HOST = "host", _("Host (main bridge point)")
    PARTICIPANT = "participant", _("Participant")


class TestCallResult(models.TextChoices):
    NONE = "", _("Never tested")
    OK = "ok", _("Passed")
    DEGRADED = "degraded", _("Degraded")
    FAILED = "failed", _("Failed")


class LinkKind(models.TextChoices):
    GOV_NETWORK = "gov_network", _("Government dedicated network")
    FIBRE = "fibre", _("Fibre internet")
    MOBILE_4G = "4g", _("4G")
    SATELLITE = "satellite", _("Satellite")
    OTHER = "other", _("Other")


class LinkRole(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    BACKUP = "backup", _("Backup")


class EquipmentKind(models.TextChoices):
    CODEC = "codec", _("Video conference codec")
    PC = "pc", _("Computer")
    PTZ_CAMERA = "ptz_camera", _("PTZ camera")
    CAMERA_360 = "camera_360", _("360° camera")
    MICROPHONE = "microphone", _("Microphone")
    MIXER = "mixer", _("Audio mixer")
    AMPLIFIER = "amplifier", _("Amplifier")
    SPEAKER = "speaker", _("Speaker")
    DISPLAY = "display", _("Display / TV")
    PROJECTOR = "projector", _("Projector")
    SWITCH = "switch", _("Network switch")
    ROUTER = "router", _("Router")
    UPS = "ups", _("UPS")
    RECORDER = "recorder", _("Recorder (DVR/NVR)")
    SERVER = "server", _("Server")
    OTHER = "other", _("Other")


class EquipmentStatus(models.TextChoices):
    WORKING = "working", _("Working")
    FAULTY = "faulty", _("Faulty")
    RETIRED = "retired", _("Retired")
