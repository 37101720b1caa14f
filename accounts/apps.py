from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts.services import roles_sync_after_migrate, users_move_on_merge
        from sites.services import register_merge_handler

        register_merge_handler("accounts.users", users_move_on_merge)

        from common.context_processors import register_area

        register_area(_("Administration"), [(_("Audit log"), "audit_log", "accounts.view_audit_log")])

        post_migrate.connect(roles_sync_after_migrate, sender=self, dispatch_uid="accounts.roles_sync")
