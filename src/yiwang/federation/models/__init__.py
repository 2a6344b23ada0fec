"""Models of the federation app: the city's watermarks, the province's federated records and 四级四同
findings, the city's back-flowed records."""

from yiwang.federation.models.backflow import BackflowRecord, BackflowType
from yiwang.federation.models.federated import (
    ConsistencyFinding,
    FederatedCase,
    FederatedCatalogueItem,
    FederatedLicence,
    FederatedRating,
)
from yiwang.federation.models.watermarks import Watermark

__all__ = [
    "BackflowRecord",
    "BackflowType",
    "ConsistencyFinding",
    "FederatedCase",
    "FederatedCatalogueItem",
    "FederatedLicence",
    "FederatedRating",
    "Watermark",
]
