"""The lists of the exchange console, shared by its pages and its API."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from yiwang.exchange.models import (
    DeliveryState,
    ExchangeNode,
    IncomingPackage,
    OutgoingPackage,
    WebhookDelivery,
)


def nodes() -> QuerySet[ExchangeNode]:
    return ExchangeNode.objects.order_by("node_id")


def outgoing(state: str = "") -> QuerySet[OutgoingPackage]:
    rows = OutgoingPackage.objects.select_related("receiver").order_by("-created_at", "-id")
    return rows.filter(state=state) if state else rows


def incoming(state: str = "") -> QuerySet[IncomingPackage]:
    rows = IncomingPackage.objects.select_related("sender").order_by("-created_at", "-id")
    return rows.filter(state=state) if state else rows


def deliveries(state: str = "", owner: str = "") -> QuerySet[WebhookDelivery]:
    rows = WebhookDelivery.objects.select_related("endpoint").order_by("-created_at", "-id")
    if state:
        rows = rows.filter(state=state)
    if owner:
        rows = rows.filter(endpoint__owner=owner)
    return rows


def delivery_counts() -> dict[str, int]:
    counts = dict(
        WebhookDelivery.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    return {state: counts.get(state, 0) for state in DeliveryState.values}
