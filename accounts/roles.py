"""
The portal's roles. Each is a Django group; what it may do is the union of the `GRANTS` that every
app declares in its own `roles.py` (so an app owns the permissions on its models).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE_STAFF = "office_staff", _("Office staff")
    TECHNICIAN = "technician", _("Technician")
    HOST = "host", _("Meeting host")
    COMMUNE_OFFICER = "commune_officer", _("Commune officer")
    FINANCE = "finance", _("Finance-Planning officer")
    LEADER = "leader", _("Leader")
    POLICE_OPERATOR = "police_operator", _("Police camera operator")
    ADMINISTRATOR = "administrator", _("Administrator")


def view_perms(app_label: str, *models_: str) -> list[str]:
    return [f"{app_label}.view_{m}" for m in models_]


def edit_perms(app_label: str, *models_: str) -> list[str]:
    return [f"{app_label}.{action}_{m}" for m in models_ for action in ("view", "add", "change", "delete")]


GRANTS: dict[str, list[str]] = {
    Role.ADMINISTRATOR: [*edit_perms("accounts", "user"), "auth.view_group", "accounts.view_audit_log"],
    Role.LEADER: ["accounts.view_audit_log"],
}
