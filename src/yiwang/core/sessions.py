"""Rolling session expiry without a write per request.

Django's ``SESSION_SAVE_EVERY_REQUEST`` writes the session row (and its cookie) on every request so
that the idle timeout counts from the last request.  ``RollingSessionMiddleware`` renews the expiry
only when a set share of the idle timeout (``YIWANG_SESSION_RENEW_FRACTION``, half by default) has
passed since the session was last written; requests inside that window leave the row alone.

The idle timeout (MLPS level 3, ``SESSION_COOKIE_AGE`` or the security policy's timeout set at
login) is still enforced by the stored expiry: a session nobody uses for the whole timeout has
expired (the row's ``expire_date``, the cache entry's lifetime and the cookie's ``Max-Age`` all run
out).  Because the expiry is renewed only every so often, a session can also end a little earlier:
after between ``(1 - fraction) x timeout`` and ``timeout`` of idleness, never later.

Place it directly after ``django.contrib.sessions.middleware.SessionMiddleware`` in MIDDLEWARE so
that its response hook runs before the session is saved.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse

# Epoch seconds of the last write, kept in the session itself (Django's own keys start with "_").
WRITTEN_AT_KEY = "_yiwang_written_at"


def renew_fraction() -> float:
    """Share of the idle timeout after which a request renews the expiry (between 0 and 1)."""
    fraction = float(getattr(settings, "YIWANG_SESSION_RENEW_FRACTION", 0.5))
    return min(max(fraction, 0.0), 1.0)


def renewal_due(session: SessionBase, now: float) -> bool:
    """Whether the session must be written now to keep its rolling expiry (it is not modified)."""
    if isinstance(session.get("_session_expiry"), (datetime, str)):
        return False  # a fixed expiry date: nothing to roll
    written_at = session.get(WRITTEN_AT_KEY)
    if not isinstance(written_at, (int, float)):
        return True  # written before this middleware (or by something that skipped it): once more
    return now - written_at >= session.get_expiry_age() * renew_fraction()


class RollingSessionMiddleware:
    """Write the session only when it changed or when its rolling expiry is due for renewal."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or (settings.SESSION_COOKIE_NAME not in request.COOKIES and not session.modified):
            return response  # no session came in and none was started: nothing to keep alive
        accessed = session.accessed
        now = time.time()
        # keys() loads the session: an expired, unknown or flushed one is empty and stays so.
        if session.keys() and (session.modified or renewal_due(session, now)):
            # Setting the key marks the session modified: SessionMiddleware saves it and sends a fresh
            # cookie, both with the full idle timeout from now.
            session[WRITTEN_AT_KEY] = int(now)
        session.accessed = accessed  # reading it here must not add "Vary: Cookie" on its own
        return response
