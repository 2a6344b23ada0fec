"""Synthetic region geometry for the demo (documented as such: ``RegionGeometry.synthetic``).

Each region gets a centroid (the known approximate one for the city and its districts, otherwise a
point placed deterministically near its parent's) and an irregular octagon around it as its
boundary, sized by level.  Deterministic: the same region always gets the same shape.
"""

from __future__ import annotations

import hashlib
import math
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.bases.models import Address, RegionGeometry
from yiwang.bases.places import CITY_CENTROID, CITY_CODE, DISTRICTS, PROVINCE_CENTROID
from yiwang.core.models import Region

KNOWN_CENTROIDS: dict[str, tuple[float, float]] = {
    "34": PROVINCE_CENTROID,
    CITY_CODE: CITY_CENTROID,
    **{district.code: (district.lat, district.lng) for district in DISTRICTS},
}
RADIUS_DEGREES = {2: 1.6, 4: 0.45, 6: 0.12, 9: 0.03, 12: 0.008}  # by published code length


def _rng(code: str) -> random.Random:
    return random.Random(int(hashlib.sha256(code.encode()).hexdigest()[:16], 16))  # noqa: S311 - shapes, not secrets


def centroid_for(code: str, parent_centroid: tuple[float, float] | None) -> tuple[float, float]:
    if code in KNOWN_CENTROIDS:
        return KNOWN_CENTROIDS[code]
    base = parent_centroid or CITY_CENTROID
    rng = _rng(code)
    spread = 2 * RADIUS_DEGREES.get(len(code), 0.05)  # within a couple of its own radii of the parent
    return (
        round(base[0] + rng.uniform(-spread, spread), 6),
        round(base[1] + rng.uniform(-spread, spread), 6),
    )


def boundary_for(code: str, centroid: tuple[float, float]) -> dict[str, Any]:
    """An irregular, closed octagon (GeoJSON Polygon, [lng, lat] order) around ``centroid``."""
    rng = _rng("shape:" + code)
    radius = RADIUS_DEGREES.get(len(code), 0.1)
    ring = []
    for step in range(8):
        angle = 2 * math.pi * step / 8
        r = radius * rng.uniform(0.7, 1.0)
        ring.append(
            [round(centroid[1] + r * math.cos(angle), 6), round(centroid[0] + r * math.sin(angle), 6)]
        )
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def generate_region_geometry(city_code: str = CITY_CODE) -> int:
    """Give every loaded region of the province and city of ``city_code`` (and the city's subtree) a
    synthetic geometry; existing rows are kept.  Returns how many were created."""
    regions = list(Region.objects.filter(code__in=[city_code[:2], city_code]).order_by("full_code")) + list(
        Region.objects.filter(full_code__startswith=city_code).exclude(code=city_code).order_by("full_code")
    )
    existing = set(RegionGeometry.objects.values_list("code", flat=True))
    centroids: dict[str, tuple[float, float]] = {
        code: (lat, lng)
        for code, lat, lng in RegionGeometry.objects.values_list("code", "centroid_lat", "centroid_lng")
    }
    by_pk = {region.pk: region.code for region in regions}
    rows = []
    for region in regions:  # parents come first: full_code order
        parent = centroids.get(by_pk.get(region.parent_id or 0, ""))
        centroid = centroids.get(region.code) or centroid_for(region.code, parent)
        centroids[region.code] = centroid
        if region.code in existing:
            continue
        rows.append(
            RegionGeometry(
                code=region.code,
                name=region.name,
                centroid_lat=centroid[0],
                centroid_lng=centroid[1],
                boundary=boundary_for(region.code, centroid),
                synthetic=True,
                updated_at=timezone.now(),
            )
        )
    with transaction.atomic():
        RegionGeometry.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def generate_addresses(per_road: int = 20) -> int:
    """Standard addresses: house numbers 1, 3, 5 … on each road of each district, placed along a line
    through the district's centroid.  Existing addresses are kept."""
    rows = []
    for district in DISTRICTS:
        for road_index, road in enumerate(district.roads):
            angle = math.pi * road_index / len(district.roads)
            for n in range(per_road):
                offset = (n - per_road / 2) * 0.002
                rows.append(
                    Address(
                        region=district.code,
                        street=road,
                        house_number=f"{2 * n + 1}号",
                        lat=round(district.lat + offset * math.sin(angle), 6),
                        lng=round(district.lng + offset * math.cos(angle), 6),
                    )
                )
    with transaction.atomic():
        Address.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)
