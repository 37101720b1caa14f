"""Kinds of notification: each names something a person must act on."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    BOOKING_TO_APPROVE = "booking_to_approve", _("A booking to approve")
    DELEGATION_TO_CONFIRM = "delegation_to_confirm", _("A delegation to confirm")
    MINUTES_TO_APPROVE = "minutes_to_approve", _("Minutes to approve")
    MINUTES_RETURNED = "minutes_returned", _("Minutes returned to me")
    PLAN_TO_APPROVE = "plan_to_approve", _("An investment plan to approve")
    CAMERA_OFFLINE = "camera_offline", _("A camera offline at my site")
    TASK_DUE = "task_due", _("A task due")
    PROPOSAL_TO_ANSWER = "proposal_to_answer", _("A commune's proposal to answer")
    PROPOSAL_ANSWERED = "proposal_answered", _("My commune's proposal answered")
    GENERAL = "general", _("Other messages")
