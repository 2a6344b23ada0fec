"""API authentication: bearer tokens (for systems and apps) and the browser session (with CSRF).

Bearer tokens are checked against the database on every request, with one statement written once
per process (:class:`_TokenCheck`): it confirms the token is neither revoked nor expired and returns
the account's current row, its staff profile and the set of its role assignments.  When those are
the same as on this token's previous request in this process, the account objects built then are
reused (each request gets its own copies); when anything differs, they are loaded again.  So a
revoked token, a deactivated account or a changed role takes effect on the very next request, while
a clerk's to-do list does not pay for building the account and its roles from three tables each
time (that was a third of the request's CPU on the benchmark).

The statement's columns are named (``token_id``, ``user__<column>``, ``profile__<column>``,
``roles``) and read by those names from the cursor, never by position.  Off switch:
``settings.YIWANG_API_TOKEN_CACHE = False`` loads the account objects on every request (the same
answers, two more queries); docs/adr/0007-api-token-cache.md.
"""

from __future__ import annotations

import copy
import hashlib
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from yiwang.accounts.models import ApiToken, StaffProfile, StaffRoleAssignment, User
from yiwang.accounts.roles import ASSIGNMENT_CACHE

# The last-used time is written at most this often per token and process.
TOUCH_SECONDS = 60
# Accounts remembered per process; beyond it the memory starts again (a rare, harmless reload).
MAX_REMEMBERED = 2048


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def cache_enabled() -> bool:
    return bool(getattr(settings, "YIWANG_API_TOKEN_CACHE", True))


# Column names of the check statement (the user's and profile's columns are prefixed).
TOKEN_ID = "token_id"  # noqa: S105 (a column name, not a secret)
ROLES = "roles"


class _TokenCheck:
    """The per-request statement: token validity plus everything the remembered objects hold."""

    def __init__(self) -> None:
        self._sql: dict[str, str] = {}

    def sql(self) -> str:
        vendor = connection.vendor
        if vendor not in self._sql:
            self._sql[vendor] = self._build()
        return self._sql[vendor]

    @staticmethod
    def _build() -> str:
        quote = connection.ops.quote_name
        token, user = ApiToken._meta.db_table, User._meta.db_table
        profile, role = StaffProfile._meta.db_table, StaffRoleAssignment._meta.db_table
        user_columns = ", ".join(
            f"u.{quote(str(f.column))} AS {quote(f'user__{f.column}')}" for f in User._meta.concrete_fields
        )
        profile_columns = ", ".join(
            f"p.{quote(str(f.column))} AS {quote(f'profile__{f.column}')}"
            for f in StaffProfile._meta.concrete_fields
        )
        assignment = f"CAST(r.{quote('id')} AS TEXT) || ':' || r.{quote('role')} || ':' || r.{quote('scope')}"
        aggregate = "string_agg" if connection.vendor == "postgresql" else "group_concat"
        roles = f"(SELECT {aggregate}({assignment}, ',') "
        roles += f"FROM {quote(role)} r WHERE r.{quote('staff_id')} = p.{quote('id')}) AS {quote(ROLES)}"
        return (
            f"SELECT t.{quote('id')} AS {quote(TOKEN_ID)}, {user_columns}, {profile_columns}, {roles} "  # noqa: S608
            f"FROM {quote(token)} t JOIN {quote(user)} u ON u.{quote('id')} = t.{quote('user_id')} "
            f"LEFT JOIN {quote(profile)} p ON p.{quote('user_id')} = u.{quote('id')} "
            f"WHERE t.{quote('token_hash')} = %s AND t.{quote('revoked_at')} IS NULL "
            f"AND t.{quote('expires_at')} > %s"
        )


_check = _TokenCheck()


@dataclass(frozen=True)
class _Remembered:
    stamp: tuple[Any, ...]
    user: User
    profile: StaffProfile | None
    assignments: tuple[StaffRoleAssignment, ...]


_remembered: dict[str, _Remembered] = {}
_touched: dict[str, float] = {}
_lock = threading.Lock()


def forget_all() -> None:
    """Drop what this process remembers (tests; it is never needed for correctness)."""
    with _lock:
        _remembered.clear()
        _touched.clear()


def _stamp(row: dict[str, Any]) -> tuple[Any, ...]:
    """What the remembered objects were built from: the account's and profile's columns by name,
    and the role list made order-free (the aggregate's order is unspecified)."""
    roles = row[ROLES]
    columns = tuple((name, value) for name, value in row.items() if name not in (TOKEN_ID, ROLES))
    return (*columns, tuple(sorted(roles.split(","))) if roles else ())


def _load(token_id: int, stamp: tuple[Any, ...]) -> _Remembered | None:
    api_token = ApiToken.objects.select_related("user", "user__staff_profile").filter(pk=token_id).first()
    if api_token is None:
        return None
    user = api_token.user
    profile = getattr(user, "staff_profile", None)  # select_related also remembers "none"
    assignments = tuple(profile.roles.all()) if profile is not None else ()
    return _Remembered(stamp=stamp, user=user, profile=profile, assignments=assignments)


def _fresh_copy(entry: _Remembered) -> User:
    """Copies for one request: views may change the objects they are given."""
    user = copy.copy(entry.user)
    if entry.profile is not None:
        user._state.fields_cache["staff_profile"] = copy.copy(entry.profile)
    if user.kind == "staff":
        setattr(user, ASSIGNMENT_CACHE, list(entry.assignments))
    return user


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token_hash = hash_token(token)
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(_check.sql(), [token_hash, connection.ops.adapt_datetimefield_value(now)])
            values = cursor.fetchone()
            names = [column[0] for column in cursor.description] if values is not None else []
        if values is None:
            return None
        row = dict(zip(names, values, strict=True))
        token_id, stamp = row[TOKEN_ID], _stamp(row)
        entry = _remembered.get(token_hash) if cache_enabled() else None
        if entry is None or entry.stamp != stamp:
            loaded = _load(token_id, stamp)
            if loaded is None:
                return None
            entry = loaded
            if cache_enabled():
                with _lock:
                    if len(_remembered) >= MAX_REMEMBERED:
                        _remembered.clear()
                    _remembered[token_hash] = entry
        if not entry.user.is_active:
            return None
        # Touch at most once a minute (per process) so a busy client does not write on every request.
        clock = time.monotonic()
        last = _touched.get(token_hash)
        if last is None or clock - last > TOUCH_SECONDS:
            if len(_touched) >= MAX_REMEMBERED:
                _touched.clear()
            _touched[token_hash] = clock
            ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
        user = _fresh_copy(entry)
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session; unsafe methods need the CSRF token like any Django form."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if getattr(user, "kind", "") == "staff" and not getattr(user, "is_verified", lambda: False)():
                return None  # staff sessions need the second factor (MFA) first
            return user
        return None
