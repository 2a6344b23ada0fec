"""What a data official may do with a gateway consumer system or a subscription now (the pages
offer these; the services still enforce every rule)."""

from __future__ import annotations

from typing import Any

from yiwang.sharing.models import GatewayConsumer, Subscription
from yiwang.sharing.services.permissions import is_official_of


def consumer_actions(user: Any, consumer: GatewayConsumer) -> frozenset[str]:
    """``deactivate`` / ``activate`` and ``rotate`` (new secrets) for officials of its organisation."""
    if not is_official_of(user, consumer.organisation_id):
        return frozenset()
    return frozenset({"deactivate" if consumer.active else "activate", "rotate"})


def subscription_actions(user: Any, subscription: Subscription) -> frozenset[str]:
    """``cancel`` an active subscription of the official's organisation."""
    if subscription.active and is_official_of(user, subscription.consumer.organisation_id):
        return frozenset({"cancel"})
    return frozenset()
