"""读写分离 Read routing to a PostgreSQL replica (enabled when ``DATABASE_REPLICA_URL`` is set).

Only reads that tolerate replication lag go to the replica: the models behind reports, statistics
and catalogue search (published items, their materials, organisations, regions, themes and
synonyms).  Everything else — and every read inside a transaction, or of a model another request
may just have written (cases, accounts, sessions, tasks) — stays on the primary.  Writes always go
to the primary; migrations run on the primary only (the replica follows by streaming replication).

**Read-your-writes** (ADR 0021): a user who has just written reads from the primary for
``YIWANG_READ_YOUR_WRITES_SECONDS`` (10 s by default; set it above the replica's worst lag), so a
manager who renames an item sees the new name on the next page even while the replica lags, while
everybody else reads the replica.  ``ReadYourWritesMiddleware`` keeps the state of each request in
a context variable and marks a write

* by any non-safe request (POST, PUT, PATCH, DELETE), which also reads from the primary throughout;
* by a write, in any request, to a model that is read from the replica (``db_for_write``);
* by a service calling :func:`mark_write` (e.g. after work whose effect the user reads next).

The mark is kept twice: a cache key per user (``ryw:<user pk>`` in the cache
``YIWANG_READ_YOUR_WRITES_CACHE``, shared through Redis by every node, so the user's other devices
and API tokens see it too) and a short cookie (``yiwang_rw``, the epoch second it ends) for clients
the platform cannot name on the next request (anonymous pages, public endpoints called with a
token).  The cookie is not signed: a client that forges it only sends its own reads to the primary,
and no value lasts longer than the window.  The cache is read lazily, only when a request is about to
read a replica model.  Outside requests (tasks, commands) nothing is marked; code that must read
what it just committed there wraps the reads in :func:`primary_reads`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connections, transaction
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
COOKIE = "yiwang_rw"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# app_label.model_name (lower case) read from the replica.
REPLICA_READ_MODELS = frozenset(
    {
        "catalog.serviceitem",
        "catalog.material",
        "catalog.feeitem",
        "catalog.baseitem",
        "catalog.itemtheme",
        "catalog.synonym",
        "catalog.bundle",
        "catalog.bundlemember",
        "catalog.scenarioquestion",
        "catalog.scenariooption",
        "catalog.scenariocondition",
        "core.organisation",
        "core.region",
    }
)


def window_seconds() -> float:
    """How long a user's reads stay on the primary after a write (0 turns read-your-writes off)."""
    return max(0.0, float(getattr(settings, "YIWANG_READ_YOUR_WRITES_SECONDS", 10)))


def _cache() -> Any:
    return caches[getattr(settings, "YIWANG_READ_YOUR_WRITES_CACHE", "default")]


def cache_key(user_pk: Any) -> str:
    return f"ryw:{user_pk}"


@dataclass
class RequestState:
    """What one request knows about its user's writes."""

    request: HttpRequest | None = None
    primary: bool = False  # this request reads from the primary from now on
    wrote: bool = False  # this request wrote: mark its user when it ends
    checked: bool = False  # the user's mark has been looked up
    resolving: bool = False  # looking it up (the user's own queries must not look again)


_state: ContextVar[RequestState | None] = ContextVar("yiwang_read_your_writes", default=None)


def _user_pk(request: HttpRequest | None) -> Any:
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


def _marked(state: RequestState) -> bool:
    """Whether the request's user (or its cookie) carries a fresh write mark; looked up once."""
    if state.primary or state.checked or state.resolving:
        return state.primary
    state.resolving = True
    try:
        now = time.time()
        request = state.request
        cookie = request.COOKIES.get(COOKIE, "") if request is not None else ""
        until = float(cookie) if cookie.replace(".", "", 1).isdigit() else 0.0
        if min(until, now + window_seconds()) > now:
            state.primary = True
        else:
            user_pk = _user_pk(request)
            if user_pk is not None:
                marked_until = _cache().get(cache_key(user_pk))
                if isinstance(marked_until, (int, float)) and marked_until > now:
                    state.primary = True
    finally:
        state.resolving = False
        state.checked = True
    return state.primary


def mark_write(user: Any = None) -> None:
    """A service says it wrote: this request reads from the primary from now on and its user (or
    ``user``, outside a request too) reads from the primary for the window."""
    state = _state.get()
    if state is not None:
        state.primary = state.wrote = True
    seconds = window_seconds()
    if user is not None and getattr(user, "pk", None) is not None and seconds > 0:
        _cache().set(cache_key(user.pk), time.time() + seconds, timeout=max(1, int(seconds + 0.999)))


def reads_from_primary() -> bool:
    """Whether the current request reads replica models from the primary (for tests and logs)."""
    state = _state.get()
    return state is not None and _marked(state)


@contextlib.contextmanager
def primary_reads() -> Iterator[None]:
    """Every read inside the block goes to the primary (tasks and commands that read what they wrote)."""
    outer = _state.get()
    token = _state.set(RequestState(request=None, primary=True, checked=True))
    try:
        yield
    finally:
        inner = _state.get()
        _state.reset(token)
        if outer is not None and inner is not None and inner.wrote:
            outer.primary = outer.wrote = True


class ReadYourWritesMiddleware:
    """Per-request read-your-writes state (installed with the replica; after AuthenticationMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = window_seconds()
        if seconds <= 0:
            return self.get_response(request)
        unsafe = request.method not in SAFE_METHODS
        state = RequestState(request=request, primary=unsafe, wrote=unsafe, checked=unsafe)
        token = _state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _state.reset(token)
        if state.wrote:
            until = time.time() + seconds
            user_pk = _user_pk(request)  # after the view: the user who just logged in, or the token's
            if user_pk is not None:
                _cache().set(cache_key(user_pk), until, timeout=max(1, int(seconds + 0.999)))
            response.set_cookie(
                COOKIE,
                str(int(until)),
                max_age=max(1, int(seconds + 0.999)),
                httponly=True,
                samesite="Lax",
                secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
            )
        return response


class ReplicaRouter:
    """Django database router: catalogue and report reads from ``replica``, the rest to ``default``."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if REPLICA not in connections.databases:
            return None
        if model._meta.label_lower not in REPLICA_READ_MODELS:
            return "default"
        # Inside a transaction on the primary (a service function) read what it writes.
        if transaction.get_connection("default").in_atomic_block:
            return "default"
        state = _state.get()
        if state is not None and _marked(state):
            return "default"  # read-your-writes: this user has just written
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        state = _state.get()
        if state is not None and model._meta.label_lower in REPLICA_READ_MODELS:
            state.primary = state.wrote = True
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == "default"
