"""The district map's data: visible sites as GeoJSON points with their worst state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.urls import reverse

from accounts.models import User
from dashboards.selectors import site_markers
from dashboards.status import Level
from sites.choices import Terrain
from sites.models import AdministrativeUnit, Site

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


UNIT_PREFIXES = ("Thị trấn ", "Phường ", "Xã ", "Đặc khu ")


def _short(name: str) -> str:
    for prefix in UNIT_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def outline_units() -> dict[str, dict[str, str]]:
    """
    How the schematic outline (drawn once per commune code) reads today: {code: {group, name, short}}.
    A commune merged into another is drawn as part of its successor (same `group`, the successor's
    name), a renamed one under its new name. One query.
    """
    units = {u.pk: u for u in AdministrativeUnit.objects.only("pk", "code", "name", "merged_into_id")}
    found = {}
    for unit in units.values():
        final, seen = unit, {unit.pk}
        while final.merged_into_id and final.merged_into_id in units and final.merged_into_id not in seen:
            final = units[final.merged_into_id]
            seen.add(final.pk)
        found[unit.code] = {"group": final.code, "name": final.name, "short": _short(final.name)}
    return found


MAP_LIST_ROWS = 50
_URL_ID = 987654321  # stands for a site's id in its reversed detail address


def site_features(*, user: User, map_filter: MapFilter) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the user's visible sites that have coordinates."""
    rows = site_markers(user=user, terrain=map_filter.terrain, unit_id=map_filter.unit_id)
    # The kinds' and levels' labels once (`get_kind_display()` looks the choices up again for every site),
    # and the detail address reversed once, the site's id put in its place (500 `reverse()` calls).
    kinds = {value: str(label) for value, label in Site._meta.get_field("kind").flatchoices}
    states = {level: str(label) for level, label in Level.LABELS.items()}
    url_before, _id, url_after = reverse("sites:site_detail", args=[_URL_ID]).partition(str(_URL_ID))
    features = []
    missing = 0
    for site, status in rows:
        if site["latitude"] is None or site["longitude"] is None:
            missing += 1
            continue
        features.append(
            {
                "type": "Feature",
                "id": site["pk"],
                "geometry": {"type": "Point", "coordinates": [float(site["longitude"]), float(site["latitude"])]},
                "properties": {
                    "name": site["name"],
                    "unit": site["unit__name"],
                    "kind": kinds.get(site["kind"], site["kind"]),
                    "terrain": site["terrain"] or site["unit__terrain"],  # as Site.effective_terrain
                    "key_site": site["is_key_site"],
                    "level": status.level,
                    "state": states[status.level],
                    "colour": status.colour,
                    "reasons": status.reasons,
                    "url": f"{url_before}{site['pk']}{url_after}",
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


def sites_needing_attention(collection: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """
    The map's side list: the features of sites with a problem, the worst first, MAP_LIST_ROWS of them
    (a province has hundreds), and how many more.
    """
    attention = sorted(
        (f for f in collection["features"] if f["properties"]["level"]),
        key=lambda f: (-f["properties"]["level"], f["properties"]["name"]),
    )
    return attention[:MAP_LIST_ROWS], max(0, len(attention) - MAP_LIST_ROWS)
