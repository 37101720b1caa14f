"""Answers made once instead of per call give what Django and django-tables2 give."""

import django_tables2.utils
import pytest
from django.utils import translation

from common.tables import _uncached
from investments.models import PlanLine
from sites.models import Equipment


@pytest.mark.parametrize("language", ["vi", "en"])
def test_choice_labels_are_djangos_in_each_language(language):
    """`get_FOO_display()` from the cached map: the label in the active language, the value if unknown."""
    item = Equipment(kind="pc", status="faulty")
    line = PlanLine(status=PlanLine._meta.get_field("status").choices[0][0])
    with translation.override(language):
        for obj, field in ((item, "kind"), (item, "status"), (line, "status")):
            expected = dict(obj._meta.get_field(field).flatchoices)[getattr(obj, field)]
            assert getattr(obj, f"get_{field}_display")() == str(expected)
    with translation.override("vi"):
        vi = item.get_status_display()
    with translation.override("en"):
        assert item.get_status_display() == "Faulty" != vi
    item.status = "no-such-status"
    assert item.get_status_display() == "no-such-status"


class _Table:
    def render_title(self, value, record):
        return value

    def render_any(self, **kwargs):
        return kwargs


def test_table_signatures_match_the_library():
    """The installed `signature` answers as the library's own, for bound methods and plain functions."""
    assert django_tables2.utils.signature is not _uncached  # installed by CommonConfig.ready
    table = _Table()

    def plain(value, *args, bound_column=None, **extra):
        return value

    for fn in (table.render_title, table.render_any, _Table.render_title, plain, lambda record: record):
        for _ in range(2):  # the second answer comes from the cache
            assert django_tables2.utils.signature(fn) == _uncached(fn)
    assert django_tables2.utils.signature(table.render_title) == (("value", "record"), None)
    assert django_tables2.utils.call_with_appropriate(table.render_title, {"value": 1, "record": 2, "x": 3}) == 1
