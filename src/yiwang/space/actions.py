"""What a user may do in the space, decided once for pages and API."""

from __future__ import annotations

from typing import Any

from yiwang.accounts.models import AccountKind, User
from yiwang.accounts.roles import assignments_of
from yiwang.space.models import StoredMaterial
from yiwang.space.retention import undecided_cases


def material_actions(entry: StoredMaterial, *, blocking: list[Any] | None = None) -> set[str]:
    """For the owner (or who acts for the owning company): ``download`` always, ``delete`` when no
    undecided case uses the entry (``blocking``: the undecided cases, when the caller has them)."""
    if entry.deleted_at is not None:
        return set()
    actions = {"download"}
    if not (blocking if blocking is not None else undecided_cases(entry)):
        actions.add("delete")
    return actions


def may_read_files(user: User) -> bool:
    """Staff with at least one role (the file then shows only their scope) may search and read files."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and user.kind == AccountKind.STAFF
        and bool(assignments_of(user))
    )
