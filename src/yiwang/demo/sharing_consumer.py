"""The demo consumer system of the sharing gateway (演示调用方系统): its registration, for the demo
loader, with fixed credentials the ``demo_consumer`` process uses."""

from __future__ import annotations

from yiwang.accounts.models import User
from yiwang.core.models import Organisation
from yiwang.sharing.management.commands.demo_consumer import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from yiwang.sharing.models import GatewayConsumer
from yiwang.sharing.services.gateway_auth import register_consumer

DEMO_HMAC_SECRET = "demo-sharing-consumer-hmac-key-not-for-production"  # noqa: S105 - demo only


def register_demo_consumer(*, official: User, organisation: Organisation) -> GatewayConsumer:
    """Register (once) the demo consumer system of ``organisation`` (``official`` is its data official)."""
    existing = GatewayConsumer.objects.filter(application__client_id=DEMO_CLIENT_ID).first()
    if existing is not None:
        return existing
    consumer, _secrets = register_consumer(
        actor=official,
        organisation=organisation,
        name="演示部门审批系统",
        daily_quota=10_000,
        rate_per_minute=600,
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
        hmac_secret=DEMO_HMAC_SECRET,
    )
    return consumer
