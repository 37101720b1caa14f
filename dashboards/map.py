"""The district map's data: visible sites as GeoJSON points with their worst state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from accounts.models import User
from dashboards.selectors import sites_with_status
from dashboards.status import Level
from sites.choices import Terrain

OUTLINE_STATIC_PATH = "dashboards/nui-thanh-communes.geojson"


@dataclass(frozen=True, slots=True)
class MapFilter:
    """`?terrain=coastal&unit=12`; unknown values are ignored rather than refused."""

    terrain: str = ""
    unit_id: int | None = None

    @classmethod
    def from_query(cls, query: QueryDict) -> MapFilter:
        terrain = query.get("terrain", "")
        unit = query.get("unit", "")
        return cls(
            terrain=terrain if terrain in Terrain.values else "",
            unit_id=int(unit) if unit.isdigit() else None,
        )


def site_features(*, user: User, map_filter: MapFilter) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the user's visible sites that have coordinates."""
    rows = sites_with_status(user=user, terrain=map_filter.terrain, unit_id=map_filter.unit_id)
    features = []
    missing = 0
    for row in rows:
        site, status = row.site, row.status
        if site.latitude is None or site.longitude is None:
            missing += 1
            continue
        features.append(
            {
                "type": "Feature",
                "id": site.pk,
                "geometry": {"type": "Point", "coordinates": [float(site.longitude), float(site.latitude)]},
                "properties": {
                    "name": site.name,
                    "unit": site.unit.name,
                    "kind": site.get_kind_display(),
                    "terrain": site.effective_terrain,
                    "key_site": site.is_key_site,
                    "level": status.level,
                    "state": status.label,
                    "colour": status.colour,
                    "reasons": status.reasons,
                    "url": site.get_absolute_url(),
                },
            }
        )
    counts = dict.fromkeys(Level.LABELS, 0)
    for feature in features:
        counts[feature["properties"]["level"]] += 1
    return {
        "type": "FeatureCollection",
        "features": features,
        "without_coordinates": missing,
        "counts": {str(level): n for level, n in counts.items()},
    }
