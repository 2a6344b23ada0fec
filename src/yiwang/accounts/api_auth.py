"""API authentication: bearer tokens (for systems and apps) and the browser session (with CSRF)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from yiwang.accounts.models import ApiToken


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # The staff profile comes along (one query instead of two): every workbench endpoint needs it.
        api_token = (
            ApiToken.objects.select_related("user", "user__staff_profile")
            .filter(token_hash=hash_token(token), revoked_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
        if api_token is None or not api_token.user.is_active:
            return None
        now = timezone.now()
        # Touch at most once a minute so a busy client does not write on every request.
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session; unsafe methods need the CSRF token like any Django form."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if getattr(user, "kind", "") == "staff" and not getattr(user, "is_verified", lambda: False)():
                return None  # staff sessions need the second factor (MFA) first
            return user
        return None
