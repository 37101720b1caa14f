"""The district map page."""

from __future__ import annotations

from typing import Any

from django.templatetags.static import static
from django.views import generic

from common.views import ObjectViewMixin
from dashboards.map import OUTLINE_STATIC_PATH, MapFilter, outline_units, site_features, sites_needing_attention
from dashboards.status import Level
from sites.choices import Terrain
from sites.models import AdministrativeUnit, Site


class DistrictMapView(ObjectViewMixin, generic.TemplateView):
    """Every visible site on a schematic outline of the communes, coloured by its worst state."""

    model = Site
    template_name = "dashboards/map.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        map_filter = MapFilter.from_query(self.request.GET)
        sites = site_features(user=self.request.user, map_filter=map_filter)
        attention, attention_more = sites_needing_attention(sites)
        context.update(
            sites=sites,
            attention=attention,
            attention_more=attention_more,
            map_filter=map_filter,
            terrains=Terrain.choices,
            units=AdministrativeUnit.objects.visible_to(self.request.user)
            .filter(sites__isnull=False)
            .distinct()
            .order_by("name")
            .only("pk", "name"),
            outline_url=static(OUTLINE_STATIC_PATH),
            outline_units=outline_units(),
            # Zoom to the markers when they are a part of the district: a commune's user or a filter.
            focus=bool(self.request.user.unit_id or map_filter.terrain or map_filter.unit_id),
            legend=[(Level.COLOURS[level], Level.LABELS[level]) for level in (Level.OK, Level.WARNING, Level.DANGER)],
        )
        return context
