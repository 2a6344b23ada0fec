"""物流轨迹 Tracking events from the carrier: signed callbacks, polling, and the order's status.

* A callback is verified by the carrier adapter (signature, timestamp window); a forged or stale one
  is refused (401) and audited.  Each event id is remembered (:class:`CarrierCallback`): the same
  event again is a duplicate and ignored (200), an event for a waybill we never issued is a 404,
  logged and audited.
* Events may arrive out of order: they are kept with the carrier's time, the timeline sorts by it,
  and the order's status is that of the latest event — a final one (签收, 退回) is never undone by
  an older event arriving late.
* :func:`poll_tracking` asks the carrier for orders that have had no event for N hours
  (``LOGISTICS_POLL_AFTER_HOURS``), :func:`retry_unsubmitted` re-sends orders the carrier did not
  answer (idempotent at the carrier).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from yiwang.core import audit
from yiwang.core.errors import DomainError, NotFound
from yiwang.logistics import conf
from yiwang.logistics.carriers import CallbackRefused, CarrierError, CarrierEvent, carrier_for
from yiwang.logistics.errors import LogisticsErrorCode
from yiwang.logistics.models import (
    TERMINAL_STATUSES,
    CarrierCallback,
    CourierOrder,
    OrderStatus,
    PostageStatus,
    TrackingEvent,
)
from yiwang.logistics.services.orders import record_transition, submit_order
from yiwang.logistics.signals import order_delivered

logger = logging.getLogger(__name__)

FINAL_EVENTS = frozenset({OrderStatus.DELIVERED, OrderStatus.RETURNED_TO_SENDER})
POLL_BATCH = 200


def derived_status(events: Iterable[TrackingEvent], current: str) -> str:
    """The status the events say: a final event wins, else the latest by the carrier's time."""
    ordered = sorted(events, key=lambda e: (e.occurred_at, e.pk or 0))
    if current == OrderStatus.CANCELLED or not ordered:
        return current
    final = [e for e in ordered if e.status in FINAL_EVENTS]
    return (final[-1] if final else ordered[-1]).status


def apply_events(order: CourierOrder, events: Iterable[CarrierEvent], *, source: str = "callback") -> int:
    """Store the new events of ``order`` (known ids are skipped) and move its status; returns how
    many were new.  Sends ``order_delivered`` in the transaction when the order becomes delivered."""
    with transaction.atomic():
        locked = CourierOrder.objects.select_for_update().get(pk=order.pk)
        known = set(locked.events.values_list("carrier_event_id", flat=True))
        new = [e for e in events if e.event_id not in known]
        if locked.status == OrderStatus.CANCELLED and new:
            audit.record(
                "logistics.event.ignored", obj=locked, detail={"reason": "cancelled", "count": len(new)}
            )
            return 0
        created: list[TrackingEvent] = []
        for event in new:
            known.add(event.event_id)
            created.append(
                TrackingEvent.objects.create(
                    order=locked,
                    carrier_event_id=event.event_id,
                    status=event.status,
                    occurred_at=event.occurred_at,
                    location=event.location,
                    note=event.note,
                    source=source,
                )
            )
        if not created:
            return 0
        all_events = list(locked.events.all())
        from_status = locked.status
        locked.status = derived_status(all_events, from_status)
        locked.last_event_at = max(e.occurred_at for e in all_events)
        locked.attempts = sum(1 for e in all_events if e.status == OrderStatus.FAILED_DELIVERY)
        fields = ["status", "last_event_at", "attempts", "updated_at"]
        if locked.status == OrderStatus.DELIVERED and locked.delivered_at is None:
            delivered = max(e.occurred_at for e in all_events if e.status == OrderStatus.DELIVERED)
            locked.delivered_at = delivered
            signer = next(
                (e.extra.get("signed_by", "") for e in new if e.status == OrderStatus.DELIVERED), ""
            )
            locked.signed_by = signer or locked.recipient_name
            fields += ["delivered_at", "signed_by"]
        locked.save(update_fields=fields)
        if locked.status != from_status:
            record_transition(
                locked, from_status, source=source, events=[e.carrier_event_id for e in created]
            )
            if locked.status == OrderStatus.DELIVERED:
                order_delivered.send(sender=CourierOrder, order=locked)
    order.refresh_from_db()
    return len(created)


