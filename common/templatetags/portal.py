"""Template helpers: VND money, Vietnamese dates, badges."""

from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()


def format_vnd(value: Any) -> str:
    """1250000000 → '1.250.000.000 ₫' (integer đồng, dots between thousands)."""
    if value is None or value == "":
        return ""
    amount = int(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,}".replace(",", ".") + " ₫"


@register.filter
def vnd(value: Any) -> str:
    return format_vnd(value)


BADGE_COLOURS = {
    "working": "success",
    "ok": "success",
    "confirmed": "success",
    "approved": "success",
    "online": "success",
    "faulty": "danger",
    "failed": "danger",
    "offline": "danger",
    "rejected": "danger",
    "overdue": "danger",
    "retired": "secondary",
    "cancelled": "secondary",
    "": "secondary",
    "unknown": "secondary",
    "maintenance": "warning",
    "degraded": "warning",
    "tentative": "warning",
    "draft": "warning",
    "pending": "warning",
}


@register.simple_tag
def badge(value: str, label: Any = None) -> str:
    colour = BADGE_COLOURS.get(str(value), "info")
    return format_html('<span class="badge text-bg-{}">{}</span>', colour, label if label is not None else value)


@register.filter
def get_item(mapping: dict, key: Any) -> Any:
    return mapping.get(key)


@register.simple_tag
def object_fields(obj: Any, exclude: str = "id,created_at,updated_at") -> list[tuple[str, Any]]:
    """(label, display value) of an object's concrete fields, for a generic detail page."""
    from django.db import models
    from django.template.defaultfilters import date as date_filter

    skip = set(exclude.split(","))
    rows = []
    for field in obj._meta.concrete_fields:
        if field.name in skip or getattr(field, "secret", False):
            continue
        value = getattr(obj, f"get_{field.name}_display")() if field.choices else getattr(obj, field.name)
        if isinstance(field, models.BooleanField):
            from django.utils.translation import gettext

            value = gettext("Yes") if value else gettext("No")
        elif isinstance(field, models.DateTimeField) and value:
            value = date_filter(value, "d/m/Y H:i")
        elif isinstance(field, models.DateField) and value:
            value = date_filter(value, "d/m/Y")
        elif field.name.endswith("_vnd"):
            value = format_vnd(value)
        rows.append((field.verbose_name, value))
    return rows
