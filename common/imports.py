"""
CSV/XLSX import and export with a dry run.

An `ImportSpec` names a model's columns (the header row), the form that validates one row (foreign
keys by their `code`), and how a row is saved. `run_import` validates and saves every row inside one
transaction; a dry run, or any bad row, rolls everything back, so a file with one bad row writes
nothing. Rows are saved as they are read, so a row may refer to a code defined by an earlier row of
the same file (a commune under a district created three lines above).

Spreadsheet formulas are refused on import (a cell starting with `=`, `+`, `-` or `@`, the OWASP
list) and neutralised on export by a leading apostrophe, which the import strips again, so exports
round-trip.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from xml.parsers import expat

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from common.spreadsheets import FORMULA_PREFIXES, safe_cell, safe_row


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, header, size)."""


@dataclass
class RowError:
    line: int
    errors: dict[str, list[str]]

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "errors": self.errors}


@dataclass
class ImportReport:
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)  # per-row action and changed fields
    errors: list[RowError] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def as_dict(self, max_rows: int = 500) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "ok": self.ok,
            "written": self.written,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "file_errors": self.file_errors,
            "errors": [e.as_dict() for e in self.errors],
            "rows": self.rows[:max_rows],
        }


class _Rollback(Exception):
    pass


class CodeChoiceField(forms.ModelChoiceField):
    """A foreign key given by the target's `code`, resolved through a per-import cache."""

    def __init__(self, queryset: models.QuerySet, **kwargs: Any) -> None:
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("error_messages", {"invalid_choice": _("Unknown code: %(value)s.")})
        super().__init__(queryset, **kwargs)
        self.cache: dict[str, Any] | None = None

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if self.cache is not None:
            obj = self.cache.get(str(value))
            if obj is None:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": quote(value)}
                )
            return obj
        return super().to_python(value)


class ImportModelForm(forms.ModelForm):
    """
    One row of an import. Uniqueness of the spec's `unique_keys` is checked by `run_import` against
    an index loaded once, so the form leaves those fields out of the per-row database checks (a
    query or two per row and per constraint); the database constraints remain the final guard.
    """

    unique_fields: frozenset[str] = frozenset()

    def _get_validation_exclusions(self) -> set[str]:
        return {*super()._get_validation_exclusions(), *self.unique_fields}


class ImportSpec:
    """How one model is imported and exported. Subclasses set the class attributes."""

    model: type[models.Model]
    form_class: type[forms.ModelForm]
    columns: tuple[str, ...]
    required_columns: tuple[str, ...] = ("code",)
    key: str = "code"
    # Field groups that must be unique across the whole table (not just what the user sees);
    # rows whose values in a group are all empty are not checked for that group.
    unique_keys: tuple[tuple[str, ...], ...] = (("code",),)
    # Save valid rows in bulk at the end instead of one by one. Only for models without a save
    # service and whose rows never refer to rows of the same file.
    bulk: bool = False

    def unique_index(self) -> dict[tuple[str, ...], dict[tuple[Any, ...], Any]]:
        index: dict[tuple[str, ...], dict[tuple[Any, ...], Any]] = {}
        for fields in self.unique_keys:
            values = self.model._base_manager.values_list("pk", *fields).iterator(chunk_size=5000)
            index[fields] = {tuple(row[1:]): row[0] for row in values if any(v not in ("", None) for v in row[1:])}
        return index

    def unique_errors(self, index: dict, obj: models.Model) -> dict[str, list[str]]:
        """Errors for values already taken by another row (in the table or earlier in the file)."""
        errors: dict[str, list[str]] = {}
        for fields, taken in index.items():
            values = tuple(getattr(obj, f"{f}_id" if obj._meta.get_field(f).is_relation else f) for f in fields)
            if all(v in ("", None) for v in values):
                continue
            owner = taken.get(values)
            if owner is not None and owner != obj.pk:
                names = ", ".join(str(obj._meta.get_field(f).verbose_name) for f in fields)
                errors.setdefault(fields[-1], []).append(
                    _("Another record already has this %(fields)s.") % {"fields": names}
                )
        return errors

    def unique_record(self, index: dict, obj: models.Model, line: int) -> None:
        """Mark the row's values as taken; rows not yet saved are known by their line."""
        for fields, taken in index.items():
            values = tuple(getattr(obj, f"{f}_id" if obj._meta.get_field(f).is_relation else f) for f in fields)
            if any(v not in ("", None) for v in values):
                taken[values] = obj.pk if obj.pk is not None else ("line", line)

    def __init__(self, user: Any) -> None:
        self.user = user

    # -- export -------------------------------------------------------------------------------

    def export_queryset(self) -> models.QuerySet:
        from common.scoping import scope_queryset

        return scope_queryset(self.model.objects.all(), self.user)

    def export_value(self, obj: models.Model, column: str) -> Any:
        value = getattr(obj, column)
        if isinstance(value, models.Model):
            return getattr(value, "code", value.pk)
        return value

    def export_rows(self) -> Iterator[list[Any]]:
        for obj in self.export_queryset().iterator(chunk_size=2000):
            yield [_to_cell(self.export_value(obj, c)) for c in self.columns]

    # -- import -------------------------------------------------------------------------------

    def lookup_caches(self) -> dict[str, dict[str, Any]]:
        """Code → object maps for the foreign-key columns, restricted to what the user may see."""
        from common.scoping import scope_queryset

        caches = {}
        form = self.form_class()
        for name, form_field in form.fields.items():
            if isinstance(form_field, CodeChoiceField):
                qs = scope_queryset(form_field.queryset, self.user)
                caches[name] = {str(o.code): o for o in qs}
        return caches

    def existing(self) -> dict[str, models.Model]:
        return {str(getattr(o, self.key)): o for o in self.export_queryset()}

    def save(self, form: forms.ModelForm) -> models.Model:
        return form.save()

    def save_bulk(self, created: list[models.Model], updated: list[models.Model], fields: set[str]) -> None:
        """Write the rows of a `bulk` spec, with one history record each."""
        from simple_history.utils import bulk_create_with_history, bulk_update_with_history

        user = self.user if getattr(self.user, "pk", None) else None
        if created:
            bulk_create_with_history(created, self.model, batch_size=1000, default_user=user)
        if updated and fields:
            bulk_update_with_history(updated, self.model, sorted(fields), batch_size=1000, default_user=user)

    def after_save(self, obj: models.Model, caches: dict[str, dict[str, Any]]) -> None:
        """Make a newly saved object available to later rows' foreign keys."""
        for name, cache in caches.items():
            target = self.form_class.base_fields[name].queryset.model
            if isinstance(obj, target):
                cache[str(obj.code)] = obj


