from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from yiwang.core.models import Channel
from yiwang.core.request_context import RequestContext, use_context

MOBILE_HINTS = ("Mobile", "Android", "iPhone")


def _trusted_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for entry in getattr(settings, "YIWANG_TRUSTED_PROXIES", []):
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return networks


def _is_trusted(address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address.  ``X-Forwarded-For`` counts only when the request comes from one of
    ``YIWANG_TRUSTED_PROXIES`` (the load balancers); then the right-most hop that is not a trusted
    proxy is the client.  Anyone else could forge the header to dodge the per-IP lockout or to
    plant a false address in the audit trail."""
    remote = request.META.get("REMOTE_ADDR") or None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    networks = _trusted_networks()
    if not forwarded or remote is None or not _is_trusted(remote, networks):
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop
    return hops[0] if hops else remote


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
