"""Web pages for units, sites, rooms, bridge points and equipment: configuration of common.views."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView

from common.exceptions import ApplicationError
from common.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectExportView,
    ObjectImportView,
    ObjectListView,
    ObjectViewMixin,
)
from sites import filtersets, forms, imports, services, tables
from sites.models import AdministrativeUnit, BridgePoint, Equipment, NetworkLink, Room, Site, SiteContact
from sites.sections import build_sections, prefetch_sections, sections_for
from sites.selectors import site_unit_on, unit_ancestors, unit_tree

#
# Units
#


class UnitListView(ObjectListView):
    model = AdministrativeUnit
    queryset = AdministrativeUnit.objects.select_related("parent").annotate(site_count=Count("sites"))
    table_class = tables.UnitTable
    filterset_class = filtersets.UnitFilterSet
    importable = True


class UnitTreeView(ObjectViewMixin, View):
    """The tree as it stands today, or as it stood on `?on=dd/mm/yyyy`."""

    model = AdministrativeUnit
    template_name = "sites/unit_tree.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        on = _parse_day(request.GET.get("on"))
        return render(
            request,
            self.template_name,
            {
                "tree": unit_tree(user=request.user, on=on),
                "on": on,
                "today": timezone.localdate(),
            },
        )


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return timezone.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


class UnitDetailView(ObjectDetailView):
    model = AdministrativeUnit
    queryset = AdministrativeUnit.objects.select_related("parent", "merged_into")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        unit = self.object
        context.update(
            ancestors=unit_ancestors(unit=unit),
            versions=unit.versions.select_related("parent").order_by("-valid_from"),
            children=self.get_queryset().filter(parent=unit),
            sites=Site.objects.visible_to(self.request.user).filter(unit=unit),
            merged_from=unit.merged_from.all(),
        )
        return context


class UnitEditView(ObjectEditView):
    model = AdministrativeUnit
    form_class = forms.UnitForm


class UnitDeleteView(ObjectDeleteView):
    model = AdministrativeUnit

    def check_deletable(self, obj: AdministrativeUnit) -> None:
        services.unit_check_deletable(unit=obj)


class UnitImportView(ObjectImportView):
    model = AdministrativeUnit
    spec_class = imports.UnitImportSpec


class UnitExportView(ObjectExportView):
    model = AdministrativeUnit
    spec_class = imports.UnitImportSpec


#
# Sites
#


class SiteListView(ObjectListView):
    model = Site
    queryset = Site.objects.select_related("unit")
    table_class = tables.SiteTable
    filterset_class = filtersets.SiteFilterSet
    importable = True


class SiteDetailView(ObjectDetailView):
    """
    One page per site that joins every area: each app contributes sections (sites.sections), each
    prefetching what it shows, so the page costs the same number of queries whatever the site holds.
    """

    model = Site
    queryset = Site.objects.select_related("unit", "unit__parent")

    def get_queryset(self) -> QuerySet[Site]:
        self.sections = sections_for(self.request.user)
        return prefetch_sections(super().get_queryset(), self.sections)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        day = _parse_day(self.request.GET.get("on"))
        if day:
            context["unit_on_name"] = site_unit_on(site=self.object, day=day).name_on(day)
            context["on"] = day
        shown = build_sections(self.object, self.request, self.sections)
        context["side_sections"] = [s for s in shown if s.section.column == "side"]
        context["below_sections"] = [s for s in shown if s.section.column == "below"]
        return context


@method_decorator(never_cache, name="get")
class SiteSectionView(ObjectViewMixin, View):
    """
    One section of the site page, as the page shows it: the live page (static/sites/site_live.js)
    fetches it when the websocket says the section changed. Same rights and scoping as the page;
    404 for a section that does not exist or that the user may not see.
    """

    model = Site
    queryset = Site.objects.select_related("unit", "unit__parent")

    def get(self, request: HttpRequest, pk: int, key: str) -> HttpResponse:
        section = next((s for s in sections_for(request.user) if s.key == key), None)
        if section is None:
            raise Http404
        site = get_object_or_404(prefetch_sections(self.get_queryset(), [section]), pk=pk)
        shown = build_sections(site, request, [section])[0]
        return render(request, "sites/_section.html", {"shown": shown, "object": site, "site": site})


class SiteEditView(ObjectEditView):
    model = Site
    form_class = forms.SiteForm


class SiteDeleteView(ObjectDeleteView):
    model = Site


class SiteImportView(ObjectImportView):
    model = Site
    spec_class = imports.SiteImportSpec


class SiteExportView(ObjectExportView):
    model = Site
    spec_class = imports.SiteImportSpec


class SiteContactListView(ObjectListView):
    model = SiteContact
    queryset = SiteContact.objects.select_related("site")
    table_class = tables.SiteContactTable
    filterset_class = filtersets.SiteContactFilterSet


class SiteContactDetailView(ObjectDetailView):
    model = SiteContact


class SiteContactEditView(ObjectEditView):
    model = SiteContact
    form_class = forms.SiteContactForm


class SiteContactDeleteView(ObjectDeleteView):
    model = SiteContact


#
# Rooms and bridge points
#


class RoomListView(ObjectListView):
    model = Room
    queryset = Room.objects.select_related("site", "bridge_point")
    table_class = tables.RoomTable
    filterset_class = filtersets.RoomFilterSet
    importable = True


class RoomDetailView(ObjectDetailView):
    model = Room
    queryset = Room.objects.select_related("site", "bridge_point").prefetch_related("equipment")


class RoomEditView(ObjectEditView):
    model = Room
    form_class = forms.RoomForm


class RoomDeleteView(ObjectDeleteView):
    model = Room


class RoomImportView(ObjectImportView):
    model = Room
    spec_class = imports.RoomImportSpec


class RoomExportView(ObjectExportView):
    model = Room
    spec_class = imports.RoomImportSpec


class BridgePointListView(ObjectListView):
    model = BridgePoint
    queryset = BridgePoint.objects.select_related("room", "room__site")
    table_class = tables.BridgePointTable
    filterset_class = filtersets.BridgePointFilterSet


class BridgePointDetailView(ObjectDetailView):
    model = BridgePoint
    queryset = BridgePoint.objects.select_related("room", "room__site").prefetch_related("links")


class BridgePointEditView(ObjectEditView):
    model = BridgePoint
    form_class = forms.BridgePointForm


class BridgePointDeleteView(ObjectDeleteView):
    model = BridgePoint


class NetworkLinkPagesMixin:
    """Links have no list or page of their own: they are shown, added and edited from their bridge point."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "list_url": "sites:bridgepoint_list",
            "verbose_name_plural": BridgePoint._meta.verbose_name_plural,
        }


