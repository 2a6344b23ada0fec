"""What every kiosk page shares: the kiosk the browser is, who stands at it, the idle guard, the
kiosk's own Content-Security-Policy (the page may reach the local card reader bridge)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from yiwang.core.errors import DomainError
from yiwang.core.security_headers import content_security_policy
from yiwang.kiosk import session
from yiwang.kiosk.models import KioskDevice
from yiwang.kiosk.services.devices import device_for_token, mark_seen

DEVICE_COOKIE = "kiosk_device"
DEVICE_COOKIE_AGE = 10 * 365 * 24 * 3600
ACTIVE_COOKIE = "kiosk_active"  # "1" while a kiosk session is open: tells an expired session from none
STANDARD_COOKIE = "kiosk_standard"  # "1": the standard display; otherwise 长辈模式 (the default)
View = Callable[..., HttpResponseBase]


@dataclass
class Kiosk:
    device: KioskDevice
    visitor: session.KioskVisitor


def reader_url() -> str:
    """The local card reader bridge as the kiosk's browser reaches it (docs/kiosk.md)."""
    return str(getattr(settings, "YIWANG_KIOSK_READER_URL", "http://127.0.0.1:8731")).rstrip("/")


def reader_origin() -> str:
    parts = urlsplit(reader_url())
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def kiosk_policy(request: HttpRequest) -> str:
    policy = content_security_policy(request)
    origin = reader_origin()
    if origin and all(c not in origin for c in " ;,'\""):
        policy = policy.replace("connect-src 'self'", f"connect-src 'self' {origin}")
    return policy


def _finish(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    open_now = isinstance(getattr(request, "session", None), SessionBase) and session.KEY in request.session
    if open_now:
        response.set_cookie(ACTIVE_COOKIE, "1", httponly=True, samesite="Lax", secure=request.is_secure())
    elif ACTIVE_COOKIE in request.COOKIES:
        response.delete_cookie(ACTIVE_COOKIE, samesite="Lax")
    if response.get("Content-Type", "").startswith("text/html"):
        response["Content-Security-Policy"] = kiosk_policy(request)
    response["Cache-Control"] = "no-store"
    return response


def render_kiosk(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    kiosk: Kiosk | None = getattr(request, "kiosk", None)
    base = {
        "kiosk": kiosk,
        "visitor": kiosk.visitor if kiosk else session.KioskVisitor(),
        "elderly": request.COOKIES.get(STANDARD_COOKIE) != "1",
        "idle_seconds": session.script_idle_seconds(),
        "reader_url": reader_url(),
    }
    return render(request, template, {**base, **context}, status=status)


def unregistered(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render_kiosk(request, "kiosk/unregistered.html", {"message": exc.message}, status=403)


def kiosk_page(*, person: bool = False, present: bool = False) -> Callable[[View], View]:
    """A kiosk page: the browser must be a registered kiosk (403 otherwise).  ``person``: a
    logged-in person is needed (else back home with a hint); ``present``: a person or a card-read
    guest is needed."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                device = device_for_token(request.COOKIES.get(DEVICE_COOKIE, ""))
            except DomainError as exc:
                return _finish(request, unregistered(request, exc))
            mark_seen(device)
            visitor = session.visitor(request, device)
            if not visitor.present and not visitor.expired and request.COOKIES.get(ACTIVE_COOKIE) == "1":
                visitor = session.KioskVisitor(expired=True)  # the session itself ran out
            request.kiosk = Kiosk(device=device, visitor=visitor)  # type: ignore[attr-defined]
            if visitor.expired and request.method == "GET" and not request.headers.get("HX-Request"):
                return _finish(request, redirect_home(expired=True))
            if visitor.expired and request.headers.get("HX-Request"):
                gone = HttpResponse(status=204)
                gone["HX-Redirect"] = redirect_home(expired=True)["Location"]
                return _finish(request, gone)
            if (person and visitor.user is None) or (present and not visitor.present):
                return _finish(request, redirect_home(login=True))
            response: HttpResponseBase
            try:
                response = view(request, *args, **kwargs)
            except DomainError as exc:
                response = render_kiosk(
                    request,
                    "kiosk/error.html",
                    {"error_title": _("无法完成操作"), "error_message": exc.message},
                    status=exc.status,
                )
            return _finish(request, response)

        return cast(View, wrapper)

    return decorate


def redirect_home(*, expired: bool = False, login: bool = False) -> HttpResponse:
    from django.urls import reverse

    url = reverse("kiosk:home")
    if expired:
        url += "?expired=1"
    elif login:
        url += "?login=1"
    return redirect(url)


def current_kiosk(request: HttpRequest) -> Kiosk:
    return cast(Kiosk, request.kiosk)  # type: ignore[attr-defined]
