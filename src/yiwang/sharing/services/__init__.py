"""Use cases of sharing: one module per use case, public functions re-exported here."""

from yiwang.sharing.services.catalogue import (
    create_catalogue,
    create_resource,
    next_resource_code,
    retire_resource,
    update_catalogue,
    update_resource,
)
from yiwang.sharing.services.consents import current_prefill_consent, grant_prefill_consent
from yiwang.sharing.services.gateway import GatewayAnswer, GatewayRefusal, call_resource
from yiwang.sharing.services.gateway_auth import register_consumer
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
from yiwang.sharing.services.subscriptions import fan_out_changes, subscribe, unsubscribe

__all__ = [
    "ExpiryReport",
    "GatewayAnswer",
    "GatewayRefusal",
    "call_resource",
    "create_catalogue",
    "create_resource",
    "current_prefill_consent",
    "decide_request",
    "decision_days",
    "due_at_for",
    "expire_grants",
    "fan_out_changes",
    "grant_prefill_consent",
    "next_resource_code",
    "published_fields",
    "register_consumer",
    "request_resource",
    "retire_resource",
    "review_resource",
    "revoke_grant",
    "snapshot_of",
    "submit_resource",
    "subscribe",
    "unsubscribe",
    "update_catalogue",
    "update_resource",
    "withdraw_request",
]
from yiwang.sharing.services.quality import (
    accept_ticket,
    comment_on_ticket,
    fix_ticket,
    fix_ticket_with_values,
    reject_ticket,
    report_by_applicant,
    report_by_staff,
    ticket_fixable_with_values,
)

__all__ += [
    "accept_ticket",
    "comment_on_ticket",
    "fix_ticket",
    "fix_ticket_with_values",
    "reject_ticket",
    "report_by_applicant",
    "report_by_staff",
    "ticket_fixable_with_values",
]
