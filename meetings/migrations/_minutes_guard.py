"""The SQLite triggers that keep approved minutes immutable (see 0002_briefings), for migrations that rebuild the table."""

SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS meetings_minutes_approved_no_update",
    "DROP TRIGGER IF EXISTS meetings_minutes_approved_no_delete",
    """CREATE TRIGGER meetings_minutes_approved_no_update BEFORE UPDATE ON meetings_minutes
       WHEN OLD.status = 'approved' BEGIN SELECT RAISE(ABORT, 'approved minutes are immutable'); END""",
    """CREATE TRIGGER meetings_minutes_approved_no_delete BEFORE DELETE ON meetings_minutes
       WHEN OLD.status = 'approved' BEGIN SELECT RAISE(ABORT, 'approved minutes are immutable'); END""",
]


def recreate_on_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in SQLITE_TRIGGERS:
        schema_editor.execute(sql)
