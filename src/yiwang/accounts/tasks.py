"""Background work for accounts, run by the django-tasks worker (inline in tests)."""

from __future__ import annotations

from yiwang.accounts.identity import POLL_INTERVAL, poll_identity_check

__all__ = ["POLL_INTERVAL", "poll_identity_check"]
