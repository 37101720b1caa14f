"""
django-tables2 asks `inspect.signature` which arguments a column's `render` method takes, for every
cell it renders (`django_tables2.utils.call_with_appropriate`): a plan page of 25 lines and nine
columns spent about 5 % of its time on it (profiled). A method's parameters do not change while the server runs, so
`install()` (from CommonConfig.ready) makes the answer once per function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_tables2.utils

_uncached = django_tables2.utils.signature
_known: dict[tuple[Any, bool], tuple[tuple[str, ...], str | None]] = {}


def signature(fn: Callable[..., Any]) -> tuple[tuple[str, ...], str | None]:
    """`django_tables2.utils.signature`, made once per function (bound or not: a bound one has no `self`)."""
    key = (getattr(fn, "__func__", fn), hasattr(fn, "__self__"))
    try:
        return _known[key]
    except KeyError:
        result = _known[key] = _uncached(fn)
        return result
    except TypeError:  # an unhashable callable: as the library does
        return _uncached(fn)


def install() -> None:
    django_tables2.utils.signature = signature
