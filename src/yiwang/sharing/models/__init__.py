"""The tables of sharing: each aggregate in its own module, re-exported here."""

from yiwang.sharing.models.catalogue import (
    Catalogue,
    CatalogueKind,
    FieldDataType,
    OpenType,
    Resource,
    ResourceField,
    ResourceFormat,
    ResourceStatus,
    ResourceVersion,
    Sensitivity,
    ShareType,
    SubjectKind,
    UpdateCycle,
)
from yiwang.sharing.models.grants import Grant, GrantStatus, RequestStatus, ShareRequest

__all__ = [
    "Catalogue",
    "CatalogueKind",
    "FieldDataType",
    "Grant",
    "GrantStatus",
    "OpenType",
    "RequestStatus",
    "Resource",
    "ResourceField",
    "ResourceFormat",
    "ResourceStatus",
    "ResourceVersion",
    "Sensitivity",
    "ShareRequest",
    "ShareType",
    "SubjectKind",
    "UpdateCycle",
]
