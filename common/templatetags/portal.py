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
    "not_held": "secondary",
    "superseded": "secondary",
    "": "secondary",
    "unknown": "secondary",
    "maintenance": "warning",
    "degraded": "warning",
    "tentative": "warning",
    "draft": "warning",
    "pending": "warning",
    # Roll call: present and absent must not look alike on an attendance sheet.
    "present": "success",
    "late": "warning",
    "absent": "danger",
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
    from common.display import field_display

    skip = set(exclude.split(","))
    return [
        (field.verbose_name, field_display(obj, field))
        for field in obj._meta.concrete_fields
        if field.name not in skip and not getattr(field, "secret", False)
    ]
