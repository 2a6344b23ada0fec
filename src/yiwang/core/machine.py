"""系统对接端点 The machine-to-machine endpoints served by a handler with a short middleware chain (ADR 0016).

Systems, not people, call a few endpoints at high rates: the payment gateway's notifications
(``POST /api/v1/payments/notify/<gateway>``), the sharing gateway's queries (``POST
/api/v1/sharing/gateway/<resource>/query``) and the carrier's callbacks.  Each authenticates the
caller itself (a signature or an OAuth2 client-credentials token) and uses neither a session, a
logged-in user, CSRF, the locale, OTP, messages nor the per-user rate limits.  The full chain costs
those endpoints ~9 % of their time (docs/benchmarks.md, "Payments"), so :class:`MachineDispatch`
sends them to a second Django handler built with ``YIWANG_MACHINE_MIDDLEWARE`` (metrics, security
headers, the NUL guard, the request context) and everything else to the usual one.

Only the WSGI entry point (``yiwang.wsgi.application``, i.e. the production server) dispatches; the
test client always runs the full chain.  ``YIWANG_MACHINE_FAST_PATH=0`` turns the dispatch off.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler


class MachineHandler(WSGIHandler):
    """A WSGI handler whose middleware chain is ``YIWANG_MACHINE_MIDDLEWARE``."""

    def load_middleware(self, is_async: bool = False) -> None:
        # BaseHandler.load_middleware reads settings.MIDDLEWARE.  It runs once, when the WSGI entry
        # point is imported at process start (before any request thread exists), so the setting is
        # swapped for the duration of the call only.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = list(settings.YIWANG_MACHINE_MIDDLEWARE)
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


class MachineDispatch:
    """The WSGI application: POSTs to a machine path go to :class:`MachineHandler`, the rest to ``web``."""

    def __init__(self, web: Callable[..., Any], *, enabled: bool | None = None) -> None:
        self.web = web
        on = settings.YIWANG_MACHINE_FAST_PATH if enabled is None else enabled
        self.machine: MachineHandler | None = MachineHandler() if on else None
        self.paths = re.compile("|".join(f"(?:{p})" for p in settings.YIWANG_MACHINE_PATHS))

    def is_machine(self, environ: dict[str, Any]) -> bool:
        return environ.get("REQUEST_METHOD") == "POST" and bool(
            self.paths.match(environ.get("PATH_INFO", ""))
        )

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if self.machine is not None and self.is_machine(environ):
            return self.machine(environ, start_response)
        return self.web(environ, start_response)
