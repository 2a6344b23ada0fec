"""对账 Daily reconciliation of a gateway's statement file against our payments and refunds.

The statement (signature verified) is matched set-based: the day's paid orders and finished refunds
are loaded once into dicts, every statement line is looked up there, the items are bulk-inserted.
Outcomes: matched, missing_ours (in the statement, not paid with us), missing_theirs (paid with us,
not in the statement), amount_mismatch, duplicate (two lines for one payment, or paid online and at
the window).  One run per day and gateway: a re-run replaces its open items and keeps the ones a
correction is proposed for or that are resolved (docs/payments.md "Reconciliation")."""

from __future__ import annotations

import hashlib
import logging
import time as monotonic
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError
from yiwang.payments.errors import PaymentErrorCode
from yiwang.payments.gateways.base import (
    GatewayError,
    GatewayRefused,
    PaymentGateway,
    SignatureRefused,
    StatementLine,
)
from yiwang.payments.gateways.fiscal import parse_statement
from yiwang.payments.gateways.offline import OfflineGateway
from yiwang.payments.models import (
    PAID_STATUSES,
    ItemKind,
    Outcome,
    PaymentOrder,
    ReconciliationItem,
    ReconciliationRun,
    Refund,
    RefundStatus,
    Resolution,
    RunStatus,
)
from yiwang.payments.services.common import fiscal_gateway

logger = logging.getLogger("yiwang.payments")
LOOKUP_CHUNK = 500
BATCH = 2000
MAX_DAYS_BACK = 400


@dataclass(frozen=True)
class OurOrder:
    pk: int
    code: str
    status: str
    amount_fen: int
    paid_fen: int
    organisation_id: int
    gateway: str
    gateway_trade_no: str


@dataclass(frozen=True)
class OurRefund:
    pk: int
    code: str
    order_id: int
    amount_fen: int
    organisation_id: int


ORDER_FIELDS = (
    "pk",
    "code",
    "status",
    "amount_fen",
    "paid_fen",
    "organisation_id",
    "gateway",
    "gateway_trade_no",
)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def check_day(day: date) -> None:
    today = timezone.localdate()
    if day > today or day < today - timedelta(days=MAX_DAYS_BACK):
        raise DomainError(
            PaymentErrorCode.INVALID_DAY,
            "对账日期须为今天或之前（不超过400天）",
            {"day": [day.isoformat()]},
        )


# --- loading -------------------------------------------------------------------------------------
def _orders_paid_on(day: date, gateway_name: str) -> dict[str, OurOrder]:
    start, end = day_bounds(day)
    rows = PaymentOrder.objects.filter(
        paid_at__gte=start, paid_at__lt=end, status__in=PAID_STATUSES, gateway=gateway_name
    ).values_list(*ORDER_FIELDS)
    return {row[1]: OurOrder(*row) for row in rows.iterator(chunk_size=5000)}


def _orders_by_code(codes: list[str]) -> dict[str, OurOrder]:
    found: dict[str, OurOrder] = {}
    for i in range(0, len(codes), LOOKUP_CHUNK):
        rows = PaymentOrder.objects.filter(code__in=codes[i : i + LOOKUP_CHUNK]).values_list(*ORDER_FIELDS)
        found.update((row[1], OurOrder(*row)) for row in rows)
    return found


def _refunds_finished_on(day: date, gateway_name: str) -> dict[str, list[OurRefund]]:
    start, end = day_bounds(day)
    rows = Refund.objects.filter(
        finished_at__gte=start,
        finished_at__lt=end,
        status=RefundStatus.REFUNDED,
        order__gateway=gateway_name,
    ).values_list("pk", "order__code", "order_id", "amount_fen", "order__organisation_id")
    refunds: dict[str, list[OurRefund]] = defaultdict(list)
    for row in rows.iterator(chunk_size=5000):
        refunds[row[1]].append(OurRefund(*row))
    return refunds


