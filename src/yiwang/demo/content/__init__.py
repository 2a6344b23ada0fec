"""Demo content of the 合肥市 deployment: departments and their published service items.

Each module lists plain data; :mod:`yiwang.demo.loader` turns it into organisations and items
through the catalogue services.  ``department`` keys refer to ``organisations.ORGANISATIONS``.
"""

from __future__ import annotations

from typing import Any

from yiwang.demo.content import (
    items_bundles,
    items_civil_affairs,
    items_education,
    items_health,
    items_housing,
    items_hrss,
    items_market,
    items_natural_resources,
    items_other,
    items_public_security,
    items_transport,
)
from yiwang.demo.content.organisations import AREA_CODE, ORGANISATIONS

_BY_DEPARTMENT: list[tuple[str, list[dict[str, Any]]]] = [
    (items_market.DEPARTMENT, items_market.ITEMS),
    (items_public_security.DEPARTMENT, items_public_security.ITEMS),
    (items_civil_affairs.DEPARTMENT, items_civil_affairs.ITEMS),
    (items_hrss.DEPARTMENT, items_hrss.ITEMS),
    (items_housing.DEPARTMENT, items_housing.ITEMS),
    (items_natural_resources.DEPARTMENT, items_natural_resources.ITEMS),
    (items_health.DEPARTMENT, items_health.ITEMS),
    (items_transport.DEPARTMENT, items_transport.ITEMS),
    (items_education.DEPARTMENT, items_education.ITEMS),
    ("disabled", items_other.DISABLED_ITEMS),
    ("fund", items_other.FUND_ITEMS),
    *items_bundles.ITEMS_BY_DEPARTMENT.items(),
]

ITEMS: list[dict[str, Any]] = [{"department": key, **item} for key, items in _BY_DEPARTMENT for item in items]

__all__ = ["AREA_CODE", "ITEMS", "ORGANISATIONS"]
