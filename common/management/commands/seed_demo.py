"""
Load the demo district (Núi Thành). Idempotent: a second run changes nothing.

`--scale province` adds, on top of it, a province with a year of history for benchmarks and sizing
(each app's `demo_province.load(progress)`: ten more districts and 150 communes, 50,000 equipment
rows, 10,000 cameras with a month of outages, a weekly briefing per district for a year, a plan per
district), with a progress bar per part.
"""

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

# Province parts in dependency order: sites first, the plans (which read equipment and cameras) last.
PROVINCE_PARTS = ("sites", "cameras", "meetings", "investments")


class Command(BaseCommand):
    help = "Load the demo district, its sites and equipment, and one demo user per role."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scale",
            choices=("district", "province"),
            default="district",
            help="'province' adds ten districts with a year of history (a few minutes; for benchmarks).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from accounts.services import roles_sync

        with transaction.atomic():
            roles_sync()
            # Users come last: a commune officer's account points at a commune made by `sites`.
            names = [c.name for c in apps.get_app_configs() if c.name not in ("common", "accounts")]
            for name in [*names, "accounts"]:
                if find_spec(f"{name}.demo") is not None:
                    import_module(f"{name}.demo").load()
        if options["scale"] == "province":
            self._province()
        from accounts.demo import DEMO_USERS, demo_password

        self.stdout.write(self.style.SUCCESS(f"Demo data is in place. Demo logins (password {demo_password()}):"))
        for username, role, _name, unit in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {role}{' · ' + unit if unit else ''}")

    def _province(self) -> None:
        from functools import partial

        from tqdm import tqdm

        progress = partial(tqdm, file=self.stderr._out, unit=" rows", mininterval=2)
        for name in PROVINCE_PARTS:
            import_module(f"{name}.demo_province").load(progress)
        # Fresh statistics for the planner: after a bulk load PostgreSQL still believed the tables nearly
        # empty (44 sites for 495, 8,000 items of equipment for 50,000) until autovacuum came round.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.vendor == "postgresql" else "PRAGMA optimize")
