"""The origins of the registered OIDC relying parties, for the CSP ``form-action`` directive.

A single sign-on log-in is a form posted to the platform that ends in a redirect to the relying
party's callback; browsers check ``form-action`` on those redirects too (``core.security_headers``).
Only the pages of a sign-on need them: the provider's own pages (``/o/``, ``/sso/``) and any page
whose ``next`` leads there (the log-in and MFA forms of a sign-on); other pages get ``'self'`` only
and cost no query.  The list is cached for a minute and dropped whenever an application is saved or
deleted.  In the demo
the provider accepts any port on a loopback callback (RFC 8252, ``oidc.validate_redirect_uri``), so
loopback origins are allowed on any port there.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core.cache import cache
from django.http import HttpRequest
from oauth2_provider.models import get_application_model

from yiwang.accounts.oidc import demo_mode

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


SSO_PREFIXES = ("/o/", "/sso/")


def is_sign_on_page(request: HttpRequest) -> bool:
    if request.path_info.startswith(SSO_PREFIXES):
        return True
    nexts = request.GET.getlist("next") + (request.POST.getlist("next") if request.method == "POST" else [])
    return any(value.startswith(SSO_PREFIXES) for value in nexts)


def relying_party_origins(request: HttpRequest | None = None) -> list[str]:
    """The origins for ``form-action`` on this page: all relying parties on a sign-on page (or when
    no request is given), none elsewhere."""
    if request is not None and not is_sign_on_page(request):
        return []
    cached = cache.get(CACHE_KEY)
    if cached is not None:
        return list(cached)
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
