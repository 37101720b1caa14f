"""
What every spreadsheet the portal writes goes through, cell by cell (`safe_cell`, `safe_row`).

- Formula injection: text starting like a formula (`=`, `+`, `-`, `@`, tab, carriage return, the
  OWASP list) gets a leading apostrophe, so Excel and LibreOffice show it as text instead of running
  `=HYPERLINK(...)`. The import strips our apostrophe again, so exports round-trip.
- Stored text with control characters (which input now strips, but older rows may hold): XLSX cannot
  store them (openpyxl raises `IllegalCharacterError`), so they are dropped rather than failing the
  whole file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from common.text import CONTROL_CHARACTERS  # what XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE), and DEL

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Prefix formula-like text with an apostrophe so spreadsheets show it as text."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def safe_cell(value: Any) -> Any:
    """A value as a spreadsheet cell may hold it: text without control characters, never a formula."""
    if isinstance(value, str):
        return neutralise(CONTROL_CHARACTERS.sub("", value))
    if value is not None and not isinstance(value, (int, float, bool)) and hasattr(value, "__html__"):
        return safe_cell(str(value))
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]
