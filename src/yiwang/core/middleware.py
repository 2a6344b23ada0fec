from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from yiwang.core.models import Channel
from yiwang.core.request_context import RequestContext, use_context

MOBILE_HINTS = ("Mobile", "Android", "iPhone")


def client_ip(request: HttpRequest) -> str | None:
    # Behind the load balancer the first X-Forwarded-For hop is the client; the proxy sets it.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def channel_for(request: HttpRequest) -> str:
    if request.path.startswith("/api/"):
        return Channel.API
    if request.path.startswith("/workbench/"):
        return Channel.WINDOW
    agent = request.META.get("HTTP_USER_AGENT", "")
    if any(hint in agent for hint in MOBILE_HINTS):
        return Channel.MOBILE
    return Channel.WEB


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ctx = RequestContext(
            ip_address=client_ip(request),
            channel=channel_for(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )
        with use_context(ctx):
            return self.get_response(request)
