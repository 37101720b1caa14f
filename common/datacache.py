"""
Figures that take long to gather on a province's data, kept in the cache until the rows they are
made from change. A reader names the models it reads; a save or delete of any of them (through the
model signals) moves that model's version on, and the keys made with the old version are never read
again. Writes that bypass the signals (`QuerySet.update`, `bulk_create`) and the passing of time are
caught up with when the entry expires (`seconds`).

    gaps = cached_by_data(
        f"coverage-gaps:{user.pk}", depends_on=["cameras.Camera", "sites.Site"], seconds=300,
        build=lambda: count_gaps(user),
    )

Off when settings.DATA_CACHE is false: the test settings turn it off, because the test database is
rolled back and Redis is not (a test could read what another one cached with the same ids); the
tests of the cache turn it on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

_WATCHED: set[str] = set()


def enabled() -> bool:
    return bool(getattr(settings, "DATA_CACHE", True))


def _version_key(label: str) -> str:
    return f"data-version:{label.lower()}"


def data_changed(label: str) -> None:
    """Forget everything cached from `label` ("app_label.Model"): its next reader builds it again."""
    key = _version_key(label)
    try:
        cache.incr(key)
    except ValueError:  # not there yet (or evicted): any new value differs from the one in older keys
        cache.set(key, time.time_ns(), None)


def data_written(label: str) -> None:
    """
    `data_changed` for a write in the current transaction (the signals call it; so do writes that bypass
    them): now, and again once the transaction commits, so that a request that read the old rows in
    between does not keep them.
    """
    data_changed(label)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: data_changed(label))


def _on_write(sender: Any, **kwargs: Any) -> None:
    data_written(sender._meta.label)


def watch(labels: Iterable[str]) -> tuple[str, ...]:
    """Follow the saves and deletes of these models ("app_label.Model", connected once loaded)."""
    labels = tuple(labels)
    for label in labels:
        if label not in _WATCHED:
            _WATCHED.add(label)
            post_save.connect(_on_write, sender=label, dispatch_uid=f"data-cache-save:{label}", weak=False)
            post_delete.connect(_on_write, sender=label, dispatch_uid=f"data-cache-delete:{label}", weak=False)
    return labels


def versioned_keys(entries: dict[str, Iterable[str]]) -> dict[str, str]:
    """{name: depends_on} → {name: cache key holding the current version of each model}, one cache read."""
    labels = sorted({label for depends_on in entries.values() for label in depends_on})
    versions = cache.get_many([_version_key(label) for label in labels]) if labels else {}
    return {
        name: ":".join(["data", name, *(str(versions.get(_version_key(label), 0)) for label in depends_on)])
        for name, depends_on in entries.items()
    }


def cached_by_data(name: str, *, depends_on: Iterable[str], seconds: int, build: Callable[[], T]) -> T:
    """`build()`, kept under `name` until one of `depends_on` changes or `seconds` pass."""
    depends_on = watch(depends_on)
    if not enabled():
        return build()
    key = versioned_keys({name: depends_on})[name]
    hit = cache.get(key)
    if hit is not None:
        return hit["value"]
    value = build()
    cache.set(key, {"value": value}, seconds)  # wrapped: a None is kept too
    return value
