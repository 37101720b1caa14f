"""Base models shared by every app."""

from functools import lru_cache
from typing import Any

from django.db import models
from django.utils.hashable import make_hashable
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


@lru_cache(maxsize=1024)
def _choice_labels(field: models.Field, language: str | None) -> dict[Any, str]:
    return {make_hashable(value): str(label) for value, label in field.flatchoices}


class ChoiceLabelsMixin:
    """
    `get_FOO_display()` from a {value: label} map made once per field and language. Django's own makes
    the map on every call and hashes each lazy label on the way, a translation lookup per choice: a
    site page listing 100 pieces of equipment spent a quarter of its time on it (profiled). Fields whose
    choices are a callable (evaluated on each use) keep Django's way.
    """

    def _get_FIELD_display(self, field: models.Field) -> Any:
        if not isinstance(field.choices, list | tuple):
            return super()._get_FIELD_display(field)  # type: ignore[misc]
        value = getattr(self, field.attname)
        try:
            return _choice_labels(field, get_language()).get(make_hashable(value), value)
        except TypeError:  # an unhashable value, as Django handles it
            return super()._get_FIELD_display(field)  # type: ignore[misc]


class TimeStampedModel(ChoiceLabelsMixin, models.Model):
    """Adds creation and last-change times."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def acting_user_field(verbose_name) -> models.ForeignKey:
    """The user who did something to a row (approved, returned, completed…), if anyone did yet."""
    from django.conf import settings

    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )


def _per_queryset(querysets: dict[str, models.QuerySet], aggregate: models.Aggregate) -> dict[str, Any]:
    """`aggregate` over each queryset, in one query (UNION ALL of one aggregate per queryset)."""
    if not querysets:
        return {}
    parts = [
        queryset.order_by()
        .annotate(part_key=models.Value(key, output_field=models.CharField()))
        .values("part_key")
        .annotate(part_value=aggregate)
        .values_list("part_key", "part_value")
        for key, queryset in querysets.items()
    ]
    return dict(parts[0].union(*parts[1:], all=True)) if len(parts) > 1 else dict(parts[0])


def counts(querysets: dict[str, models.QuerySet]) -> dict[str, int]:
    """The row count of each queryset, in one query: for pages that show several counts side by side."""
    rows = _per_queryset(querysets, models.Count("pk"))
    return {key: rows.get(key) or 0 for key in querysets}


def sums(querysets: dict[str, models.QuerySet], field: str) -> dict[str, int]:
    """The sum of `field` over each queryset (0 when empty), in one query."""
    rows = _per_queryset(querysets, models.Sum(field))
    return {key: rows.get(key) or 0 for key in querysets}