# --- matching (pure) -----------------------------------------------------------------------------
def _item(
    order_no: str,
    kind: str,
    outcome: str,
    *,
    order: OurOrder | None = None,
    statement_fen: int | None = None,
    our_fen: int | None = None,
    line_count: int = 0,
    trade_no: str = "",
    refund_id: int | None = None,
    organisation_id: int | None = None,
    **detail: Any,
) -> ReconciliationItem:
    return ReconciliationItem(
        order_no=order_no[:64],
        kind=kind,
        outcome=outcome,
        statement_fen=statement_fen,
        our_fen=our_fen,
        line_count=min(line_count, 32767),
        gateway_trade_no=trade_no[:64],
        order_id=order.pk if order else None,
        refund_id=refund_id,
        organisation_id=order.organisation_id if order else organisation_id,
        detail=detail,
        resolution=Resolution.NONE if outcome == Outcome.MATCHED else Resolution.OPEN,
    )


def match_payments(
    pay_lines: dict[str, list[StatementLine]], day_orders: dict[str, OurOrder], others: dict[str, OurOrder]
) -> list[ReconciliationItem]:
    items: list[ReconciliationItem] = []
    for code, lines in pay_lines.items():
        order = day_orders.get(code) or others.get(code)
        first = lines[0]
        paid = order is not None and order.status in PAID_STATUSES
        common: dict[str, Any] = {
            "order": order,
            "statement_fen": first.amount_fen,
            "our_fen": order.paid_fen if order is not None and paid else None,
            "line_count": len(lines),
            "trade_no": first.gateway_trade_no,
        }
        if len(lines) > 1:
            items.append(
                _item(code, ItemKind.PAY, Outcome.DUPLICATE, amounts=[x.amount_fen for x in lines], **common)
            )
        elif order is None:
            items.append(_item(code, ItemKind.PAY, Outcome.MISSING_OURS, unknown_order=True, **common))
        elif paid and order.gateway == OfflineGateway.name:
            items.append(_item(code, ItemKind.PAY, Outcome.DUPLICATE, paid_at_window=True, **common))
        elif not paid:
            items.append(
                _item(
                    code,
                    ItemKind.PAY,
                    Outcome.MISSING_OURS,
                    order_status=order.status,
                    order_amount_fen=order.amount_fen,
                    **common,
                )
            )
        elif order.paid_fen != first.amount_fen:
            items.append(_item(code, ItemKind.PAY, Outcome.AMOUNT_MISMATCH, **common))
        else:
            items.append(_item(code, ItemKind.PAY, Outcome.MATCHED, **common))
    for code, order in day_orders.items():
        if code not in pay_lines:
            items.append(
                _item(
                    code,
                    ItemKind.PAY,
                    Outcome.MISSING_THEIRS,
                    order=order,
                    our_fen=order.paid_fen,
                    trade_no=order.gateway_trade_no,
                )
            )
    return items