class NetworkLinkEditView(NetworkLinkPagesMixin, ObjectEditView):
    model = NetworkLink
    form_class = forms.NetworkLinkForm


class NetworkLinkDeleteView(NetworkLinkPagesMixin, ObjectDeleteView):
    model = NetworkLink

    def deleted_url(self, obj: NetworkLink) -> str:
        return obj.bridge_point.get_absolute_url()


#
# Equipment
#


class EquipmentListView(ObjectListView):
    model = Equipment
    queryset = Equipment.objects.select_related("site", "room")
    table_class = tables.EquipmentTable
    filterset_class = filtersets.EquipmentFilterSet
    importable = True


class EquipmentDetailView(ObjectDetailView):
    model = Equipment
    queryset = Equipment.objects.select_related("site", "room")


class EquipmentEditView(ObjectEditView):
    model = Equipment
    form_class = forms.EquipmentForm


class EquipmentDeleteView(ObjectDeleteView):
    model = Equipment


class EquipmentImportView(ObjectImportView):
    model = Equipment
    spec_class = imports.EquipmentImportSpec


class EquipmentExportView(ObjectExportView):
    model = Equipment
    spec_class = imports.EquipmentImportSpec


class UnitMergeView(ObjectViewMixin, FormView):
    """Merge units from a date; administrators only (add and change permissions on units)."""

    model = AdministrativeUnit
    form_class = forms.UnitMergeForm
    template_name = "sites/unit_merge.html"

    def get_permission_required(self) -> tuple[str, ...]:
        return ("sites.add_administrativeunit", "sites.change_administrativeunit")

    def get_form(self, form_class: Any = None) -> forms.UnitMergeForm:
        form = super().get_form(form_class)
        form.fields["sources"].queryset = self.get_queryset().filter(dissolved_on__isnull=True)
        form.fields["parent"].queryset = self.get_queryset()
        return form

    def form_valid(self, form: forms.UnitMergeForm) -> HttpResponse:
        try:
            target = services.unit_merge(**form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Merged into %(unit)s.") % {"unit": target.name})
        return redirect(target.get_absolute_url())
