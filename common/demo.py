"""Helpers for idempotent demo data: write a row only when it is missing or differs."""

from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def upsert(model_class: type[M], lookup: dict[str, Any], /, **values: Any) -> tuple[M, bool]:
    """Like update_or_create, but saves nothing (and so records no history) when nothing changed."""
    obj = model_class.objects.filter(**lookup).first()
    if obj is None:
        obj = model_class(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj, True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
    return obj, False
