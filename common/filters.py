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
