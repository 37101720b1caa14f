"""In-app notifications and each person's choice of how to receive each kind."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.models import ChoiceLabelsMixin
from notifications.choices import NotificationKind

__all__ = ["Notification", "NotificationPreference"]


class Notification(ChoiceLabelsMixin, models.Model):
    """
    A notification (thông báo) for one person: something to act on, with a link to where it is done.
    Unread while `read_at` is empty. Rows are written by `notifications.services.notify` only.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind, default=NotificationKind.GENERAL)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ("-created", "-pk")
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The bell counts a user's unread rows on every page.
            models.Index(fields=("recipient", "read_at"), name="notif_recipient_unread"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(ChoiceLabelsMixin, models.Model):
    """
    How one person wants one kind delivered. No row means the defaults: in the app and by email.
    Email is only ever sent to users who have an address.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind)
    in_app = models.BooleanField(_("in the portal"), default=True)
    email = models.BooleanField(_("by email"), default=True)

    class Meta:
        ordering = ("user", "kind")
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=("user", "kind"), name="%(app_label)s_%(class)s_unique_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}"
