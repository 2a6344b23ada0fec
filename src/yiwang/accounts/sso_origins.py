"""The origins of the registered OIDC relying parties, for the CSP ``form-action`` directive.

A single sign-on log-in is a form posted to the platform that ends in a redirect to the relying
party's callback; browsers check ``form-action`` on those redirects too (``core.security_headers``).
The list is cached for a minute and dropped whenever an application is saved or deleted.  In the demo
the provider accepts any port on a loopback callback (RFC 8252, ``oidc.validate_redirect_uri``), so
loopback origins are allowed on any port there.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core.cache import cache
from oauth2_provider.models import get_application_model

CACHE_KEY = "accounts:sso-origins"
CACHE_SECONDS = 60
LOOPBACK = {"127.0.0.1", "localhost", "[::1]"}


def _origin(uri: str, *, any_loopback_port: bool) -> str | None:
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    if any_loopback_port and host in LOOPBACK:
        return f"{parts.scheme}://{host}:*"
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


def relying_party_origins() -> list[str]:
    cached = cache.get(CACHE_KEY)
    if cached is not None:
        return list(cached)
    from yiwang.accounts.oidc import demo_mode

    loopback = demo_mode()
    origins: set[str] = set()
    for redirects, logouts in get_application_model().objects.values_list(
        "redirect_uris", "post_logout_redirect_uris"
    ):
        for uri in f"{redirects} {logouts}".split():
            origin = _origin(uri, any_loopback_port=loopback)
            if origin:
                origins.add(origin)
    result = sorted(origins)
    cache.set(CACHE_KEY, result, CACHE_SECONDS)
    return result


def forget_origins(**_kwargs: Any) -> None:
    cache.delete(CACHE_KEY)
