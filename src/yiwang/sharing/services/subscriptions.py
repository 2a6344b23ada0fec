"""Change subscriptions (变更订阅): a consumer system holding a grant for a resource asks to be told when
its records change.  :func:`fan_out_changes` reads the bases' change log after a stored cursor and
queues one webhook per (change, matching subscription) through the exchange app — idempotent
(``event_id = "<sequence>:<subscription>"``), retried, dead letters kept for replay.  A payload names
only the changed fields the consumer's grant covers, and the subject as its digest."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.bases.models import BaseChange, BaseKind
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.exchange.services import create_endpoint, enqueue_webhooks, update_endpoint
from yiwang.sharing.errors import SharingErrorCode
from yiwang.sharing.gateway_errors import GatewayErrorCode
from yiwang.sharing.models import (
    FanOutCursor,
    GatewayConsumer,
    Resource,
    ResourceStatus,
    Sensitivity,
    ShareType,
    Subscription,
)
from yiwang.sharing.reads import active_grant
from yiwang.sharing.services.gateway import subject_digest
from yiwang.sharing.services.permissions import require_official_of
from yiwang.sharing.services.requests import published_fields

TOPIC = "sharing.resource_changed"
CURSOR = "bases"
MAX_SUBJECTS = 1000
#: The resource service key each base's changes belong to.
SERVICE_OF_BASE: dict[str, str] = {
    BaseKind.POPULATION: "bases.population",
    BaseKind.LEGAL_PERSON: "bases.legal_person",
    BaseKind.GEOGRAPHY: "bases.geography",
}


def endpoint_owner(subscription: Subscription) -> str:
    return f"sharing.subscription:{subscription.public_id}"


def granted_fields(consumer: GatewayConsumer, resource: Resource) -> set[str]:
    """What the consumer may read of the resource now (empty: nothing, no subscription)."""
    published = {f["name"]: f for f in published_fields(resource)}
    if resource.status == ResourceStatus.RETIRED or not published:
        return set()
    if consumer.organisation_id == resource.provider_id:
        return set(published)
    grant = active_grant(consumer.organisation_id, resource.pk)
    if grant is not None:
        return {name for name in grant.fields if name in published}
    if resource.share_type == ShareType.UNCONDITIONAL:
        return {
            name
            for name, f in published.items()
            if f.get("sensitivity") in (Sensitivity.PUBLIC, Sensitivity.INTERNAL) and not f.get("is_personal")
        }
    return set()


def subscribe(
    *,
    actor: User,
    consumer: GatewayConsumer,
    resource: Resource,
    url: str,
    secret: str = "",
    subjects: list[str] | None = None,
) -> tuple[Subscription, str]:
    """订阅 A data official of the consumer's organisation subscribes it to changes of a resource it
    holds a grant for; answers the subscription and the webhook signing secret (shown once)."""
    require_official_of(actor, consumer.organisation, "为本单位的调用方系统订阅")
    if not granted_fields(consumer, resource):
        raise DomainError(GatewayErrorCode.NO_GRANT, "没有该资源的有效授权，不能订阅", status=403)
    if resource.service not in SERVICE_OF_BASE.values():
        raise DomainError(SharingErrorCode.NOT_PUBLISHED, "该资源不提供变更订阅", status=409)
    subjects = [str(s).strip()[:40] for s in (subjects or []) if str(s).strip()]
    if len(subjects) > MAX_SUBJECTS:
        raise DomainError(
            GatewayErrorCode.INVALID_INPUT, "订阅对象过多", {"subjects": [f"至多 {MAX_SUBJECTS} 个"]}
        )
    secret = secret or secrets.token_urlsafe(32)
    with transaction.atomic():
        subscription = Subscription(
            consumer=consumer,
            resource=resource,
            subject_digests=sorted({subject_digest(s) for s in subjects}),
        )
        subscription.endpoint = create_endpoint(
            owner=f"sharing.subscription:{subscription.public_id}", url=url, secret=secret, actor=actor
        )
        subscription.save(force_insert=True)
        audit.record(
            "sharing.subscribed",
            actor=actor,
            obj=subscription,
            detail={"resource": resource.code, "url": url, "subjects": len(subjects)},
        )
    return subscription, secret


def unsubscribe(subscription: Subscription, *, actor: User) -> Subscription:
    """取消订阅 (the endpoint is switched off; deliveries already queued still go out)."""
    require_official_of(actor, subscription.consumer.organisation, "取消本单位的订阅")
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.active:
            subscription.active = False
            subscription.save(update_fields=["active", "updated_at"])
            update_endpoint(subscription.endpoint, active=False, actor=actor)
            audit.record("sharing.unsubscribed", actor=actor, obj=subscription)
    return subscription


@dataclass
class FanOutReport:
    changes: int = 0
    queued: int = 0
    cursor: int = 0


def _payload(change: BaseChange, subscription: Subscription, fields: list[str]) -> dict[str, Any]:
    return {
        "event": TOPIC,
        "resource": subscription.resource.code,
        "subscription": str(subscription.public_id),
        "sequence": change.sequence,
        "subject_digest": change.subject_digest,
        "fields": fields,
        "created": change.created,
        "version": change.version,
        "at": change.at.isoformat(),
    }


def fan_out_changes(*, batch: int = 1000, lag_seconds: float = 2.0, max_batches: int = 100) -> FanOutReport:
    """Queue a webhook per (change, subscription) for the changes after the cursor, oldest first;
    changes younger than ``lag_seconds`` wait for the next run (a transaction still open may yet
    write a lower sequence).  One transaction per batch: the cursor moves with the queued rows."""
    report = FanOutReport()
    for _ in range(max_batches):
        done = _fan_out_batch(batch, lag_seconds, report)
        if done:
            break
    return report


def _fan_out_batch(batch: int, lag_seconds: float, report: FanOutReport) -> bool:
    horizon = timezone.now() - timedelta(seconds=lag_seconds)
    with transaction.atomic():
        cursor, _ = FanOutCursor.objects.get_or_create(name=CURSOR)
        cursor = FanOutCursor.objects.select_for_update().get(pk=cursor.pk)
        changes = list(
            BaseChange.objects.filter(sequence__gt=cursor.sequence, at__lte=horizon).order_by("sequence")[
                :batch
            ]
        )
        report.cursor = cursor.sequence
        if not changes:
            return True
        subscriptions = list(
            Subscription.objects.filter(active=True, resource__service__in=SERVICE_OF_BASE.values())
            .select_related("resource", "endpoint", "consumer")
            .order_by("pk")
        )
        allowed = {s.pk: granted_fields(s.consumer, s.resource) for s in subscriptions}
        by_service: dict[str, list[Subscription]] = {}
        for s in subscriptions:
            by_service.setdefault(s.resource.service, []).append(s)
        events = []
        for change in changes:
            for s in by_service.get(SERVICE_OF_BASE.get(change.base, ""), []):
                if s.subject_digests and change.subject_digest not in s.subject_digests:
                    continue
                fields = [name for name in change.fields if name in allowed[s.pk]]
                if not fields:
                    continue
                events.append(
                    (s.endpoint, TOPIC, _payload(change, s, fields), f"{change.sequence}:{s.public_id}")
                )
        # One batched insert for the batch (idempotent on the event id: a replay queues nothing).
        report.queued += enqueue_webhooks(events)
        cursor.sequence = changes[-1].sequence
        cursor.save(update_fields=["sequence", "updated_at"])
        report.changes += len(changes)
        report.cursor = cursor.sequence
    return len(changes) < batch
