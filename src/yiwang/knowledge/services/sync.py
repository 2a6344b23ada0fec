"""知识同步 Guide entries rebuilt from the published catalogue, and draft entries proposed from
answered tickets.  Both idempotent: run ``yiwang knowledge_sync`` as often as you like.

Guide entries are published without a second review: their text is the published guide (事项指南),
which was reviewed in the catalogue; an item that is no longer published withdraws its entry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from yiwang.catalog.models import ItemStatus, Material, ServiceItem
from yiwang.core import audit
from yiwang.knowledge import search
from yiwang.knowledge.models import EntryKind, EntryStatus, KnowledgeEntry
from yiwang.tickets.reads import answered_tickets


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    proposed: int = 0


def guide_answer(item: ServiceItem, materials: list[Material]) -> str:
    """The answer of a guide entry: conditions, materials, time limit, fees, where to apply."""
    lines = [f"办理部门：{item.implementing_body.name}"]
    if item.conditions:
        lines.append(f"办理条件：{item.conditions.strip()}")
    if materials:
        lines.append("所需材料：")
        for n, material in enumerate(materials, 1):
            counts = []
            if material.originals:
                counts.append(f"原件{material.originals}份")
            if material.copies:
                counts.append(f"复印件{material.copies}份")
            note = f"（{'，'.join(counts)}）" if counts else ""
            flag = "" if material.mandatory else "（容缺/非必需）"
            lines.append(f"{n}. {material.name}{note}{flag}")
    lines.append(
        f"办理时限：法定{item.statutory_limit_days}个工作日，承诺{item.committed_limit_days}个工作日"
    )
    if item.fee_required:
        lines.append(f"收费标准：{(item.fee_description or '按规定收费').strip()}")
    else:
        lines.append("收费标准：不收费")
    if item.place:
        lines.append(f"办理地点：{item.place}")
    if item.office_hours:
        lines.append(f"办理时间：{item.office_hours}")
    if item.consult_phone:
        lines.append(f"咨询电话：{item.consult_phone}")
    lines.append("网上办理：可在线申请，足不出户" if item.online_apply else "网上办理：请到窗口办理")
    return "\n".join(lines)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def sync_guides() -> SyncReport:
    """(Re)build one published guide entry per published catalogue item."""
    report = SyncReport()
    items = (
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
        .select_related("implementing_body")
        .prefetch_related(Prefetch("materials", queryset=Material.objects.order_by("order", "pk")))
        .order_by("pk")
    )
    existing = {
        entry.source_key: entry
        for entry in KnowledgeEntry.objects.filter(kind=EntryKind.GUIDE).exclude(source_key="")
    }
    live: set[str] = set()
    now = timezone.now()
    for item in items.iterator(chunk_size=200):
        key = f"item:{item.public_id}"
        live.add(key)
        title = f"如何办理{item.name}"
        answer = guide_answer(item, list(item.materials.all()))
        digest = _digest(title, answer, item.keywords)
        entry = existing.get(key)
        if entry is not None and entry.source_hash == digest and entry.status == EntryStatus.PUBLISHED:
            report.unchanged += 1
            continue
        with transaction.atomic():
            if entry is None:
                entry = KnowledgeEntry(kind=EntryKind.GUIDE, source_key=key, version=0)
                report.created += 1
            else:
                entry = KnowledgeEntry.objects.select_for_update().get(pk=entry.pk)
                report.updated += 1
            entry.title = title[:200]
            entry.answer = answer
            entry.category = "办事指南"
            entry.synonyms = item.keywords[:300]
            entry.item = item
            entry.department = item.implementing_body
            entry.source_hash = digest
            entry.status = EntryStatus.PUBLISHED
            entry.published_at = now
            entry.version += 1
            search.refresh(entry, extra=[item.name, item.result_name, item.implementing_body.name])
            entry.save()
            search.sync_index([(entry.pk, entry.search_text)])
            audit.record("knowledge.entry.synced", obj=entry, detail={"item": str(item.public_id)})
    stale = [
        entry.pk
        for key, entry in existing.items()
        if key not in live and entry.status == EntryStatus.PUBLISHED
    ]
    if stale:
        with transaction.atomic():
            KnowledgeEntry.objects.filter(pk__in=stale).update(status=EntryStatus.WITHDRAWN, updated_at=now)
            search.remove_from_index(stale)
            audit.record(
                "knowledge.entry.withdrawn_by_sync",
                object_type="knowledge.KnowledgeEntry",
                detail={"count": len(stale)},
            )
        report.withdrawn = len(stale)
    return report


def propose_from_tickets(*, since: datetime | None = None, limit: int = 500) -> int:
    """从工单提炼 Draft entries from answered tickets not proposed before (an editor reviews them)."""
    proposed = 0
    tickets = answered_tickets(since=since, limit=limit)
    keys = [f"ticket:{ticket.public_id}" for ticket in tickets]
    seen = set(KnowledgeEntry.objects.filter(source_key__in=keys).values_list("source_key", flat=True))
    for ticket, key in zip(tickets, keys, strict=True):
        if key in seen or not (ticket.answer or "").strip():
            continue
        with transaction.atomic():
            entry = KnowledgeEntry(
                kind=EntryKind.TICKET,
                status=EntryStatus.DRAFT,
                title=(ticket.title or ticket.question or "")[:200] or "工单答复",
                answer=ticket.answer.strip()[:10000],
                category=str(ticket.category or "")[:40],
                source_key=key,
            )
            search.refresh(entry, extra=[ticket.question or ""])
            entry.save()
            audit.record("knowledge.entry.proposed", obj=entry, detail={"ticket": str(ticket.public_id)})
        proposed += 1
    return proposed


def sync_all() -> SyncReport:
    report = sync_guides()
    report.proposed = propose_from_tickets()
    return report
