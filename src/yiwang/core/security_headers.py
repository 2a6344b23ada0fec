"""Security headers on every response (等保三级 边界防护): Content-Security-Policy on HTML, and
Permissions-Policy, Cross-Origin-Opener-Policy, Cross-Origin-Resource-Policy and ``Cache-Control:
no-store`` for logged-in users on everything.

The policy allows scripts and styles from the platform's own origin only: the templates carry no
inline ``<script>``, no ``on*=`` handler, no ``<style>`` element and no ``style=`` attribute
(``tests/test_security_headers.py`` reads every template to keep it so).  Data for page scripts
travels in ``json_script`` blocks (``type="application/json"``, never executed).

``form-action`` is ``'self'``, plus the origins of the registered OIDC relying parties on the pages
of a single sign-on: its log-in form ends in a redirect to the relying party's callback, and
browsers apply ``form-action`` to the redirects that follow a form submission.  The kernel knows no
relying party; an app registers a source with :func:`register_form_action_source` (accounts does,
in its ``AppConfig.ready``), which looks at the request and answers the origins that page needs
(no database query on other pages).  Extra origins: ``YIWANG_CSP_FORM_ACTION`` (settings).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

_form_action_sources: list[Callable[[HttpRequest | None], Iterable[str]]] = []

PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
    "fullscreen=(self), geolocation=(), gyroscope=(), hid=(), magnetometer=(), microphone=(), "
    "midi=(), payment=(), publickey-credentials-get=(), serial=(), usb=(), xr-spatial-tracking=()"
)


def register_form_action_source(source: Callable[[HttpRequest | None], Iterable[str]]) -> None:
    """Add a callable that returns the origins (``https://host[:port]``) the forms of the page
    answering ``request`` may lead to (``None``: no particular page, answer every origin)."""
    if source not in _form_action_sources:
        _form_action_sources.append(source)


def _form_action_origins(request: HttpRequest | None) -> list[str]:
    origins: set[str] = set(getattr(settings, "YIWANG_CSP_FORM_ACTION", []))
    for source in _form_action_sources:
        try:
            origins.update(source(request))
        except Exception:  # a broken source must not take every page down; 'self' still works
            logger.exception("CSP form-action source %r failed", source)
    return sorted(origin for origin in origins if origin and all(c not in origin for c in " ;,'\""))


def content_security_policy(request: HttpRequest | None = None) -> str:
    style = "'self'"
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        f"style-src {style}",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action " + " ".join(["'self'", *_form_action_origins(request)]),
    ]
    attr = getattr(settings, "YIWANG_CSP_STYLE_ATTR", "")
    if attr:
        directives.insert(3, f"style-src-attr {attr}")
    report = getattr(settings, "YIWANG_CSP_REPORT_URI", "")
    if report:
        directives.append(f"report-uri {report}")
    return "; ".join(directives)


def _is_html(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip().lower() in (
        "text/html",
        "application/xhtml+xml",
    )


def _is_authenticated(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(getattr(user, "is_authenticated", False)) or "HTTP_AUTHORIZATION" in request.META


class SecurityHeadersMiddleware:
    """Placed right after ``SecurityMiddleware`` (before WhiteNoise) so static files get the headers too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _is_html(response) and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if _is_authenticated(request) and "Cache-Control" not in response:
            # Personal pages and answers are never kept by the browser or a shared cache; a view
            # that set its own Cache-Control (e.g. the guide page's private ETag) decided already.
            response["Cache-Control"] = "no-store"
        return response
