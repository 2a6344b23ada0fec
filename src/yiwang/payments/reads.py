"""Queries of payments shared by the pages and the API: which orders a user sees, list rows."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from yiwang.accounts.models import AccountKind
from yiwang.accounts.roles import in_scope, in_scope_ids
from yiwang.payments.models import OPEN_STATUSES, PaymentEvent, PaymentOrder
from yiwang.payments.services.common import FINANCE_ROLE, WINDOW_ROLES

STAFF_ROLES = (FINANCE_ROLE, *WINDOW_ROLES[:1])


def visible_orders(user: Any) -> QuerySet[PaymentOrder]:
    """The payer sees his own orders; finance officers and window clerks those of the departments
    in their data scope; everyone else nothing."""
    base = PaymentOrder.objects.select_related("organisation")
    if not getattr(user, "is_authenticated", False):
        return base.none()
    if user.kind == AccountKind.STAFF:
        return base.filter(organisation__in=in_scope_ids(user, STAFF_ROLES))
    return base.filter(payer=user)


def may_see(user: Any, order: PaymentOrder) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.kind == AccountKind.STAFF:
        return in_scope(user, order.organisation_id, STAFF_ROLES)
    return bool(order.payer_id == user.pk)


def filtered(
    orders: QuerySet[PaymentOrder], *, status: str = "", q: str = "", organisation_id: int | None = None
) -> QuerySet[PaymentOrder]:
    if status:
        orders = orders.filter(status=status)
    if q:
        orders = orders.filter(
            Q(code__startswith=q) | Q(reference__startswith=q) | Q(subject_title__contains=q)
        )
    if organisation_id:
        orders = orders.filter(organisation_id=organisation_id)
    return orders.order_by("-created_at", "-pk")


def orders_for_subject(subject_type: str, subject_id: str) -> QuerySet[PaymentOrder]:
    return PaymentOrder.objects.filter(subject_type=subject_type, subject_id=subject_id).order_by(
        "-created_at", "-pk"
    )


def current_order(subject_type: str, subject_id: str) -> PaymentOrder | None:
    """The order to show for a subject: the newest one (open, paid, or the last closed one)."""
    return orders_for_subject(subject_type, subject_id).first()


def payment_due(subject_type: str, subject_id: str) -> PaymentOrder | None:
    """An order the payer still has to pay (open, or closed with no other order: may be renewed)."""
    order = current_order(subject_type, subject_id)
    if order is None:
        return None
    if order.status in OPEN_STATUSES or order.status == "closed":
        return order
    return None


def events_of(order: PaymentOrder) -> QuerySet[PaymentEvent]:
    return order.events.select_related("actor").order_by("occurred_at", "pk")
