"""The tables of exchange: each aggregate in its own module, re-exported here."""

from yiwang.exchange.models.nodes import ExchangeNode, ExchangeStream, NodeRole, StreamDirection
from yiwang.exchange.models.packages import (
    DeliveryMode,
    IncomingPackage,
    IncomingState,
    OutgoingPackage,
    OutgoingState,
)
from yiwang.exchange.models.webhooks import DeliveryState, WebhookDelivery, WebhookEndpoint

__all__ = [
    "DeliveryMode",
    "DeliveryState",
    "ExchangeNode",
    "ExchangeStream",
    "IncomingPackage",
    "IncomingState",
    "NodeRole",
    "OutgoingPackage",
    "OutgoingState",
    "StreamDirection",
    "WebhookDelivery",
    "WebhookEndpoint",
]
