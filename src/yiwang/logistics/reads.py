"""Queries of logistics shared by pages, API and the applicant's case page."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Prefetch, QuerySet

from yiwang.accounts.roles import in_scope_ids
from yiwang.core.masking import mask_address, mask_name, mask_phone
from yiwang.logistics.models import CourierOrder, TrackingEvent
from yiwang.logistics.permissions import VIEW_ROLES, is_staff, require_view

SEARCH_MAX = 40


def staff_orders(user: Any) -> QuerySet[CourierOrder]:
    """Orders of the departments in the staff member's data scope."""
    return CourierOrder.objects.filter(organisation__in=in_scope_ids(user, VIEW_ROLES))


def applicant_orders(user: Any) -> QuerySet[CourierOrder]:
    return CourierOrder.objects.filter(owner=user)


def visible_orders(user: Any) -> QuerySet[CourierOrder]:
    if not getattr(user, "is_authenticated", False):
        return CourierOrder.objects.none()
    return staff_orders(user) if is_staff(user) else applicant_orders(user)


def filtered(
    orders: QuerySet[CourierOrder], *, status: str = "", kind: str = "", waybill: str = ""
) -> QuerySet[CourierOrder]:
    if status:
        orders = orders.filter(status=status)
    if kind:
        orders = orders.filter(kind=kind)
    waybill = (waybill or "").strip()[:SEARCH_MAX]
    if waybill:
        orders = orders.filter(waybill_number__icontains=waybill)
    return orders.select_related("organisation").order_by("-created_at", "-pk")


def order_for(user: Any, public_id: UUID) -> CourierOrder:
    """The order ``user`` may see (404 otherwise), with its events."""
    order = (
        CourierOrder.objects.select_related("organisation")
        .prefetch_related(Prefetch("events", queryset=TrackingEvent.objects.order_by("occurred_at", "pk")))
        .filter(public_id=public_id)
        .first()
    )
    return require_view(user, order)


def orders_for_reference(reference_type: str, reference_id: str) -> list[CourierOrder]:
    """The orders serving one object (e.g. a case), newest first, with their events (2 queries)."""
    return list(
        CourierOrder.objects.filter(reference_type=reference_type, reference_id=reference_id)
        .prefetch_related(Prefetch("events", queryset=TrackingEvent.objects.order_by("occurred_at", "pk")))
        .order_by("-created_at", "-pk")
    )


def party_shown(order: CourierOrder, prefix: str, *, masked: bool) -> dict[str, str]:
    """A sender or recipient as shown: masked for staff, in full for the applicant it belongs to."""
    name = getattr(order, f"{prefix}_name")
    phone = getattr(order, f"{prefix}_phone")
    address = getattr(order, f"{prefix}_address")
    if masked:
        name, phone, address = mask_name(name), mask_phone(phone), mask_address(address)
    return {
        "name": name,
        "phone": phone,
        "region_code": getattr(order, f"{prefix}_region"),
        "address": address,
    }
