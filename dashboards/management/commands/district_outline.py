"""
Build the schematic outline of the demo district's communes, once, as a static GeoJSON file.

Map tiles can't ship with the portal and it must work with no internet, so the map draws this
outline instead: a hand-drawn polygon around Núi Thành, cut into one Voronoi cell per commune
around the commune's People's Committee coordinates (sites/demo.py). The cells are *schematic*,
not legal boundaries; every feature says so. Re-run after changing the communes:

    manage.py district_outline            # writes dashboards/static/dashboards/nui-thanh-communes.geojson
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

OUTPUT = Path(__file__).resolve().parents[2] / "static" / "dashboards" / "nui-thanh-communes.geojson"

# (longitude, latitude), drawn by hand around the district: hills to the west, the coast and the
# Kỳ Hà peninsula to the east. Anticlockwise.
DISTRICT_POLYGON: list[tuple[float, float]] = [
    (108.465, 15.370),
    (108.490, 15.330),
    (108.560, 15.325),
    (108.620, 15.340),
    (108.680, 15.345),
    (108.720, 15.380),
    (108.750, 15.420),
    (108.745, 15.470),
    (108.700, 15.500),
    (108.650, 15.530),
    (108.600, 15.525),
    (108.560, 15.485),
    (108.500, 15.470),
    (108.470, 15.420),
]

Point = tuple[float, float]


def _scale(lat: float) -> float:
    """Metres per degree of longitude relative to latitude, so that cells are fair on the ground."""
    return math.cos(math.radians(lat))


def _clip(polygon: list[Point], keep: Any) -> list[Point]:
    """Sutherland–Hodgman: the part of `polygon` where `keep(p) >= 0` (keep is affine)."""
    out: list[Point] = []
    for i, current in enumerate(polygon):
        previous = polygon[i - 1]
        kc, kp = keep(current), keep(previous)
        if (kc >= 0) != (kp >= 0):
            t = kp / (kp - kc)
            out.append((previous[0] + t * (current[0] - previous[0]), previous[1] + t * (current[1] - previous[1])))
        if kc >= 0:
            out.append(current)
    return out


def voronoi_cells(seeds: list[Point], boundary: list[Point]) -> list[list[Point]]:
    """One cell per seed: the part of `boundary` nearer to it than to any other seed."""
    k = _scale(sum(lat for _, lat in seeds) / len(seeds))
    cells = []
    for i, (xi, yi) in enumerate(seeds):
        cell = list(boundary)
        for j, (xj, yj) in enumerate(seeds):
            if i == j:
                continue
            # Keep points p with |p - si| <= |p - sj|, i.e. (sj - si)·(m - p) >= 0 with m the midpoint.
            dx, dy = (xj - xi) * k * k, yj - yi
            mx, my = (xi + xj) / 2, (yi + yj) / 2

            def keep(p: Point, dx: float = dx, dy: float = dy, mx: float = mx, my: float = my) -> float:
                return dx * (mx - p[0]) + dy * (my - p[1])

            cell = _clip(cell, keep)
        cells.append(cell)
    return cells


def _ring(points: list[Point]) -> list[list[float]]:
    ring = [[round(x, 5), round(y, 5)] for x, y in points]
    return [*ring, ring[0]]


def build_outline() -> dict[str, Any]:
    """The FeatureCollection: the district, then one schematic cell per commune."""
    from sites.demo import COMMUNES

    seeds = [(float(lng), float(lat)) for *_, lat, lng in COMMUNES]
    cells = voronoi_cells(seeds, DISTRICT_POLYGON)
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "properties": {"kind": "district", "code": "nui-thanh", "name": "Huyện Núi Thành", "schematic": True},
            "geometry": {"type": "Polygon", "coordinates": [_ring(DISTRICT_POLYGON)]},
        }
    ]
    for (code, name, _kind, terrain, _lat, _lng), cell in zip(COMMUNES, cells, strict=True):
        short = name.replace("Thị trấn ", "").replace("Xã ", "")
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "kind": "commune",
                    "code": code,
                    "name": name,
                    "short": short,
                    "terrain": str(terrain),
                    "schematic": True,
                },
                "geometry": {"type": "Polygon", "coordinates": [_ring(cell)]},
            }
        )
    return {
        "type": "FeatureCollection",
        "name": "nui-thanh-communes (schematic)",
        "note": "Schematic outline drawn from approximate commune coordinates; not administrative boundaries.",
        "features": features,
    }


def outline_text() -> str:
    return json.dumps(build_outline(), ensure_ascii=False, indent=1) + "\n"


class Command(BaseCommand):
    help = "Write the schematic GeoJSON outline of the demo district's communes (static file)."

    def handle(self, *args: Any, **options: Any) -> None:
        OUTPUT.write_text(outline_text(), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {OUTPUT}"))
