"""
Control characters never enter stored text. Every text field of a form (`django.forms.CharField` and
its subclasses: email, URL, slug...) and of the API (`rest_framework.fields.CharField`) drops C0
control characters other than tab, line feed and carriage return, and DEL, while it cleans its
input. They have no place in a name or a note, and a single one made the attendance XLSX fail for
a whole district (XML cannot hold them). `install()` runs once from `CommonConfig.ready()`, so every
form and serializer gets it without each having to remember; exports still go through
`common.spreadsheets.safe_cell` for rows stored before.
"""

from __future__ import annotations

import re
from typing import Any

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_control_characters(value: Any) -> Any:
    """Text without control characters (tab and line breaks are kept); other values as they are."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub("", value)
    return value


def install() -> None:
    from django import forms
    from rest_framework import fields

    if getattr(forms.CharField, "_strips_control_characters", False):
        return
    form_to_python = forms.CharField.to_python
    api_to_internal = fields.CharField.to_internal_value

    def to_python(self: forms.CharField, value: Any) -> Any:
        return form_to_python(self, strip_control_characters(value))

    def to_internal_value(self: fields.CharField, data: Any) -> Any:
        return api_to_internal(self, strip_control_characters(data))

    forms.CharField.to_python = to_python
    fields.CharField.to_internal_value = to_internal_value
    forms.CharField._strips_control_characters = True
