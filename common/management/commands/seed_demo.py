"""Load the demo district (Núi Thành). Idempotent: a second run changes nothing."""

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load the demo district, its sites and equipment, and one demo user per role."

    def handle(self, *args: Any, **options: Any) -> None:
        from accounts.services import roles_sync

        with transaction.atomic():
            roles_sync()
            # Users come last: a commune officer's account points at a commune made by `sites`.
            names = [c.name for c in apps.get_app_configs() if c.name not in ("common", "accounts")]
            for name in [*names, "accounts"]:
                if find_spec(f"{name}.demo") is not None:
                    import_module(f"{name}.demo").load()
        from accounts.demo import DEMO_USERS, demo_password

        self.stdout.write(self.style.SUCCESS(f"Demo data is in place. Demo logins (password {demo_password()}):"))
        for username, role, _name, unit in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {role}{' · ' + unit if unit else ''}")
