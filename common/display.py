"""
How a value reads on a page: one place that turns any stored value into what a person sees.

Times are local (Asia/Ho_Chi_Minh, the current time zone) and written the Vietnamese way
(`dd/mm/yyyy HH:MM`), dates `dd/mm/yyyy`, booleans Có/Không, choices their label, money in đồng,
empty values "—". Python code that formats a datetime itself (not through a template, which converts
to local time on its own) must come through here: `date_format(value, ...)` on an aware datetime
prints UTC.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext

EMPTY = "—"
DATETIME_FORMAT = "d/m/Y H:i"
DATE_FORMAT = "d/m/Y"
TIME_FORMAT = "H:i"


def local_datetime(value: dt.datetime, fmt: str = DATETIME_FORMAT) -> str:
    """An aware datetime in local time, `d/m/Y H:i` unless told otherwise."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, fmt)


def display_value(value: Any, field: models.Field | None = None) -> str:
    """
    A stored value as a person reads it. With the model `field` it came from, a choice shows its
    label and a `*_vnd` amount shows as money.
    """
    if field is not None and field.choices and isinstance(value, (str, int)):
        value = dict(field.flatchoices).get(value, value)
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, dt.datetime):
        return local_datetime(value)
    if isinstance(value, dt.date):
        return formats.date_format(value, DATE_FORMAT)
    if isinstance(value, dt.time):
        return formats.time_format(value, TIME_FORMAT)
    if field is not None and field.name.endswith("_vnd") and isinstance(value, int):
        from common.templatetags.portal import format_vnd

        return format_vnd(value)
    if isinstance(value, (Decimal, float)):
        return formats.localize(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(display_value(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {display_value(item)}" for key, item in value.items())
    if isinstance(value, Promise):
        return str(value)
    return str(value)


def field_display(obj: models.Model, field: models.Field) -> str:
    """What an object's concrete field shows on its page (a foreign key shows the related object)."""
    if field.many_to_one or field.one_to_one:
        return display_value(getattr(obj, field.name))
    return display_value(getattr(obj, field.attname), field)
