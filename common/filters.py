"""The API's filter backend: django-filter, with number filters kept within what the database stores."""

from typing import Any

import django_filters
from django_filters.rest_framework import DjangoFilterBackend

# A 64-bit integer: SQLite refuses a larger one with an OverflowError (a 500) before comparing anything.
NUMBER_LIMIT = 2**63 - 1


class FilterBackend(DjangoFilterBackend):
    """`?floor=99999999999999999999` is a 400 (out of range), not a server error."""

    def get_filterset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            # `filters` is the filter set's own deep copy: the bounds do not leak into the class.
            for number_filter in filterset.filters.values():
                if isinstance(number_filter, django_filters.NumberFilter):
                    number_filter.extra.setdefault("min_value", -NUMBER_LIMIT)
                    number_filter.extra.setdefault("max_value", NUMBER_LIMIT)
        return filterset


class ColumnChoicesFilter(django_filters.MultipleChoiceFilter):
    """
    Several values of a column of the listed table (`?status=faulty&status=retired`). django-filter makes a
    multiple-choice filter DISTINCT by default, which only a many-valued relation needs: on 50,000
    equipment rows, DISTINCT over every selected column made a filtered list's page and count 30 ms
    of PostgreSQL (issue 18) for rows that cannot repeat.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)
