"""Portal users. A user tied to an administrative unit sees only that unit's objects."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """
    A person using the portal. `unit` restricts what they see (a commune officer of Tam Hải sees
    Tam Hải and nothing else); staff of the district leave it empty. Roles are Django groups.
    """

    unit = models.ForeignKey(
        "sites.AdministrativeUnit",
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Leave empty for district-wide staff; set it to restrict the user to one unit."),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    position = models.CharField(_("position"), max_length=120, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("For notifications and e-mails; empty means the portal's language. Set when the user switches."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("view_audit_log", _("Can view the district's audit log"))]

    def get_full_name(self) -> str:
        """Vietnamese order: family and middle names (`last_name`) before the given name."""
        return f"{self.last_name} {self.first_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.username

    @property
    def preferred_language(self) -> str:
        """The language to write to this person in when no request says (notifications, e-mails)."""
        return self.language or settings.LANGUAGE_CODE

    def has_role(self, *roles: str) -> bool:
        """True when the user belongs to one of the roles (group names)."""
        return self.is_superuser or any(name in roles for name in self.role_names)

    @property
    def role_names(self) -> list[str]:
        """
        The user's roles (group names), read once per instance like Django's permission cache: the
        home page asked for them twice. `accounts.services.user_set_roles` forgets them.
        """
        if not hasattr(self, "_role_names"):
            self._role_names = [g.name for g in self.groups.all()]
        return list(self._role_names)
