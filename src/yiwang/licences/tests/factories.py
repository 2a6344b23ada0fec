"""The licences test factories live in :mod:`yiwang.testing.licences` (shared test support); re-exported here."""

from __future__ import annotations

from yiwang.testing.licences import (
    FOOD_FIELDS,
    MINISTRY,
    PASSWORD,
    OrganisationFactory,
    food_data,
    issue,
    make_citizen,
    make_issuer,
    make_staff,
    make_type,
)

__all__ = [
    "FOOD_FIELDS",
    "MINISTRY",
    "PASSWORD",
    "OrganisationFactory",
    "food_data",
    "issue",
    "make_citizen",
    "make_issuer",
    "make_staff",
    "make_type",
]
