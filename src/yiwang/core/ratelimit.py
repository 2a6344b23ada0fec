"""Request rate limits at the edge (等保三级 资源控制): a fixed-window counter per family of
endpoints and per key (client address, user or API token), kept in Django's cache.

The families and the paths they cover are :data:`RULES`; the limits are ``YIWANG_RATE_LIMITS``
(settings, "count/seconds" per limit name, each overridable by ``YIWANG_RATE_LIMIT_<NAME>``).  Over
the limit the answer is ``429`` with ``Retry-After``: the one JSON error shape (``rate_limited``,
``fields.retry_after``) under ``/api/`` and ``/o/``, an error page elsewhere (a status line for htmx).

The counters live in the cache named by ``YIWANG_RATE_LIMIT_CACHE`` (``default``): Redis when
``YIWANG_CACHE_URL`` is set, so all workers share them; the per-process memory cache otherwise (each
worker then counts on its own: the effective limit is the limit times the workers).  The account
lockout after failed log-ins (``accounts.services.login``, ``LoginThrottle``) and the per-phone SMS
limits (``accounts.services.sms_codes``) stay as they are; these limits come in front of them and
also bound what a single address can try across many accounts or phone numbers.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import gettext as _

from yiwang.core.errors import CoreErrorCode
from yiwang.core.middleware import client_ip

logger = logging.getLogger(__name__)

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Rule:
    """A family of endpoints: the methods and paths it covers and its limits as (limit name, key)."""

    family: str
    methods: tuple[str, ...]
    path: re.Pattern[str]
    limits: tuple[tuple[str, str], ...]  # (name in YIWANG_RATE_LIMITS, "ip" | "user")


RULES: tuple[Rule, ...] = (
    Rule(
        "login",
        ("POST",),
        re.compile(r"^/(?:workbench/)?login/$|^/workbench/mfa/$|^/api/v1/accounts/token$"),
        (("login", "ip"),),
    ),
    Rule(
        "sms",
        ("POST",),
        re.compile(
            r"^/register/sms/$|^/my/security/phone/sms/$|^/recover/$"
            r"|^/api/v1/accounts/(?:sms-codes|recovery/sms|recovery)$"
        ),
        (("sms", "ip"),),
    ),
    Rule(
        "registration",
        ("POST",),
        re.compile(r"^/register/$|^/my/company/register/$|^/api/v1/accounts/register$"),
        (("registration", "ip"),),
    ),
    Rule(
        "token",
        ("POST",),
        re.compile(r"^/o/(?:token|revoke_token|introspect)/$|^/api/v1/accounts/token$"),
        (("token", "ip"),),
    ),
    Rule(
        "api_write",
        WRITE_METHODS,
        # Not the sharing gateway's calls, the exchange between platform instances, nor the payment
        # gateway's notifications and the carrier's callbacks: systems, not people, each checked by
        # its own signatures and rules (docs/sharing.md, exchange.md, payments.md, logistics.md).
        re.compile(r"^/api/v1/(?!sharing/gateway/|exchange/|payments/notify/|logistics/callbacks/)"),
        (("api_write_user", "user"), ("api_write_ip", "ip")),
    ),
)


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        count, _sep, seconds = text.partition("/")
        return cls(int(count), int(seconds or 60))


def limit_for(name: str) -> Limit | None:
    """The configured limit, or None when the name is not limited (``0/…`` switches one off)."""
    text = getattr(settings, "YIWANG_RATE_LIMITS", {}).get(name)
    if not text:
        return None
    limit = Limit.parse(str(text))
    return limit if limit.count > 0 and limit.seconds > 0 else None


def hit(name: str, key: str, limit: Limit, *, now: float | None = None) -> int:
    """Count one request of ``key`` against ``limit``; 0 when allowed, else the seconds to wait."""
    now = time.time() if now is None else now
    window = int(now // limit.seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{name}:{digest}:{window}"
    cache = caches[getattr(settings, "YIWANG_RATE_LIMIT_CACHE", "default")]
    cache.add(cache_key, 0, timeout=limit.seconds + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr: this request opens the window again
        cache.set(cache_key, 1, timeout=limit.seconds + 1)
        count = 1
    if count <= limit.count:
        return 0
    return max(1, math.ceil((window + 1) * limit.seconds - now))


def _key(request: HttpRequest, kind: str) -> str | None:
    if kind == "ip":
        ip = client_ip(request)
        return f"ip:{ip}" if ip else None
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.lower().startswith("bearer "):
        return "token:" + header[7:].strip()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None  # anonymous writes are counted per address only


def check(request: HttpRequest) -> tuple[str, int] | None:
    """The first limit this request goes over, as (limit name, seconds to wait); None if none."""
    path = request.path_info
    for rule in RULES:
        if request.method not in rule.methods or not rule.path.search(path):
            continue
        for name, kind in rule.limits:
            limit = limit_for(name)
            key = _key(request, kind) if limit else None
            if limit is None or key is None:
                continue
            wait = hit(name, key, limit)
            if wait:
                return name, wait
    return None


def too_many_requests(request: HttpRequest, wait: int) -> HttpResponse:
    message = _("请求过于频繁，请 %(seconds)s 秒后再试") % {"seconds": wait}
    response: HttpResponse
    if request.path_info.startswith(("/api/", "/o/")):
        response = JsonResponse(
            {"code": CoreErrorCode.RATE_LIMITED, "message": message, "fields": {"retry_after": wait}},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    elif request.headers.get("HX-Request"):
        response = HttpResponse(
            format_html('<p class="alert alert-error" role="alert">{}</p>', message), status=429
        )
    else:
        response = render(
            request,
            "error.html",
            {"error_title": _("请求过于频繁"), "error_message": message, "status": 429},
            status=429,
        )
    response["Retry-After"] = str(wait)
    return response


class RateLimitMiddleware:
    """After authentication (limits per user need ``request.user``), before the views."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in WRITE_METHODS:
            over = check(request)
            if over is not None:
                name, wait = over
                logger.warning("rate limit %s reached by %s on %s", name, client_ip(request), request.path)
                return too_many_requests(request, wait)
        return self.get_response(request)
