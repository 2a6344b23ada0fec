"""The daily statement file (对账单): one line per successful payment or refund of the day."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang_demo_paygate.errors import not_found
from yiwang_demo_paygate.models import Behaviour, Order, Refund, Statement
from yiwang_demo_paygate.validation import SHANGHAI, iso

HEADER = ["trade_date", "order_no", "gateway_trade_no", "type", "amount_fen", "channel", "time"]


def today() -> date:
    return timezone.now().astimezone(SHANGHAI).date()


def build(day: date) -> str:
    start = datetime.combine(day, time.min, tzinfo=SHANGHAI)
    end = start + timedelta(days=1)
    paid = list(Order.objects.filter(status=Order.Status.PAID, paid_at__gte=start, paid_at__lt=end))
    refunds = list(
        Refund.objects.select_related("order").filter(
            status=Refund.Status.REFUNDED, refunded_at__gte=start, refunded_at__lt=end
        )
    )
    behaviours = {
        b.order_no: b for b in Behaviour.objects.filter(order_no__in=[order.order_no for order in paid])
    }
    rows: list[tuple[datetime, str, list[str]]] = []
    for order in paid:
        assert order.paid_at is not None
        behaviour = behaviours.get(order.order_no)
        amount = order.amount_fen
        if behaviour is not None and behaviour.statement_amount_fen is not None:
            amount = behaviour.statement_amount_fen
        line = [day.isoformat(), order.order_no, order.gateway_trade_no, "pay", str(amount), order.channel]
        line.append(iso(order.paid_at) or "")
        copies = 1
        if behaviour is not None:
            copies = 0 if behaviour.statement_omit else 2 if behaviour.statement_duplicate else 1
        rows += [(order.paid_at, order.order_no, line)] * copies
    for refund in refunds:
        assert refund.refunded_at is not None
        order = refund.order
        line = [day.isoformat(), order.order_no, order.gateway_trade_no, "refund", str(refund.amount_fen)]
        line += [order.channel, iso(refund.refunded_at) or ""]
        rows.append((refund.refunded_at, order.order_no, line))
    rows.sort(key=lambda row: (row[0], row[1], row[2][3]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(row[2] for row in rows)
    return out.getvalue()


def statement(day: date) -> bytes:
    """Today's statement is the day so far; a past day's is stored when first served, then fixed."""
    current = today()
    if day > current:
        raise not_found("statement_not_ready", "对账单尚未生成")
    if day == current:
        return build(day).encode()
    stored = Statement.objects.filter(trade_date=day).first()
    if stored is None:
        try:
            with transaction.atomic():
                stored = Statement.objects.create(trade_date=day, content=build(day))
        except IntegrityError:
            stored = Statement.objects.get(trade_date=day)
    return stored.content.encode()
