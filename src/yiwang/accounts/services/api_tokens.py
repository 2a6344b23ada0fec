"""API tokens (访问令牌) for systems and apps: issued once, stored as a hash, revocable."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.api_auth import hash_token
from yiwang.accounts.models import ApiToken, User
from yiwang.core import audit

API_TOKEN_LIFETIME = timedelta(days=30)


def issue_api_token(user: User, name: str = "api") -> str:
    """Return a new bearer token; only its hash is stored, so it is shown once."""
    token = "yw_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.create(
            user=user,
            name=name,
            token_hash=hash_token(token),
            prefix=token[:8],
            expires_at=timezone.now() + API_TOKEN_LIFETIME,
        )
        audit.record("auth.token_issued", actor=user, obj=user, detail={"name": name})
    return token


def revoke_api_token(user: User, token: str) -> None:
    with transaction.atomic():
        ApiToken.objects.filter(user=user, token_hash=hash_token(token), revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit.record("auth.token_revoked", actor=user, obj=user)
