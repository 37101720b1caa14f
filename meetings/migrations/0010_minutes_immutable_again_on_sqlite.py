# SQLite rebuilds a table to add a NOT NULL column (0009 added the return reason to minutes), and a
# rebuilt table has lost its triggers: the guard that makes approved minutes immutable in the database
# (0002_briefings) is created again. PostgreSQL keeps triggers across ALTER TABLE; nothing to do there.
# A later migration that rebuilds meetings_minutes on SQLite must do the same.

from django.db import migrations

from meetings.migrations import _minutes_guard


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0009_minutes_return_reason"),
    ]

    operations = [
        migrations.RunPython(_minutes_guard.recreate_on_sqlite, migrations.RunPython.noop),
    ]
