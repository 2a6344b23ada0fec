"""The accounts test factories live in :mod:`yiwang.testing.accounts` (shared test support); re-exported here."""

from __future__ import annotations

from yiwang.testing.accounts import (
    PASSWORD,
    citizen,
    company,
    oidc_client,
    organisation,
    region,
    staff,
)

__all__ = [
    "PASSWORD",
    "citizen",
    "company",
    "oidc_client",
    "organisation",
    "region",
    "staff",
]