def _refused(reason: str, carrier: str) -> DomainError:
    audit.record(
        "logistics.callback.refused",
        object_type="logistics.CarrierCallback",
        detail={
            "carrier": carrier,
            "reason": reason,
        },
    )
    if reason == "stale":
        return DomainError(
            LogisticsErrorCode.STALE_CALLBACK, "回调时间戳超出允许范围（疑似重放）", status=401
        )
    if reason == "body":
        return DomainError(LogisticsErrorCode.INVALID_CALLBACK, "回调内容无法解析", status=400)
    return DomainError(LogisticsErrorCode.BAD_SIGNATURE, "回调签名无效", status=401)


def handle_callback(carrier: str, headers: Mapping[str, str], body: bytes, *, path: str) -> dict[str, Any]:
    """A carrier's callback: verified, deduplicated by event id, applied to its order."""
    adapter = carrier_for(carrier)
    try:
        events = adapter.verify_callback(headers, body, path=path)
    except CallbackRefused as exc:
        raise _refused(exc.reason, carrier) from None
    applied = duplicates = 0
    unknown: list[str] = []
    for event in events:
        outcome = _apply_callback_event(carrier, event)
        applied += outcome == "applied"
        duplicates += outcome == "duplicate"
        if outcome == "unknown_waybill":
            unknown.append(event.waybill_number)
    if unknown and not applied and not duplicates:
        raise NotFound(f"未知运单号：{unknown[0]}", code=LogisticsErrorCode.UNKNOWN_WAYBILL)
    return {"applied": applied, "duplicates": duplicates, "unknown": unknown}


def _apply_callback_event(carrier: str, event: CarrierEvent) -> str:
    if CarrierCallback.objects.filter(carrier=carrier, event_id=event.event_id).exists():
        return "duplicate"
    order = CourierOrder.objects.filter(carrier=carrier, waybill_number=event.waybill_number).first()
    outcome = "applied" if order is not None else "unknown_waybill"
    try:
        with transaction.atomic():
            CarrierCallback.objects.create(
                carrier=carrier, event_id=event.event_id, waybill_number=event.waybill_number, outcome=outcome
            )
            if order is None:
                logger.warning("callback %s for unknown waybill %s", event.event_id, event.waybill_number)
                audit.record(
                    "logistics.callback.unknown_waybill",
                    object_type="logistics.CarrierCallback",
                    object_id=event.event_id,
                    detail={"carrier": carrier, "waybill": event.waybill_number, "status": event.status},
                )
            else:
                apply_events(order, [event], source="callback")
    except IntegrityError:  # the same event, concurrently: the other request applied it
        return "duplicate"
    return outcome


def orders_to_poll(now: datetime | None = None) -> Any:
    """Active orders at the carrier without news (an event, or a poll) for N hours."""
    cutoff = (now or timezone.now()) - timedelta(hours=conf.poll_after_hours())
    return (
        CourierOrder.objects.exclude(status__in=[*TERMINAL_STATUSES, OrderStatus.CREATED])
        .exclude(waybill_number="")
        .filter(Q(last_event_at__lt=cutoff) | Q(last_event_at__isnull=True, submitted_at__lt=cutoff))
        .filter(Q(last_polled_at__isnull=True) | Q(last_polled_at__lt=cutoff))
        .order_by("last_event_at", "pk")
    )


def poll_tracking(*, now: datetime | None = None, limit: int = POLL_BATCH) -> dict[str, int]:
    """查询轨迹 Ask the carrier about quiet orders; returns counts (polled, new events, failures)."""
    polled = new_events = failures = 0
    for order in list(orders_to_poll(now)[:limit]):
        try:
            events = carrier_for(order.carrier).query_tracking(order.waybill_number)
        except CarrierError as exc:
            failures += 1
            logger.warning("tracking query for %s failed: %s", order.waybill_number, exc.message)
            continue
        polled += 1
        new_events += apply_events(order, events, source="poll")
        CourierOrder.objects.filter(pk=order.pk).update(last_polled_at=timezone.now())
    return {"polled": polled, "new_events": new_events, "failures": failures}


def retry_unsubmitted(*, older_than: timedelta = timedelta(minutes=2), limit: int = POLL_BATCH) -> int:
    """Re-send ``created`` orders the carrier did not answer (not those it refused)."""
    cutoff = timezone.now() - older_than
    done = 0
    pending = (
        CourierOrder.objects.filter(status=OrderStatus.CREATED, created_at__lt=cutoff)
        .exclude(postage_status=PostageStatus.AWAITING_PAYMENT)  # waits for the applicant's postage
        .order_by("pk")
    )
    for order in list(pending[:limit]):
        if order.last_error.startswith("承运商拒绝"):
            continue
        try:
            submit_order(order)
            done += 1
        except DomainError as exc:
            logger.info("resubmitting %s: %s", order.public_id, exc.message)
    return done