def _to_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "label") and hasattr(value, "value"):
        return value.value
    return safe_cell(value)


QUOTE_MAX_CHARS = 40


def quote(value: Any) -> str:
    """User input as a message may quote it: at most a few dozen characters."""
    text = str(value)
    return text if len(text) <= QUOTE_MAX_CHARS else text[:QUOTE_MAX_CHARS] + "…"


def _column_list(names: list[str]) -> str:
    shown = ", ".join(quote(name) for name in names[:10])
    return shown + (", …" if len(names) > 10 else "")


def _messages(messages: Iterable[Any], raw: Iterable[Any]) -> list[str]:
    """Form messages with any long cell value they quote cut short."""
    long_values = sorted({v for v in raw if isinstance(v, str) and len(v) > QUOTE_MAX_CHARS}, key=len, reverse=True)
    result = []
    for message in messages:
        text = str(message)
        for value in long_values:
            text = text.replace(value, quote(value))
            if value.strip() != value:
                text = text.replace(value.strip(), quote(value.strip()))
        result.append(text)
    return result


# -- reading files ----------------------------------------------------------------------------


def read_table(content: bytes, filename: str) -> list[list[Any]]:
    """
    Rows of a CSV or XLSX file, header first. Raises ImportFileError on unreadable input.

    At most `IMPORT_MAX_ROWS` + 2 non-empty rows are read (the header, the limit and one more, so
    the caller can tell the file is too long) and no cell may hold more than `IMPORT_MAX_CELL_CHARS`
    characters: a hostile file is refused as soon as it crosses a limit, never read in full.
    """
    if len(content) > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(_("The file is larger than %(n)d MB.") % {"n": settings.IMPORT_MAX_BYTES // 2**20})
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(content)
    if name.endswith(".csv"):
        return _read_csv(content)
    raise ImportFileError(_("Only .csv and .xlsx files can be imported."))


def _row_limit() -> int:
    return settings.IMPORT_MAX_ROWS + 2


def _cell_too_long(line: int | None) -> ImportFileError:
    if line is None:
        return ImportFileError(_("A cell has more than %(n)d characters.") % {"n": settings.IMPORT_MAX_CELL_CHARS})
    return ImportFileError(
        _("Line %(line)d: a cell has more than %(n)d characters.") % {"line": line, "n": settings.IMPORT_MAX_CELL_CHARS}
    )


def _read_csv(content: bytes) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The CSV file is not UTF-8 encoded.")) from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    limit = settings.IMPORT_MAX_CELL_CHARS
    rows: list[list[Any]] = []
    reader = csv.reader(io.StringIO(text), dialect)
    previous = csv.field_size_limit(limit + 1)
    try:
        while len(rows) < _row_limit():
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:  # a field over the limit, or a broken quote
                if "field larger than field limit" in str(exc):
                    raise _cell_too_long(reader.line_num) from exc
                raise ImportFileError(_("Line %(line)d cannot be read.") % {"line": reader.line_num}) from exc
            if any(len(cell) > limit for cell in row):
                raise _cell_too_long(reader.line_num)
            if any(cell.strip() for cell in row):
                rows.append(row)
    finally:
        csv.field_size_limit(previous)
    return rows


_XLSX_CHUNK = 64 * 1024


def _check_xlsx_parts(archive: zipfile.ZipFile) -> None:
    """
    Refuse an XLSX whose sheets or shared strings hold a cell over the length limit, a sheet over
    the row limit, or more uncompressed XML than `IMPORT_MAX_XLSX_UNCOMPRESSED`, before openpyxl
    loads anything (it reads the whole shared strings table when it opens a workbook). The parts
    are decompressed and scanned in small chunks by expat, so neither time nor memory depends on
    how large a single cell claims to be: the scan stops at the first one over the limit.
    """
    parts = [
        info
        for info in archive.infolist()
        if info.filename == "xl/sharedStrings.xml"
        or (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"))
    ]
    total = sum(info.file_size for info in archive.infolist())
    if total > settings.IMPORT_MAX_XLSX_UNCOMPRESSED:
        raise ImportFileError(
            _("The XLSX file unpacks to more than %(n)d MB.") % {"n": settings.IMPORT_MAX_XLSX_UNCOMPRESSED // 2**20}
        )
    for info in parts:
        _scan_xlsx_part(archive, info, is_sheet=info.filename.startswith("xl/worksheets/"))


def _scan_xlsx_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, is_sheet: bool) -> None:
    limit = settings.IMPORT_MAX_CELL_CHARS
    # Rows are counted as the reader below counts them for the limit: only rows with a value.
    state = {"text": 0, "rows": 0, "line": 0, "filled": False, "value": False}

    def start(tag: str, attrs: Any) -> None:
        local = tag.rpartition(":")[2]
        state["text"] = 0
        state["value"] = local in ("v", "t", "f")
        if is_sheet and local == "row":
            state["filled"] = False
            try:
                state["line"] = int(attrs.get("r", ""))
            except ValueError:
                state["line"] += 1

    def text(data: str) -> None:
        state["text"] += len(data)
        if state["value"]:
            state["filled"] = True
        if state["text"] > limit:
            raise _cell_too_long(state["line"] if is_sheet else None)

    def end(tag: str) -> None:
        state["text"] = 0
        state["value"] = False
        if is_sheet and tag.rpartition(":")[2] == "row" and state["filled"]:
            state["rows"] += 1
            if state["rows"] > settings.IMPORT_MAX_ROWS + 1:  # the header and the limit
                raise _too_many_rows()

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_XLSX_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise ImportFileError(_("The XLSX file cannot be read.")) from exc


def _too_many_rows() -> ImportFileError:
    return ImportFileError(_("The file has more than %(n)d rows.") % {"n": settings.IMPORT_MAX_ROWS})


def _read_xlsx(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError(_("The XLSX file cannot be read.")) from exc
    with archive:
        _check_xlsx_parts(archive)
    limit = settings.IMPORT_MAX_CELL_CHARS
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(_("The XLSX file cannot be read.")) from exc
    rows: list[list[Any]] = []
    try:
        sheet = workbook.worksheets[0]
        for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if any(isinstance(cell, str) and len(cell) > limit for cell in row):
                raise _cell_too_long(line)
            if any(cell not in (None, "") for cell in row):
                rows.append(list(row))
                if len(rows) >= _row_limit():
                    break
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(_("The XLSX file cannot be read.")) from exc
    finally:
        workbook.close()
    return rows


def _cell_to_form(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
            return value[1:]  # our own export's escape
    return value


# -- the import itself ------------------------------------------------------------------------


def run_import(spec: ImportSpec, content: bytes, filename: str, *, dry_run: bool) -> ImportReport:
    """Validate every row; unless `dry_run` or any row is bad, write them all in one transaction."""
    report = ImportReport(dry_run=dry_run)
    try:
        table = read_table(content, filename)
    except ImportFileError as exc:
        report.file_errors.append(str(exc))
        return report
    if not table:
        report.file_errors.append(_("The file is empty."))
        return report
    header = [str(h).strip().lower() if h is not None else "" for h in table[0]]
    unknown = [h for h in header if h not in spec.columns]
    missing = [c for c in spec.required_columns if c not in header]
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if unknown or missing or duplicated:
        if unknown:
            report.file_errors.append(_("Line 1: unknown columns: %(cols)s.") % {"cols": _column_list(unknown)})
        if missing:
            report.file_errors.append(_("Line 1: missing columns: %(cols)s.") % {"cols": ", ".join(missing)})
        if duplicated:
            report.file_errors.append(_("Line 1: repeated columns: %(cols)s.") % {"cols": ", ".join(duplicated)})
        return report
    if len(table) - 1 > settings.IMPORT_MAX_ROWS:
        report.file_errors.append(str(_too_many_rows()))
        return report

    try:
        with transaction.atomic():
            _import_rows(spec, header, table[1:], report)
            if not report.written:
                raise _Rollback
    except _Rollback:
        pass
    return report


def _import_rows(spec: ImportSpec, header: list[str], rows: Iterable[list[Any]], report: ImportReport) -> None:
    caches = spec.lookup_caches()
    existing = spec.existing()
    unique_index = spec.unique_index()
    bulk_created: list[models.Model] = []
    bulk_updated: list[models.Model] = []
    bulk_fields: set[str] = set()
    seen_keys: dict[str, int] = {}
    for line, raw in enumerate(rows, start=2):
        raw = list(raw) + [None] * (len(header) - len(raw))
        formula_cells = [
            name
            for name, value in zip(header, raw, strict=False)
            if isinstance(value, str) and value.strip().startswith(FORMULA_PREFIXES)
        ]
        if formula_cells:
            report.errors.append(
                RowError(
                    line,
                    {
                        name: [_("Formula-like values (starting with =, +, - or @) are not allowed.")]
                        for name in formula_cells
                    },
                )
            )
            continue
        data = {name: _cell_to_form(value) for name, value in zip(header, raw, strict=False)}
        key = str(data.get(spec.key, "")).strip()
        if key and key in seen_keys:
            report.errors.append(
                RowError(line, {spec.key: [_("Duplicate of line %(line)d in this file.") % {"line": seen_keys[key]}]})
            )
            continue
        seen_keys[key] = line
        instance = existing.get(key)
        if instance is None:
            # Columns absent from the file take the model's defaults (a checkbox absent is not "no").
            for name in spec.columns:
                model_field = spec.model._meta.get_field(name)
                if name not in data and model_field.has_default():
                    data[name] = model_field.get_default()
        else:
            # Columns absent from the file keep their current values.
            initial = forms.model_to_dict(instance)
            for name in spec.columns:
                if name not in data and name in initial:
                    value = getattr(instance, name)
                    data[name] = getattr(value, "code", value) if isinstance(value, models.Model) else initial[name]
        # Foreign keys are compared by code, as the file gives them, not by primary key.
        initial = {}
        if instance is not None:
            for name in caches:
                related = getattr(instance, name)
                initial[name] = related.code if related is not None else ""
        form = spec.form_class(data=data, instance=instance, initial=initial)
        for name, cache in caches.items():
            form.fields[name].cache = cache
        if not form.is_valid():
            report.errors.append(RowError(line, {k: _messages(v, raw) for k, v in form.errors.items()}))
            continue
        taken = spec.unique_errors(unique_index, form.instance)
        if taken:
            report.errors.append(RowError(line, taken))
            continue
        if instance is None:
            action, changed = "create", list(form.changed_data)
        else:
            changed = [name for name in form.changed_data if name in header]
            action = "update" if changed else "unchanged"
        report.rows.append({"line": line, "key": key, "action": action, "changed": changed})
        counter = {"create": "created", "update": "updated", "unchanged": "unchanged"}[action]
        setattr(report, counter, getattr(report, counter) + 1)
        if action == "unchanged":
            continue
        if spec.bulk:
            (bulk_created if action == "create" else bulk_updated).append(form.instance)
            bulk_fields.update(changed)
            spec.unique_record(unique_index, form.instance, line)
            existing[key] = form.instance
            continue
        # No savepoint per row: any error rolls the whole import back anyway.
        try:
            obj = spec.save(form)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            report.errors.append(RowError(line, {k: _messages(v, raw) for k, v in errors.items()}))
            continue
        except Exception as exc:  # a constraint the form could not see (e.g. a race); report, not crash
            from common.exceptions import ApplicationError

            if isinstance(exc, ApplicationError):
                report.errors.append(RowError(line, {"__all__": _messages([exc.message], raw)}))
                continue
            raise
        spec.after_save(obj, caches)
        spec.unique_record(unique_index, obj, line)
        existing[key] = obj
    if spec.bulk and report.ok and not report.dry_run:
        spec.save_bulk(bulk_created, bulk_updated, bulk_fields)


# -- writing files ----------------------------------------------------------------------------


def export_csv(spec: ImportSpec) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row(spec.columns))
    writer.writerows(spec.export_rows())
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def export_xlsx(spec: ImportSpec, title: str = "data") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(safe_row(spec.columns))
    for row in spec.export_rows():
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


Exporter = Callable[[ImportSpec], bytes]
EXPORTERS: dict[str, tuple[Exporter, str]] = {
    "csv": (export_csv, "text/csv; charset=utf-8"),
    "xlsx": (export_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
