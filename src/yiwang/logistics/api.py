"""JSON API of logistics (mounted in yiwang.api at /api/v1/logistics): courier orders for staff of
their departments and for the applicant they serve, tracking events, and the carrier's signed
callback (``/callbacks/sim``, no user: the signature is the authentication)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Status

from yiwang.accounts.models import User
from yiwang.accounts.personal_data import record_staff_reads
from yiwang.core.errors import NotFound
from yiwang.core.masking import mask_name
from yiwang.core.models import Organisation
from yiwang.core.paging import PageIn
from yiwang.core.personal_data import ADDRESS, NAME, PHONE, Read
from yiwang.logistics import reads, services
from yiwang.logistics.actions import allowed_actions
from yiwang.logistics.errors import LogisticsErrorCode
from yiwang.logistics.models import CourierOrder, OrderKind
from yiwang.logistics.permissions import is_staff, require_clerk
from yiwang.logistics.schemas import (
    LogisticsCallbackOut,
    LogisticsCancelIn,
    LogisticsEventOut,
    LogisticsOrderFilter,
    LogisticsOrderIn,
    LogisticsOrderOut,
    LogisticsOrderPageOut,
)

router = Router(tags=["logistics"])


def applicant_side(order: CourierOrder) -> str:
    """Which side of the order is the applicant (personal data): the recipient of a delivery, the
    sender of a pickup."""
    return "recipient" if order.kind == OrderKind.DELIVERY else "sender"


def record_reads(user: Any, orders: list[CourierOrder], *, unmasked: bool = False, purpose: str = "") -> None:
    """Staff saw these orders' applicant data (masked unless printing): one insert for all."""
    rows = [
        Read(
            order.owner_id,
            "logistics.CourierOrder",
            str(order.public_id),
            order.reference_label,
            (NAME, PHONE, ADDRESS),
        )
        for order in orders
        if order.owner_id
    ]
    if rows:
        record_staff_reads(user, rows, unmasked=unmasked, purpose=purpose)


def order_out(user: Any, order: CourierOrder) -> dict[str, Any]:
    staff = is_staff(user)
    side = applicant_side(order)
    return {
        "id": order.public_id,
        "kind": order.kind,
        "kind_label": str(order.get_kind_display()),
        "status": order.status,
        "status_label": str(order.get_status_display()),
        "waybill_number": order.waybill_number,
        "carrier": order.carrier,
        "organisation": order.organisation.name,
        "reference_label": order.reference_label,
        "contents": order.contents,
        "sender": reads.party_shown(order, "sender", masked=staff and side == "sender"),
        "recipient": reads.party_shown(order, "recipient", masked=staff and side == "recipient"),
        "postage_payer": order.postage_payer,
        "postage_fen": order.postage_fen,
        "postage_status": order.postage_status,
        "created_at": order.created_at,
        "submitted_at": order.submitted_at,
        "delivered_at": order.delivered_at,
        "signed_by": order.signed_by if not staff else mask_name(order.signed_by),
        "last_error": order.last_error,
        "masked": staff,
        "allowed_actions": sorted(allowed_actions(user, order)),
    }


def _detail(request: HttpRequest, order_id: UUID) -> CourierOrder:
    user = request.user
    order = reads.order_for(user, order_id)
    if is_staff(user):
        record_reads(user, [order])
    return order


@router.get(
    "/orders",
    response=LogisticsOrderPageOut,
    summary="Courier orders (staff: their departments; applicant: own)",
)
def list_orders(
    request: HttpRequest, filters: Query[LogisticsOrderFilter], paging: Query[PageIn]
) -> dict[str, Any]:
    rows = reads.filtered(
        reads.visible_orders(request.user),
        status=filters.status or "",
        kind=filters.kind or "",
        waybill=filters.waybill,
    )
    items = list(paging.window(rows))
    return {
        "count": rows.count(),
        "items": [
            {
                "id": order.public_id,
                "kind": order.kind,
                "status": order.status,
                "status_label": str(order.get_status_display()),
                "waybill_number": order.waybill_number,
                "organisation": order.organisation.name,
                "reference_label": order.reference_label,
                "created_at": order.created_at,
                "last_event_at": order.last_event_at,
            }
            for order in items
        ],
    }


@router.post(
    "/orders", response={201: LogisticsOrderOut}, summary="Create and submit a courier order (window clerk)"
)
def create_order(request: HttpRequest, payload: LogisticsOrderIn) -> Status:
    user: User = request.user  # type: ignore[assignment]
    require_clerk(user, None if not is_staff(user) else user.staff_profile.organisation_id)
    organisation = user.staff_profile.organisation
    if payload.organisation is not None:
        found = Organisation.objects.filter(public_id=payload.organisation).first()
        if found is None:
            raise NotFound("未找到该部门", code=LogisticsErrorCode.NOT_FOUND)
        organisation = found
    order = services.create_order(
        actor=user,
        kind=payload.kind,
        organisation=organisation,
        sender=payload.sender.dict(),
        recipient=payload.recipient.dict(),
        contents=payload.contents,
        postage_payer=payload.postage_payer,
    )
    return Status(201, order_out(user, order))


@router.get("/orders/{uuid:order_id}", response=LogisticsOrderOut, summary="Courier order detail")
def order_detail(request: HttpRequest, order_id: UUID) -> dict[str, Any]:
    return order_out(request.user, _detail(request, order_id))


@router.get(
    "/orders/{uuid:order_id}/events",
    response=list[LogisticsEventOut],
    summary="Tracking events, by carrier time",
)
def order_events(request: HttpRequest, order_id: UUID) -> list[dict[str, Any]]:
    order = reads.order_for(request.user, order_id)
    return [
        {
            "id": event.carrier_event_id,
            "status": event.status,
            "status_label": str(event.get_status_display()),
            "occurred_at": event.occurred_at,
            "location": event.location,
            "note": event.note,
        }
        for event in order.events.all()
    ]


@router.post(
    "/orders/{uuid:order_id}/submit", response=LogisticsOrderOut, summary="Submit again to the carrier"
)
def submit_order(request: HttpRequest, order_id: UUID) -> dict[str, Any]:
    order = reads.order_for(request.user, order_id)
    return order_out(request.user, services.submit_order(order, actor=request.user))


@router.post("/orders/{uuid:order_id}/cancel", response=LogisticsOrderOut, summary="Cancel before pickup")
def cancel_order(request: HttpRequest, order_id: UUID, payload: LogisticsCancelIn) -> dict[str, Any]:
    order = reads.order_for(request.user, order_id)
    return order_out(request.user, services.cancel_order(order, actor=request.user, reason=payload.reason))


@router.post(
    "/callbacks/sim",
    auth=None,
    response=LogisticsCallbackOut,
    summary="Tracking callback of the simulated carrier (HMAC-SHA256 signed, see docs/logistics.md)",
)
def carrier_callback(request: HttpRequest) -> dict[str, Any]:
    result = services.handle_callback("sim", request.headers, request.body, path=request.path)
    return {"result": "ok", **result}
