"""What a user may do with a knowledge entry: decided once for the API and the pages.

Editors (事项管理员 ``service_manager``, 12345 热线坐席 ``hotline_agent``, 系统管理员 ``admin``) write
FAQ entries, edit drafts, submit them for review, publish approved entries and withdraw published
ones.  Reviewers (``service_manager``, ``admin``) approve or reject entries in review — never their
own (author ≠ reviewer).  Guide entries are rebuilt from the catalogue (``knowledge_sync``), so they
cannot be edited here, only withdrawn.
"""

from __future__ import annotations

from typing import Any

from yiwang.accounts.models import AccountKind, StaffRole
from yiwang.accounts.roles import roles_of
from yiwang.knowledge.models import EntryKind, EntryStatus, KnowledgeEntry

EDITOR_ROLES = frozenset({StaffRole.SERVICE_MANAGER, StaffRole.HOTLINE_AGENT, StaffRole.ADMIN})
REVIEWER_ROLES = frozenset({StaffRole.SERVICE_MANAGER, StaffRole.ADMIN})


def _staff_roles(user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False) or user.kind != AccountKind.STAFF:
        return set()
    return roles_of(user)


def is_editor(user: Any) -> bool:
    return bool(_staff_roles(user) & EDITOR_ROLES)


def is_reviewer(user: Any) -> bool:
    return bool(_staff_roles(user) & REVIEWER_ROLES)


def entry_actions(user: Any, entry: KnowledgeEntry) -> set[str]:
    if not is_editor(user):
        return set()
    actions = {"view"}
    status = entry.status
    if status in (EntryStatus.DRAFT, EntryStatus.WITHDRAWN) and entry.kind != EntryKind.GUIDE:
        actions.add("edit")
    if status == EntryStatus.DRAFT:
        actions.add("submit")
    if status == EntryStatus.IN_REVIEW and is_reviewer(user) and entry.author_id != user.pk:
        actions |= {"approve", "reject"}
    if status == EntryStatus.APPROVED:
        actions.add("publish")
    if status == EntryStatus.PUBLISHED:
        actions.add("withdraw")
    return actions
