"""Use cases of exchange: one module per use case, public functions re-exported here."""

from yiwang.exchange.services.incoming import (
    apply_stream,
    complete_incoming,
    incoming_status,
    receive_chunk,
    start_incoming,
)
from yiwang.exchange.services.nodes import register_node
from yiwang.exchange.services.outgoing import (
    build_package,
    poll_receipt,
    push_due,
    push_package,
    record_receipt,
    retry_package,
)
from yiwang.exchange.services.pull import acknowledge, outbox, outbox_package, pull_from, read_range
from yiwang.exchange.services.webhooks import (
    DeliveryReport,
    create_endpoint,
    deliver_all_due,
    deliver_due,
    enqueue_webhook,
    enqueue_webhooks,
    fan_out,
    replay_dead_letters,
    replay_delivery,
    update_endpoint,
)

__all__ = [
    "DeliveryReport",
    "acknowledge",
    "apply_stream",
    "build_package",
    "complete_incoming",
    "create_endpoint",
    "deliver_all_due",
    "deliver_due",
    "enqueue_webhook",
    "enqueue_webhooks",
    "fan_out",
    "incoming_status",
    "outbox",
    "outbox_package",
    "poll_receipt",
    "pull_from",
    "push_due",
    "push_package",
    "read_range",
    "receive_chunk",
    "record_receipt",
    "register_node",
    "replay_dead_letters",
    "replay_delivery",
    "retry_package",
    "start_incoming",
    "update_endpoint",
]
