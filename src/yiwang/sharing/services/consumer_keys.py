"""Key rotation of a gateway consumer system (密钥轮换): a new OAuth2 client secret and a new HMAC-SM3
key, shown once; the tokens issued with the old secret are revoked at once."""

from __future__ import annotations

import secrets

from django.db import transaction
from oauth2_provider.models import get_access_token_model

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.sharing.models import GatewayConsumer
from yiwang.sharing.services.gateway_auth import ConsumerSecrets
from yiwang.sharing.services.permissions import require_official_of


def rotate_consumer_secrets(consumer: GatewayConsumer, *, actor: User) -> ConsumerSecrets:
    """轮换密钥 A data official of the consumer's organisation replaces its client secret and HMAC
    key; every access token of the system stops working (it must fetch a new one)."""
    require_official_of(actor, consumer.organisation, "轮换本单位调用方系统的密钥")
    client_secret = secrets.token_urlsafe(32)
    hmac_secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        consumer = (
            GatewayConsumer.objects.select_for_update(of=("self",))
            .select_related("application")
            .get(pk=consumer.pk)
        )
        consumer.hmac_secret = hmac_secret
        consumer.save(update_fields=["hmac_secret", "updated_at"])
        client_id = ""
        revoked = 0
        application = consumer.application
        if application is not None:
            client_id = application.client_id
            application.client_secret = client_secret
            application.save(update_fields=["client_secret", "updated"])
            revoked, _ = get_access_token_model().objects.filter(application=application).delete()
        audit.record(
            "sharing.consumer_keys_rotated",
            actor=actor,
            obj=consumer,
            detail={"client_id": client_id, "tokens_revoked": revoked},
        )
    return ConsumerSecrets(client_id, client_secret, hmac_secret)
