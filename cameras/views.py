"""Web pages for cameras: the dashboard, inventory (common.views), alerts and coverage."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View, generic

from cameras import filtersets, forms, imports, selectors, services, tables
from cameras.models import Camera, CameraAlert, CameraIncident, CoverageTemplate, Recorder
from common.datacache import cached_by_data
from common.exceptions import ApplicationError
from common.scoping import scope_queryset
from common.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectExportView,
    ObjectImportView,
    ObjectListView,
    ObjectViewMixin,
)
from sites.models import Site

COVERAGE_PAGE_SIZE = 10
# What the coverage of a site is made from (cached gap counts are kept until one of these changes).
COVERAGE_MODELS = ["cameras.Camera", "cameras.CoverageTemplate", "cameras.ZoneRequirement", "sites.Site"]


class DashboardView(ObjectViewMixin, generic.TemplateView):
    """
    Counts, per-site and per-recorder summaries, cameras offline now and the incidents to look at.
    Live: on every camera event the page fetches its numbers again (`DashboardNumbersView`), so the
    cards and the tables always come from the same read.
    """

    model = Camera
    template_name = "cameras/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            selectors.dashboard_numbers(user=user),
            can_acknowledge=user.has_perm("cameras.change_cameraincident"),
        )
        return context


class DashboardNumbersView(DashboardView):
    """The live part of the dashboard alone (cards, incidents, tables), for its live refresh."""

    template_name = "cameras/_dashboard_live.html"


class CameraListView(ObjectListView):
    model = Camera
    queryset = Camera.objects.select_related("site", "recorder")
    table_class = tables.CameraTable
    filterset_class = filtersets.CameraFilterSet
    importable = True


class CameraDetailView(ObjectDetailView):
    model = Camera
    queryset = Camera.objects.select_related("site", "recorder")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        camera = self.object
        context.update(
            uptime={
                key: selectors.camera_uptimes(cameras=[camera], window=window)[camera.pk]
                for key, window in selectors.UPTIME_WINDOWS.items()
            },
            outages=camera.outages.all()[:20],
            alerts=camera.alerts.select_related("acknowledged_by")[:20],
            can_acknowledge=self.request.user.has_perm("cameras.change_cameraalert"),
        )
        return context


class CameraEditView(ObjectEditView):
    model = Camera
    form_class = forms.CameraForm


class CameraDeleteView(ObjectDeleteView):
    model = Camera


class CameraImportView(ObjectImportView):
    model = Camera
    spec_class = imports.CameraImportSpec


class CameraExportView(ObjectExportView):
    model = Camera
    spec_class = imports.CameraImportSpec


class RecorderListView(ObjectListView):
    model = Recorder
    queryset = Recorder.objects.select_related("site").annotate(camera_count=Count("cameras"))
    table_class = tables.RecorderTable
    filterset_class = filtersets.RecorderFilterSet
    importable = True


class RecorderDetailView(ObjectDetailView):
    model = Recorder
    queryset = Recorder.objects.select_related("site")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["cameras"] = scope_queryset(self.object.cameras.select_related("site"), self.request.user).order_by(
            "recorder_channel", "code"
        )
        return context


class RecorderEditView(ObjectEditView):
    model = Recorder
    form_class = forms.RecorderForm


class RecorderDeleteView(ObjectDeleteView):
    model = Recorder


class RecorderImportView(ObjectImportView):
    model = Recorder
    spec_class = imports.RecorderImportSpec


class RecorderExportView(ObjectExportView):
    model = Recorder
    spec_class = imports.RecorderImportSpec


class AlertListView(ObjectViewMixin, generic.ListView):
    """Camera alerts grouped by site and incident, newest first; several can be acknowledged at once."""

    model = CameraIncident
    template_name = "cameras/alert_list.html"
    paginate_by = 50

    def get_queryset(self) -> Any:
        value = self.request.GET.get("acknowledged", "")
        acknowledged = {"true": True, "false": False}.get(value)
        return selectors.incident_list(user=self.request.user, acknowledged=acknowledged)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_acknowledge"] = self.request.user.has_perm("cameras.change_cameraincident")
        return context


class IncidentDetailView(ObjectViewMixin, generic.DetailView):
    """One incident: its site, its cameras with when each went offline and came back, who acknowledged it."""

    model = CameraIncident
    template_name = "cameras/incident_detail.html"

    def get_queryset(self) -> Any:
        return selectors.incident_list(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_acknowledge"] = self.request.user.has_perm("cameras.change_cameraincident")
        return context


class IncidentAcknowledgeView(ObjectViewMixin, View):
    """POST only: acknowledge the incidents ticked (`incident` ids), then go back where the user came from."""

    model = CameraIncident
    action = "change"

    def post(self, request: HttpRequest) -> HttpResponse:
        ids = [int(v) for v in request.POST.getlist("incident") if v.isdigit()]
        incidents = list(self.get_queryset().filter(pk__in=ids))  # other units' incidents are left out
        if not incidents:
            messages.warning(request, _("Tick the incidents to acknowledge first."))
        else:
            done = services.incidents_acknowledge(incidents=incidents, user=request.user)
            if done:
                messages.success(
                    request,
                    ngettext("%(n)d incident acknowledged.", "%(n)d incidents acknowledged.", done) % {"n": done},
                )
            else:
                messages.info(request, _("These incidents were already acknowledged."))
        next_url = request.POST.get("next", "")
        safe = next_url.startswith("/") and not next_url.startswith("//")
        return redirect(next_url if safe else "cameras:alert_list")


class AlertAcknowledgeView(ObjectViewMixin, View):
    """POST only: acknowledge one alert, then go back where the user came from."""

    model = CameraAlert
    action = "change"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        alert = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            services.alert_acknowledge(alert=alert, user=request.user)
        except ApplicationError as exc:
            messages.warning(request, exc.message)
        else:
            messages.success(request, _("Alert acknowledged."))
        next_url = request.POST.get("next", "")
        return redirect(next_url if next_url.startswith("/") and not next_url.startswith("//") else "cameras:dashboard")


class CoverageView(ObjectViewMixin, generic.TemplateView):
    """
    Each key site's required zones, the cameras covering them and the gaps (one site with ?site=),
    COVERAGE_PAGE_SIZE sites a page: a province has about 160 key sites and 10,000 cameras, and the
    page with all of them weighed half a megabyte and took seconds (issue 18). The badge counts the
    gaps of every site, kept in the cache until a camera, site or template changes.
    """

    model = CoverageTemplate
    template_name = "cameras/coverage.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        sites = scope_queryset(Site.objects.all(), user)
        site_id = self.request.GET.get("site", "")
        if site_id.isdigit():
            sites = sites.filter(pk=int(site_id))
        page = Paginator(selectors.coverage_sites(sites=sites), COVERAGE_PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        coverage = selectors.coverage_for_sites(sites=Site.objects.filter(pk__in=[s.pk for s in page]))
        if page.paginator.num_pages == 1:
            gap_count = sum(len(c.gaps) for c in coverage)
        else:
            gap_count = cached_by_data(
                f"coverage-gaps:{user.pk}:{user.unit_id}:{site_id}",
                depends_on=COVERAGE_MODELS,
                seconds=300,
                build=lambda: sum(len(c.gaps) for c in selectors.coverage_for_sites(sites=sites)),
            )
        context.update(
            coverage=coverage,
            page_obj=page,
            gap_count=gap_count,
            templates=CoverageTemplate.objects.prefetch_related("zones"),
        )
        return context
