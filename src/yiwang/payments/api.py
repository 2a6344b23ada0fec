"""JSON API of payments (mounted in yiwang.api at /api/v1/payments): orders (the payer's own, or
the department's for finance officers and window clerks), paying, window payments, refunds, events,
and the fiscal gateway's notifications.  Every error answers ``{"code", "message", "fields"}``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Query, Router

from yiwang.accounts.models import AccountKind, User
from yiwang.accounts.personal_data import record_staff_reads
from yiwang.core import personal_data
from yiwang.core.errors import NotFound
from yiwang.core.masking import mask_name
from yiwang.core.paging import PageIn
from yiwang.payments import reads, services
from yiwang.payments.actions import allowed_actions
from yiwang.payments.errors import PaymentErrorCode
from yiwang.payments.models import PaymentEventType, PaymentOrder
from yiwang.payments.reconciliation_api import router as reconciliation_router
from yiwang.payments.schemas import (
    PaymentEventOut,
    PaymentNotifyOut,
    PaymentOfflineIn,
    PaymentOrderFilter,
    PaymentOrderOut,
    PaymentOrderPageOut,
    PaymentOrderRowOut,
    PaymentPayIn,
    PaymentPayOut,
    PaymentRefundIn,
    PaymentRefundOut,
)

router = Router(tags=["payments"])
router.add_router("/reconciliation", reconciliation_router)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _order(user: User, order_id: UUID) -> PaymentOrder:
    order = PaymentOrder.objects.select_related("organisation").filter(public_id=order_id).first()
    if order is None or not reads.may_see(user, order):
        raise NotFound("缴款单不存在", code=PaymentErrorCode.NOT_FOUND)
    return order


def row(order: PaymentOrder, *, staff: bool) -> dict[str, Any]:
    return {
        "id": order.public_id,
        "code": order.code,
        "reference": order.reference,
        "subject_title": order.subject_title,
        "organisation": order.organisation.short_name or order.organisation.name,
        "payer_name": mask_name(order.payer_name) if staff else order.payer_name,
        "amount_fen": order.amount_fen,
        "paid_fen": order.paid_fen,
        "refunded_fen": order.refunded_fen,
        "status": order.status,
        "status_label": str(order.get_status_display()),
        "due_date": order.due_date,
        "created_at": order.created_at,
        "paid_at": order.paid_at,
    }


def detail(user: User, order: PaymentOrder) -> PaymentOrderOut:
    staff = user.kind == AccountKind.STAFF
    if staff:
        record_staff_reads(
            user,
            [
                personal_data.Read(
                    subject_id=order.payer_id,
                    object_type="payments.PaymentOrder",
                    object_id=str(order.public_id),
                    object_label=order.code,
                    fields=(personal_data.NAME,),
                )
            ],
        )
    return PaymentOrderOut(
        **row(order, staff=staff),
        lines=order.lines,
        channel=order.channel,
        receipt_no=order.receipt_no,
        pay_url=order.pay_url if order.payer_id == user.pk else "",
        expires_at=order.expires_at,
        allowed_actions=sorted(allowed_actions(user, order)),
    )


@router.get("/orders", response=PaymentOrderPageOut, summary="Payment orders (缴款单) I may see")
def list_orders(
    request: HttpRequest, filters: Query[PaymentOrderFilter], paging: Query[PageIn]
) -> dict[str, Any]:
    user = _user(request)
    orders = reads.filtered(reads.visible_orders(user), status=filters.status, q=filters.q)
    staff = user.kind == AccountKind.STAFF
    return {
        "count": orders.count(),
        "results": [PaymentOrderRowOut(**row(o, staff=staff)) for o in paging.window(orders)],
    }


@router.get("/orders/{uuid:order_id}", response=PaymentOrderOut, summary="Order detail with its lines")
def get_order(request: HttpRequest, order_id: UUID) -> PaymentOrderOut:
    user = _user(request)
    return detail(user, _order(user, order_id))


@router.post("/orders/{uuid:order_id}/pay", response=PaymentPayOut, summary="Start online payment (发起支付)")
def pay(request: HttpRequest, order_id: UUID, body: PaymentPayIn) -> dict[str, str]:
    user = _user(request)
    order = services.start_online_payment(_order(user, order_id), user=user, channel=body.channel)
    return {"pay_url": order.pay_url, "qr_text": order.qr_text, "status": order.status}


@router.post(
    "/orders/{uuid:order_id}/offline", response=PaymentOrderOut, summary="Record a window payment (窗口缴费)"
)
def offline(request: HttpRequest, order_id: UUID, body: PaymentOfflineIn) -> PaymentOrderOut:
    user = _user(request)
    order = services.record_offline_payment(
        _order(user, order_id), actor=user, receipt_no=body.receipt_no, channel=body.channel
    )
    return detail(user, order)


@router.post(
    "/orders/{uuid:order_id}/refunds", response={201: PaymentRefundOut}, summary="Refund (退款), finance only"
)
def refund(request: HttpRequest, order_id: UUID, body: PaymentRefundIn) -> tuple[int, dict[str, Any]]:
    user = _user(request)
    created = services.request_refund(
        _order(user, order_id), actor=user, amount_fen=body.amount_fen, reason=body.reason
    )
    created.order.refresh_from_db()
    return 201, {
        "refund_no": created.refund_no,
        "amount_fen": created.amount_fen,
        "status": created.status,
        "order_status": created.order.status,
    }


@router.get("/orders/{uuid:order_id}/events", response=list[PaymentEventOut], summary="The order's events")
def events(request: HttpRequest, order_id: UUID) -> list[dict[str, Any]]:
    user = _user(request)
    order = _order(user, order_id)
    labels = dict(PaymentEventType.choices)
    return [
        {
            "event_type": e.event_type,
            "label": str(labels.get(e.event_type, e.event_type)),
            "from_status": e.from_status,
            "to_status": e.to_status,
            "source": e.source,
            "amount_fen": e.amount_fen,
            "occurred_at": e.occurred_at,
            "data": e.data if user.kind == AccountKind.STAFF else {},
        }
        for e in reads.events_of(order)
    ]


@router.post(
    "/notify/fiscal",
    auth=None,
    response={200: PaymentNotifyOut},
    url_name="payments_notify_fiscal",
    summary="Notification of the fiscal gateway (signed SM2; no login)",
)
def notify_fiscal(request: HttpRequest) -> HttpResponse:
    headers = dict(request.headers.items())
    answer = services.receive_notification(headers, request.body[:65536])
    return JsonResponse(answer.body(), status=answer.status, json_dumps_params={"ensure_ascii": False})
