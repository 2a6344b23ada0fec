"""Use cases of sharing: one module per use case, public functions re-exported here."""

from yiwang.sharing.services.catalogue import (
    create_catalogue,
    create_resource,
    next_resource_code,
    retire_resource,
    update_catalogue,
    update_resource,
)
from yiwang.sharing.services.grants import ExpiryReport, expire_grants, revoke_grant
from yiwang.sharing.services.requests import (
    decide_request,
    decision_days,
    due_at_for,
    published_fields,
    request_resource,
    withdraw_request,
)
from yiwang.sharing.services.review import review_resource, snapshot_of, submit_resource

__all__ = [
    "ExpiryReport",
    "create_catalogue",
    "create_resource",
    "decide_request",
    "decision_days",
    "due_at_for",
    "expire_grants",
    "next_resource_code",
    "published_fields",
    "request_resource",
    "retire_resource",
    "review_resource",
    "revoke_grant",
    "snapshot_of",
    "submit_resource",
    "update_catalogue",
    "update_resource",
    "withdraw_request",
]
