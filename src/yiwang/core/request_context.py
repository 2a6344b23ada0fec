"""Per-request context (actor IP, channel) that services read when they write audit and case events.

Set by :class:`yiwang.core.middleware.RequestContextMiddleware` for web requests; commands and
tasks use :func:`use_context`.  Kept in a ContextVar so it is safe under threads and async.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from yiwang.core.models import Channel


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    channel: str = Channel.SYSTEM
    user_agent: str = ""


_DEFAULT = RequestContext()
_current: ContextVar[RequestContext | None] = ContextVar("yiwang_request_context", default=None)


def current() -> RequestContext:
    """当前请求上下文 The context of the running request, or the system default outside one."""
    return _current.get() or _DEFAULT


@contextmanager
def use_context(ctx: RequestContext) -> Iterator[RequestContext]:
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
