"""The catalog test factories live in :mod:`yiwang.testing.catalog` (shared test support); re-exported here."""

from __future__ import annotations

from yiwang.testing.catalog import (
    PASSWORD,
    BaseItemFactory,
    MaterialFactory,
    OrganisationFactory,
    ProvinceFactory,
    RegionFactory,
    ServiceItemFactory,
    login_verified,
    make_citizen,
    make_staff,
    make_user,
)

__all__ = [
    "PASSWORD",
    "BaseItemFactory",
    "MaterialFactory",
    "OrganisationFactory",
    "ProvinceFactory",
    "RegionFactory",
    "ServiceItemFactory",
    "login_verified",
    "make_citizen",
    "make_staff",
    "make_user",
]
