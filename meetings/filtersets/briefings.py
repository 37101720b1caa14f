"""Filters for the briefing lists (web and API)."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from common.scoping import scope_queryset
from meetings.models import DistrictOffice, Meeting, MinutesTask, Proposal
from sites.models import AdministrativeUnit


class MeetingFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=Meeting.Status.choices, label=_("Status"))
    after = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__gte", label=_("From"))
    before = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = Meeting
        fields = ("q", "status", "after", "before")

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(chair__icontains=value)) if value else queryset


class TaskFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=MinutesTask.Status.choices, label=_("Status"))
    unit = django_filters.ModelChoiceFilter(queryset=AdministrativeUnit.objects.all(), label=_("Assigned to"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = MinutesTask
        fields = ("status", "unit", "overdue")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.request is not None:  # a commune picks among its own units only
            field = self.filters["unit"]
            field.queryset = scope_queryset(AdministrativeUnit.objects.all(), self.request.user)

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        from django.utils import timezone

        if value is None:
            return queryset
        overdue = Q(status=MinutesTask.Status.OPEN, due_on__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class ProposalFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Proposal.Status.choices, label=_("Status"))
    unit = django_filters.ModelChoiceFilter(queryset=AdministrativeUnit.objects.all(), label=_("Commune"))
    office = django_filters.ModelChoiceFilter(queryset=DistrictOffice.objects.all(), label=_("Assigned office"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = Proposal
        fields = ("status", "unit", "office", "overdue")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.request is not None:  # a commune picks among its own units only
            self.filters["unit"].queryset = scope_queryset(AdministrativeUnit.objects.all(), self.request.user)

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        from django.utils import timezone

        if value is None:
            return queryset
        overdue = Q(status=Proposal.Status.OPEN, due_on__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
