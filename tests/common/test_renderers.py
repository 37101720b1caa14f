"""
The portal's form renderer (common/renderers.py): a select written in Python is the HTML Django's
templates make from the same widget, character for character, and widgets with templates of their
own keep them.
"""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from common.renderers import PortalFormRenderer

CHOICES = [
    ("", "---------"),
    ("a&b", 'Tam Hải <"xã">'),
    (3, gettext_lazy("Site")),
    ("Miền núi", [("tra-doc", "Trà Đốc"), ("tra-bui", mark_safe("<b>Trà Bui</b>"))]),
    (None, "Không"),
]


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=CHOICES, required=False)
    many = forms.MultipleChoiceField(
        choices=CHOICES, required=False, widget=forms.SelectMultiple(attrs={"class": "form-select", "data-x": "1&2"})
    )
    disabled = forms.ChoiceField(choices=CHOICES, disabled=True, initial="tra-doc")
    flag = forms.NullBooleanField(required=False)
    day = forms.DateField(required=False, widget=forms.SelectDateWidget(years=[2026, 2027]))
    text = forms.CharField(required=False)


@pytest.mark.parametrize(
    "data",
    [None, {"plain": "a&b", "many": ["tra-doc", "3"], "flag": "true", "day_year": "2026", "day_month": "12"}],
)
def test_selects_are_what_the_templates_make(data):
    portal, django = Everything(data, renderer=PortalFormRenderer()), Everything(data, renderer=DjangoTemplates())
    for name in Everything.base_fields:
        assert str(portal[name]) == str(django[name]), name
    assert 'value="a&amp;b"' in str(portal["plain"]) and "&lt;&quot;xã&quot;&gt;" in str(portal["plain"])
    assert "<b>Trà Bui</b>" in str(portal["plain"])  # a label marked safe stays as it is


class OwnOption(forms.Select):
    option_template_name = "django/forms/widgets/radio_option.html"


def test_a_widget_with_its_own_option_template_keeps_it():
    field = forms.ChoiceField(choices=CHOICES[:2], widget=OwnOption)
    html = field.widget.render("x", None, renderer=PortalFormRenderer())
    assert html == field.widget.render("x", None, renderer=DjangoTemplates())
    assert "<label" in html  # the radio option's template, not the fast path


def test_the_portal_renders_its_forms_with_it(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "common.renderers.PortalFormRenderer"
    assert isinstance(get_default_renderer(), PortalFormRenderer)
