"""知识条目维护 Writing, reviewing, publishing and withdrawing entries.  Every step locks the entry,
checks :func:`~yiwang.knowledge.actions.entry_actions`, saves the changed columns and is audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError, PermissionDenied
from yiwang.core.models import Organisation
from yiwang.knowledge import search
from yiwang.knowledge.actions import entry_actions, is_editor, is_reviewer
from yiwang.knowledge.errors import KnowledgeErrorCode
from yiwang.knowledge.models import EntryKind, EntryStatus, KnowledgeEntry

EDITABLE = ("title", "answer", "category", "synonyms", "department")


def _text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(KnowledgeErrorCode.TEXT_REQUIRED, "须填写标题和答案", {field: ["必填"]})
    return value[:limit]


def _require_editor(actor: User) -> None:
    if not is_editor(actor):
        raise PermissionDenied("仅知识库编辑可维护知识条目", code=KnowledgeErrorCode.FORBIDDEN)


def index(entry: KnowledgeEntry) -> None:
    """Refresh the search columns of a saved entry and its full-text row."""
    search.refresh(entry, extra=[entry.category])
    KnowledgeEntry.objects.filter(pk=entry.pk).update(
        search_text=entry.search_text, title_pinyin=entry.title_pinyin, title_initials=entry.title_initials
    )
    if entry.status == EntryStatus.PUBLISHED:
        search.sync_index([(entry.pk, entry.search_text)])
    else:
        search.remove_from_index([entry.pk])


def create_entry(
    *,
    actor: User,
    title: str,
    answer: str,
    category: str = "",
    synonyms: str = "",
    department: Organisation | None = None,
    kind: str = EntryKind.FAQ,
) -> KnowledgeEntry:
    """新建条目 A draft FAQ entry written by staff."""
    _require_editor(actor)
    if kind == EntryKind.GUIDE:
        raise DomainError(
            KnowledgeErrorCode.INVALID_STATE, "办事指南条目由事项目录同步生成", {"kind": [kind]}
        )
    with transaction.atomic():
        entry = KnowledgeEntry.objects.create(
            kind=kind,
            title=_text(title, "title", 200),
            answer=_text(answer, "answer", 10000),
            category=(category or "").strip()[:40],
            synonyms=(synonyms or "").strip()[:300],
            department=department,
            author=actor,
        )
        index(entry)
        audit.record("knowledge.entry.created", actor=actor, obj=entry, detail={"kind": kind})
    return entry


def _locked(entry: KnowledgeEntry, actor: User, action: str) -> KnowledgeEntry:
    _require_editor(actor)
    locked = KnowledgeEntry.objects.select_for_update().get(pk=entry.pk)
    if action not in entry_actions(actor, locked):
        if action in ("approve", "reject") and locked.status == EntryStatus.IN_REVIEW:
            if locked.author_id == actor.pk and is_reviewer(actor):
                raise PermissionDenied("不能审核自己编写的条目", code=KnowledgeErrorCode.SAME_REVIEWER)
            raise PermissionDenied("仅审核人员可审核条目", code=KnowledgeErrorCode.FORBIDDEN)
        raise Conflict(
            f"条目当前状态（{locked.get_status_display()}）不允许此操作",
            code=KnowledgeErrorCode.INVALID_STATE,
        )
    return locked


def update_entry(entry: KnowledgeEntry, *, actor: User, **changes: Any) -> KnowledgeEntry:
    """修改 A draft or withdrawn entry (a withdrawn one becomes a draft again)."""
    with transaction.atomic():
        locked = _locked(entry, actor, "edit")
        fields = []
        for name, value in changes.items():
            if name not in EDITABLE or value is None:
                continue
            if name == "title":
                value = _text(value, "title", 200)
            elif name == "answer":
                value = _text(value, "answer", 10000)
            elif name != "department":
                value = str(value).strip()[: 40 if name == "category" else 300]
            setattr(locked, name, value)
            fields.append(name)
        locked.status = EntryStatus.DRAFT
        locked.save(update_fields=[*fields, "status", "updated_at"])
        index(locked)
        audit.record("knowledge.entry.updated", actor=actor, obj=locked, detail={"fields": fields})
    return locked


def _move(entry: KnowledgeEntry, actor: User, action: str, status: str, **values: Any) -> KnowledgeEntry:
    with transaction.atomic():
        locked = _locked(entry, actor, action)
        locked.status = status
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save(update_fields=["status", *values, "updated_at"])
        if action in ("publish", "withdraw"):
            index(locked)
        audit.record(f"knowledge.entry.{action}", actor=actor, obj=locked, detail={"status": status})
    return locked


def submit_entry(entry: KnowledgeEntry, *, actor: User) -> KnowledgeEntry:
    """提交审核"""
    return _move(entry, actor, "submit", EntryStatus.IN_REVIEW, submitted_at=timezone.now())


def review_entry(entry: KnowledgeEntry, *, actor: User, approve: bool, comment: str = "") -> KnowledgeEntry:
    """审核 By a reviewer who is not the author: approved, or back to draft with the comment."""
    return _move(
        entry,
        actor,
        "approve" if approve else "reject",
        EntryStatus.APPROVED if approve else EntryStatus.DRAFT,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
        review_comment=(comment or "").strip()[:2000],
    )


def publish_entry(entry: KnowledgeEntry, *, actor: User) -> KnowledgeEntry:
    """发布 An approved entry goes live (its version increases)."""
    return _move(
        entry, actor, "publish", EntryStatus.PUBLISHED, published_at=timezone.now(), version=entry.version + 1
    )


def withdraw_entry(entry: KnowledgeEntry, *, actor: User) -> KnowledgeEntry:
    """撤回 A published entry leaves the help pages and the assistant."""
    return _move(entry, actor, "withdraw", EntryStatus.WITHDRAWN)