def match_refunds(
    refund_lines: dict[str, list[StatementLine]],
    ours: dict[str, list[OurRefund]],
    orders: dict[str, OurOrder],
) -> list[ReconciliationItem]:
    items: list[ReconciliationItem] = []
    for code in sorted(set(refund_lines) | set(ours)):
        lines = list(refund_lines.get(code, []))
        mine = list(ours.get(code, []))
        order = orders.get(code)
        org = mine[0].organisation_id if mine else None
        matched_amounts: set[int] = set()
        rest: list[StatementLine] = []
        for line in lines:
            twin = next((r for r in mine if r.amount_fen == line.amount_fen), None)
            if twin is None:
                rest.append(line)
                continue
            mine.remove(twin)
            matched_amounts.add(line.amount_fen)
            items.append(
                _item(
                    code,
                    ItemKind.REFUND,
                    Outcome.MATCHED,
                    order=order,
                    statement_fen=line.amount_fen,
                    our_fen=twin.amount_fen,
                    line_count=1,
                    trade_no=line.gateway_trade_no,
                    refund_id=twin.pk,
                    organisation_id=twin.organisation_id,
                )
            )
        for line in rest:
            common: dict[str, Any] = {
                "order": order,
                "statement_fen": line.amount_fen,
                "line_count": 1,
                "trade_no": line.gateway_trade_no,
                "organisation_id": org,
            }
            if line.amount_fen in matched_amounts:
                items.append(_item(code, ItemKind.REFUND, Outcome.DUPLICATE, **common))
            elif mine:
                twin = mine.pop(0)
                items.append(
                    _item(
                        code,
                        ItemKind.REFUND,
                        Outcome.AMOUNT_MISMATCH,
                        our_fen=twin.amount_fen,
                        refund_id=twin.pk,
                        **common,
                    )
                )
            else:
                items.append(
                    _item(code, ItemKind.REFUND, Outcome.MISSING_OURS, unknown_order=order is None, **common)
                )
        for refund in mine:
            items.append(
                _item(
                    code,
                    ItemKind.REFUND,
                    Outcome.MISSING_THEIRS,
                    order=order,
                    our_fen=refund.amount_fen,
                    refund_id=refund.pk,
                    organisation_id=refund.organisation_id,
                )
            )
    return items


def compare(
    day: date, gateway_name: str, lines: list[StatementLine]
) -> tuple[list[ReconciliationItem], dict[str, int]]:
    """The items of a day's statement against our records (three queries plus lookups of orders
    not paid that day, in chunks), and the statement's totals."""
    pay_lines: dict[str, list[StatementLine]] = defaultdict(list)
    refund_lines: dict[str, list[StatementLine]] = defaultdict(list)
    totals = {"pay": 0, "refund": 0}
    for line in lines:
        if line.type == "refund":
            refund_lines[line.order_no].append(line)
            totals["refund"] += line.amount_fen
        else:
            pay_lines[line.order_no].append(line)
            totals["pay"] += line.amount_fen
    day_orders = _orders_paid_on(day, gateway_name)
    ours_refunds = _refunds_finished_on(day, gateway_name)
    wanted = [c for c in {*pay_lines, *refund_lines, *ours_refunds} if c not in day_orders]
    others = _orders_by_code(wanted)
    orders = {**others, **day_orders}
    items = match_payments(pay_lines, day_orders, others)
    items += match_refunds(refund_lines, ours_refunds, orders)
    return items, totals


# --- the run -------------------------------------------------------------------------------------
def _fail(run: ReconciliationRun, status: str, error: str, actor: User | None, **detail: Any) -> None:
    run.status = status
    run.error = error[:200]
    run.signature_verified = False
    run.finished_at = timezone.now()
    run.save(
        update_fields=[
            "status",
            "error",
            "signature_verified",
            "finished_at",
            "statement_sha256",
            "updated_at",
        ]
    )
    audit.record(
        "payments.statement_refused" if status == RunStatus.REFUSED else "payments.reconciliation_failed",
        actor=actor,
        obj=run,
        detail={"day": run.day.isoformat(), "gateway": run.gateway, "error": run.error, **detail},
    )


