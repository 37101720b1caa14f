"""Choices for the unit-price catalogue, investment plans and their funding."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    REVISED = "revised", _("Revised, awaiting approval")


class LineSource(models.TextChoices):
    GAP = "gap", _("Equipment gap")
    CAMERA_GAP = "camera_gap", _("Camera coverage gap")
    MANUAL = "manual", _("Entered by hand")


class LineStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DELIVERED = "delivered", _("Delivered")


class FundingSource(models.TextChoices):
    DISTRICT = "district", _("District budget")
    COMMUNE = "commune", _("Commune budget")
    PROVINCE = "province", _("Provincial support")
    CONTRIBUTIONS = "contributions", _("Contributions (socialisation)")


class SpendingKind(models.TextChoices):
    COMMITMENT = "commitment", _("Commitment (contract signed)")
    PAYMENT = "payment", _("Payment (actually spent)")


class PhaseFunding(models.TextChoices):
    """How far a line's phase is funded, as the site page shows it (a delivered line is simply delivered)."""

    UNPHASED = "unphased", _("Not in a phase")
    UNFUNDED = "unfunded", _("Not funded yet")
    PARTLY = "partly", _("Partly funded")
    FUNDED = "funded", _("Funded")
    DELIVERED = "delivered", _("Delivered")
