"""
An object's change history as people read it (the "Change history" card of a detail page): each change
names the field by its verbose name and shows display values (the related object for a foreign key,
the label of a choice, local times, Có/Không, "—" for empty), like NetBox's changelog.

The API's `history/` action keeps raw values (`common.api.history_rows`).

Queries do not grow with the rows: the records in one query, the tracked many-to-many rows in one
query per field, and the related objects of every foreign key that changed in one query per model.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext

from common.display import EMPTY, display_value

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: str
    new: str


def history_display(instance: models.Model, *, limit: int = 50) -> list[dict[str, Any]]:
    """The newest `limit` changes of an object, newest first, ready to show."""
    history_model = instance.history.model
    records = list(
        instance.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    m2m_fields = list(history_model._history_m2m_fields)
    m2m_names = {f.name for f in m2m_fields}
    fields = [
        f
        for f in history_model.tracked_fields
        if f.editable and not f.primary_key and f.name not in m2m_names and not getattr(f, "secret", False)
    ]
    members = _m2m_members(history_model, m2m_fields, [r.history_id for r in records])

    shown = records[:limit]
    raw: list[list[tuple[models.Field, Any, Any]]] = []
    for i, record in enumerate(shown):
        previous = records[i + 1] if i + 1 < len(records) else None
        changes: list[tuple[models.Field, Any, Any]] = []
        if previous is not None:
            for field in fields:
                old, new = getattr(previous, field.attname), getattr(record, field.attname)
                if old != new:
                    changes.append((field, old, new))
            for field in m2m_fields:
                old, new = members[field.name][previous.history_id], members[field.name][record.history_id]
                if old != new:
                    changes.append((field, sorted(old), sorted(new)))
        changes.sort(key=lambda change: change[0].name)
        raw.append(changes)

    related = _related_objects(raw)
    return [
        {
            "history_id": record.history_id,
            "history_date": record.history_date,
            "history_type": HISTORY_TYPES[record.history_type],
            "history_user": str(record.history_user) if record.history_user else None,
            "changes": [
                FieldChange(
                    name=field.name,
                    label=str(field.verbose_name),
                    old=_show(field, old, related),
                    new=_show(field, new, related),
                )
                for field, old, new in changes
            ],
            "record": record,
        }
        for record, changes in zip(shown, raw, strict=True)
    ]


def _m2m_members(history_model: Any, m2m_fields: list[models.Field], history_ids: list[int]) -> dict:
    """{field name: {history_id: {target pk, ...}}}, one query per tracked many-to-many field."""
    from simple_history.utils import get_m2m_reverse_field_name

    members: dict[str, dict[int, set]] = {}
    for field in m2m_fields:
        rows_model = getattr(history_model, field.name).model
        target = rows_model._meta.get_field(get_m2m_reverse_field_name(field)).attname
        by_record: dict[int, set] = defaultdict(set)
        if history_ids:
            for history_id, pk in rows_model.objects.filter(history_id__in=history_ids).values_list(
                "history_id", target
            ):
                by_record[history_id].add(pk)
        members[field.name] = by_record
    return members


def _is_fk(field: models.Field) -> bool:
    return bool(field.many_to_one or field.one_to_one)


def _related_objects(raw: list[list[tuple[models.Field, Any, Any]]]) -> dict:
    """{(model, to_field): {value: object}} for every related value the changes name, one query per model."""
    wanted: dict[tuple[type[models.Model], str], set] = defaultdict(set)
    for changes in raw:
        for field, old, new in changes:
            if field.many_to_many:
                wanted[(field.related_model, field.related_model._meta.pk.name)].update([*old, *new])
            elif _is_fk(field):
                key = (field.related_model, field.target_field.name)
                wanted[key].update(v for v in (old, new) if v is not None)
    found = {}
    for (model, to_field), values in wanted.items():
        # One level of the related model's own foreign keys, which `__str__` often reads ("Room – Site").
        joins = [f.name for f in model._meta.concrete_fields if _is_fk(f)]
        found[(model, to_field)] = model._base_manager.select_related(*joins).in_bulk(values, field_name=to_field)
    return found


def _show(field: models.Field, value: Any, related: dict) -> str:
    if field.many_to_many:
        objects = related[(field.related_model, field.related_model._meta.pk.name)]
        names = sorted(_name(objects, pk) for pk in value)
        return ", ".join(names) if names else EMPTY
    if _is_fk(field):
        if value is None:
            return EMPTY
        return _name(related[(field.related_model, field.target_field.name)], value)
    return display_value(value, field)


def _name(objects: dict, pk: Any) -> str:
    obj = objects.get(pk)
    return str(obj) if obj is not None else gettext("#%(pk)s (deleted)") % {"pk": pk}
