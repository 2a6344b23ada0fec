"""Queries of payments shared by the pages and the API: which orders a user sees, list rows."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from yiwang.accounts.models import AccountKind
from yiwang.accounts.roles import in_scope, in_scope_ids, roles_of
from yiwang.payments.models import (
    OPEN_STATUSES,
    CorrectionStatus,
    PaymentEvent,
    PaymentOrder,
    ReconciliationCorrection,
    ReconciliationItem,
    ReconciliationRun,
    Resolution,
)
from yiwang.payments.services.common import FINANCE_ROLE, WINDOW_ROLES
from yiwang.payments.services.corrections import is_region_finance

OPEN_RESOLUTIONS = (Resolution.OPEN, Resolution.PROPOSED)

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


# --- reconciliation (对账) -------------------------------------------------------------------------
def is_finance(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and FINANCE_ROLE in roles_of(user)


def visible_runs(user: Any) -> QuerySet[ReconciliationRun]:
    """Every finance officer sees the runs (a run names no department); the items are scoped."""
    return ReconciliationRun.objects.all() if is_finance(user) else ReconciliationRun.objects.none()


def visible_items(user: Any) -> QuerySet[ReconciliationItem]:
    """Items of the departments in the finance officer's scope; items of no known order (an order
    number we never issued) only for finance officers whose scope is their region."""
    if not is_finance(user):
        return ReconciliationItem.objects.none()
    scope = Q(organisation__in=in_scope_ids(user, (FINANCE_ROLE,)))
    if is_region_finance(user):
        scope |= Q(organisation__isnull=True)
    return ReconciliationItem.objects.filter(scope)


def item_rows(
    user: Any, run: ReconciliationRun, *, outcome: str = "", resolution: str = "", q: str = ""
) -> QuerySet[ReconciliationItem]:
    items = visible_items(user).filter(run=run)
    if outcome:
        items = items.filter(outcome=outcome)
    if resolution:
        items = items.filter(resolution=resolution)
    if q:
        items = items.filter(order_no__startswith=q)
    pending = ReconciliationCorrection.objects.filter(status=CorrectionStatus.PENDING).select_related(
        "proposed_by"
    )
    return (
        items.select_related("order", "organisation", "run")
        .prefetch_related(Prefetch("corrections", queryset=pending, to_attr="pending"))
        .order_by("outcome", "pk")
    )


def outcome_counts(user: Any, runs: list[ReconciliationRun]) -> dict[int, dict[str, int]]:
    """Per run: the number of visible items of each outcome, and ``open`` (one query)."""
    counts: dict[int, dict[str, int]] = {run.pk: {} for run in runs}
    rows = (
        visible_items(user)
        .filter(run__in=[run.pk for run in runs])
        .values("run_id", "outcome")
        .annotate(n=Count("pk"), still_open=Count("pk", filter=Q(resolution__in=OPEN_RESOLUTIONS)))
    )
    for row in rows:
        bucket = counts[row["run_id"]]
        bucket[row["outcome"]] = row["n"]
        bucket["open"] = bucket.get("open", 0) + row["still_open"]
    return counts
