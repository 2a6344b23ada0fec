"""Audit records of refusals (拒绝留痕) that survive the rollback of the refused transaction.

A refusal is usually raised inside ``transaction.atomic()``: an audit record written there would be
rolled back with everything else.  :func:`record_refusal` therefore writes at once when no
transaction is open, and otherwise keeps the record until :class:`RefusalAuditMiddleware` (or
:func:`flush`) writes it after the view has returned and the transaction is gone.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse

from yiwang.core import audit


@dataclass
class _Pending:
    records: list[dict[str, Any]] = field(default_factory=list)


_pending: ContextVar[_Pending | None] = ContextVar("yiwang_pending_refusals", default=None)


def record_refusal(
    action: str,
    *,
    actor: Any = None,
    object_type: str = "",
    object_id: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """拒绝留痕 Write an audit record for a refused action, even if the refusal rolls back."""
    entry = {
        "action": action,
        "actor": actor,
        "object_type": object_type,
        "object_id": object_id,
        "detail": detail or {},
    }
    pending = _pending.get()
    if pending is not None and transaction.get_connection().in_atomic_block:
        pending.records.append(entry)
        return
    audit.record(
        action,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        detail=entry["detail"],
    )


def flush() -> None:
    """Write the refusals kept during this request."""
    pending = _pending.get()
    if pending is None:
        return
    records, pending.records = pending.records, []
    for entry in records:
        audit.record(
            entry["action"],
            actor=entry["actor"],
            object_type=entry["object_type"],
            object_id=entry["object_id"],
            detail=entry["detail"],
        )


class RefusalAuditMiddleware:
    """Collects the refusals of one request and writes them once the view has returned."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _pending.set(_Pending())
        try:
            return self.get_response(request)
        finally:
            try:
                flush()
            finally:
                _pending.reset(token)
