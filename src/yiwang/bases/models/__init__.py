"""The tables of bases: each aggregate in its own module, re-exported here."""

from yiwang.bases.models.changes import BaseChange, BaseKind
from yiwang.bases.models.feeds import FeedSource
from yiwang.bases.models.geography import Address, RegionGeometry
from yiwang.bases.models.legal_persons import (
    ACTIVE_COMPANY_STATUSES,
    CLOSED_COMPANY_STATUSES,
    Company,
    CompanyStatus,
    CompanyType,
)
from yiwang.bases.models.population import Gender, Person, PersonStatus

__all__ = [
    "ACTIVE_COMPANY_STATUSES",
    "CLOSED_COMPANY_STATUSES",
    "Address",
    "BaseChange",
    "BaseKind",
    "Company",
    "CompanyStatus",
    "CompanyType",
    "FeedSource",
    "Gender",
    "Person",
    "PersonStatus",
    "RegionGeometry",
]
