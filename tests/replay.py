"""
A loader's rows, written once per test run and replayed by plain INSERTs after that.

The demo district (sites/demo.py) is loaded by 426 tests; through its services it took 1.2 s per test
on SQLite and 2.5 s on PostgreSQL, a quarter of the suite's time. `Replay(loader)` runs the loader
the first time, takes the rows it added (every table whose integer primary key grew), and in later
tests inserts the same rows again with their ids, in one statement per table. It replays only when
the tables the loader wrote are as they were before its first run (same row count and highest id),
so a test that has written to them first gets the loader itself, as before. Foreign keys are checked
at commit (Django creates them deferrable on both databases), so the order of the tables is free.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models


def _tables() -> dict[str, type[models.Model]]:
    """Every table with an integer primary key (models, their history and many-to-many tables)."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if isinstance(model._meta.pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
            tables[model._meta.db_table] = model
    return tables


def _state(tables: dict[str, type[models.Model]]) -> dict[str, tuple[int, int]]:
    """(row count, highest id) of every table, in one query."""
    quote = connection.ops.quote_name
    parts = [
        f"SELECT {i}, COUNT(*), COALESCE(MAX({quote(model._meta.pk.column)}), 0) FROM {quote(table)}"  # noqa: S608
        for i, (table, model) in enumerate(tables.items())
    ]
    names = list(tables)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return {names[i]: (count, top) for i, count, top in cursor.fetchall()}


@dataclass
class Replay:
    loader: Callable[[], Any]
    # table → (its row count and highest id before the loader ran, the columns, the rows it added)
    rows: dict[str, tuple[tuple[int, int], list[str], list[tuple]]] = field(default_factory=dict)
    vendor: str = ""

    def __call__(self) -> None:
        tables = _tables()
        state = _state(tables)
        if self.rows and self.vendor == connection.vendor and self._untouched(state):
            self._insert(tables)
            return
        self.loader()
        self._capture(tables, state)

    def _untouched(self, state: dict[str, tuple[int, int]]) -> bool:
        return all(state.get(table) == before for table, (before, _columns, _rows) in self.rows.items())

    def _capture(self, tables: dict[str, type[models.Model]], before: dict[str, tuple[int, int]]) -> None:
        after = _state(tables)
        quote = connection.ops.quote_name
        self.rows, self.vendor = {}, connection.vendor
        with connection.cursor() as cursor:
            for table, (count, top) in after.items():
                if (count, top) == before[table]:
                    continue
                pk = quote(tables[table]._meta.pk.column)  # the rows above the old highest id are the loader's
                cursor.execute(f"SELECT * FROM {quote(table)} WHERE {pk} > %s ORDER BY {pk}", [before[table][1]])  # noqa: S608
                columns = [c[0] for c in cursor.description]
                rows = [self._portable(row) for row in cursor.fetchall()]
                if len(rows) != count - before[table][0]:  # it changed or deleted rows it found: load each time
                    self.rows = {}
                    return
                self.rows[table] = (before[table], columns, rows)

    @staticmethod
    def _portable(row: tuple) -> tuple:
        """PostgreSQL gives JSON columns back as Python objects: send them as JSON text again."""
        return tuple(json.dumps(v) if isinstance(v, dict | list) else v for v in row)

    def _insert(self, tables: dict[str, type[models.Model]]) -> None:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for table, (_before, columns, rows) in self.rows.items():
                names = ", ".join(quote(c) for c in columns)
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)  # noqa: S608
            # PostgreSQL's sequences do not follow explicit ids (SQLite's AUTOINCREMENT does).
            for sql in connection.ops.sequence_reset_sql(no_style(), [tables[t] for t in self.rows]):
                cursor.execute(sql)