def _fetch(
    run: ReconciliationRun, gateway: PaymentGateway, actor: User | None
) -> tuple[list[StatementLine], str]:
    """The verified, well-formed lines of the run's statement; a refusal is recorded and raised."""
    try:
        raw = gateway.fetch_statement_file(run.day)
    except SignatureRefused as exc:
        _fail(run, RunStatus.REFUSED, "bad_signature", actor)
        raise Conflict("对账单签名验证失败，已拒绝", code=PaymentErrorCode.STATEMENT_REFUSED) from exc
    except GatewayRefused as exc:
        _fail(run, RunStatus.FAILED, exc.code, actor)
        if exc.code == "statement_not_ready" or exc.status == 404:
            raise Conflict("支付平台尚无该日对账单", code=PaymentErrorCode.STATEMENT_NOT_READY) from exc
        raise Conflict("支付平台拒绝提供对账单", code=PaymentErrorCode.GATEWAY_REFUSED) from exc
    except GatewayError as exc:
        _fail(run, RunStatus.FAILED, "gateway_unavailable", actor)
        raise DomainError(
            PaymentErrorCode.GATEWAY_UNAVAILABLE, "支付平台暂时无法访问，请稍后再试", status=503
        ) from exc
    run.statement_sha256 = hashlib.sha256(raw).hexdigest()
    try:
        lines = parse_statement(raw)
        wrong_day = next((x for x in lines if x.trade_date != run.day or x.amount_fen <= 0), None)
    except (GatewayError, ValueError, UnicodeDecodeError) as exc:
        _fail(run, RunStatus.REFUSED, "malformed", actor)
        raise Conflict("对账单格式不正确，已拒绝", code=PaymentErrorCode.STATEMENT_REFUSED) from exc
    if wrong_day is not None:
        _fail(run, RunStatus.REFUSED, "wrong_line", actor, order_no=wrong_day.order_no[:64])
        raise Conflict("对账单含有其他日期或无效金额的记录，已拒绝", code=PaymentErrorCode.STATEMENT_REFUSED)
    return lines, run.statement_sha256


def _key(item: ReconciliationItem) -> tuple[Any, ...]:
    return (item.order_no, item.kind, item.outcome, item.statement_fen, item.our_fen)


def reconcile(
    day: date, *, gateway: PaymentGateway | None = None, actor: User | None = None
) -> ReconciliationRun:
    """对账 the day's statement of the gateway (the fiscal gateway by default)."""
    check_day(day)
    gateway = gateway or fiscal_gateway()
    started = monotonic.monotonic()
    run, _ = ReconciliationRun.objects.get_or_create(day=day, gateway=gateway.name)
    lines, sha256 = _fetch(run, gateway, actor)
    items, totals = compare(day, gateway.name, lines)
    with transaction.atomic():
        run = ReconciliationRun.objects.select_for_update().get(pk=run.pk)
        handled = run.items.filter(
            Q(resolution__in=[Resolution.PROPOSED, Resolution.RESOLVED]) | Q(corrections__isnull=False)
        ).distinct()
        kept = {_key(item) for item in handled}
        run.items.filter(resolution__in=[Resolution.NONE, Resolution.OPEN], corrections__isnull=True).delete()
        fresh = [item for item in items if _key(item) not in kept]
        for item in fresh:
            item.run = run
        ReconciliationItem.objects.bulk_create(fresh, batch_size=BATCH)
        counts = dict(run.items.values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n"))
        for outcome in Outcome.values:
            setattr(run, f"{outcome}_count", counts.get(outcome, 0))
        run.open_count = run.items.filter(resolution__in=[Resolution.OPEN, Resolution.PROPOSED]).count()
        run.status = RunStatus.DONE
        run.statement_sha256 = sha256
        run.error = ""
        run.signature_verified = True
        run.statement_lines = len(lines)
        run.statement_pay_fen = totals["pay"]
        run.statement_refund_fen = totals["refund"]
        run.runs += 1
        run.started_at = timezone.now() - timedelta(seconds=monotonic.monotonic() - started)
        run.finished_at = timezone.now()
        run.duration_ms = min(int((monotonic.monotonic() - started) * 1000), 2**31 - 1)
        run.started_by = actor if getattr(actor, "is_authenticated", False) else None
        run.save()
        audit.record(
            "payments.reconciled",
            actor=actor,
            obj=run,
            detail={
                "day": day.isoformat(),
                "gateway": run.gateway,
                "sha256": run.statement_sha256,
                "lines": len(lines),
                "counts": run.counts(),
                "kept": len(kept),
            },
        )
    logger.info("reconciled %s %s: %s lines, %s", gateway.name, day, len(lines), run.counts())
    return run
