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
from yiwang.sharing.models.consents import PrefillConsent
from yiwang.sharing.models.gateway import (
    CallChannel,
    CallResult,
    GatewayCall,
    GatewayConsumer,
    GatewayNonce,
    GatewayUsage,
)
from yiwang.sharing.models.grants import Grant, GrantStatus, RequestStatus, ShareRequest
from yiwang.sharing.models.subscriptions import FanOutCursor, Subscription

__all__ = [
    "CallChannel",
    "CallResult",
    "Catalogue",
    "CatalogueKind",
    "FanOutCursor",
    "FieldDataType",
    "GatewayCall",
    "GatewayConsumer",
    "GatewayNonce",
    "GatewayUsage",
    "Grant",
    "GrantStatus",
    "OpenType",
    "PrefillConsent",
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
    "Subscription",
    "UpdateCycle",
]
from yiwang.sharing.models.quality import QualityComment, QualityTicket, ReporterKind, TicketStatus

__all__ += ["QualityComment", "QualityTicket", "ReporterKind", "TicketStatus"]
