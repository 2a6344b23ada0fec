"""数据集上报 Incremental export of case data as GB/T 39046 datasets for an upper-level platform.

Five datasets come out of the immutable case events: 申请 (``application``), 受理 (``acceptance``,
including 不予受理), 办理过程 (``process``, every event), 特别程序 (``special_procedure``) and 办结
(``completion``).  Record fields carry the standard's Chinese data item names (GB/T 39046 §5.2:
a data item is named by its Chinese name); code values follow its Appendix A (办理形式, 办件类型,
事项类型, 特别程序种类).

Incremental: each target platform has a cursor ``(occurred_at, event id)``; an export takes the
events after the cursor, ordered by that pair (the id breaks ties between events of the same
instant), and moves the cursor to the last one.  Events younger than ``YIWANG_EXPORT_LAG_SECONDS``
(default 5) wait for the next export, so a transaction that committed a little late is not skipped.
Every export is recorded (who, when, counts, SM3 and SHA-256 of the JSON).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from yiwang.accounts import staff as staff_scope
from yiwang.accounts.models import User
from yiwang.cases.archive import canonical_json as canonical_json
from yiwang.cases.errors import CaseErrorCode
from yiwang.cases.models import (
    Case,
    CaseEvent,
    CaseEventType,
    CaseMaterial,
    CaseOutcome,
    CaseStatus,
    DatasetExport,
    DatasetExportCursor,
)
from yiwang.core import audit
from yiwang.core.crypto import sm3_hex
from yiwang.core.errors import DomainError, PermissionDenied

EXPORT_ROLE = "data_official"
DATASETS = ("application", "acceptance", "process", "special_procedure", "completion")
DATASET_NAMES = {
    "application": "申请",
    "acceptance": "受理",
    "process": "办理过程",
    "special_procedure": "特别程序",
    "completion": "办结",
}
TARGET_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
DEFAULT_LIMIT = 10_000

# 办理形式 (Appendix A): 1 窗口, 2 电脑端网办, 3 移动端, 4 快递, 9 其他.
HANDLING_FORM = {"window": "1", "web": "2", "mobile": "3"}
APPLICANT_ID_TYPES = {
    "居民身份证": "111",
    "身份证": "111",
    "统一社会信用代码": "001",
}  # GA/T 2000.156 常用证件代码
ACCEPTANCE_EVENTS = {CaseEventType.ACCEPTED.value, CaseEventType.NOT_ACCEPTED.value}
# 特别程序 events by value (the variants module records them): type → (种类, 开始/结束).
SPECIAL_EVENTS: dict[str, tuple[str, str]] = {
    "special_procedure_started": ("2", "开始"),
    "special_procedure_ended": ("2", "结束"),
    "extension_requested": ("1", "开始"),
    "extension_approved": ("1", "结束"),
    "extended": ("1", "结束"),
}
COMPLETION_EVENTS = {
    CaseEventType.COMPLETED.value,
    CaseEventType.NOT_ACCEPTED.value,
    CaseEventType.WITHDRAWN.value,
    CaseEventType.TERMINATED.value,
    CaseEventType.CORRECTION_TIMED_OUT.value,
}
EVENT_LABELS = dict(CaseEventType.choices)


def _ts(value: Any) -> str | None:
    """GB/T 7408 extended local time: ``YYYY-MM-DDThh:mm:ss+08:00``."""
    if value is None:
        return None
    return str(timezone.localtime(value).isoformat(timespec="seconds"))


def _common(case: Case) -> dict[str, Any]:
    item = case.item
    organisation = case.handling_organisation
    return {
        "办件编号": case.number,
        "事项名称": item.name,
        "实施编码": item.implementation_code,
        "基本编码": item.base_code,
        "事项类型": item.item_type,
        "实施主体名称": organisation.name,
        "实施主体统一社会信用代码": organisation.credit_code,
    }


def application_record(case: Case, materials: list[CaseMaterial]) -> dict[str, Any]:
    return {
        **_common(case),
        "办件类型": case.item.case_kind,
        "申请人名称": case.applicant_name,
        "申请人证件类型": APPLICANT_ID_TYPES.get(case.applicant_id_type, "999"),
        "申请人证件号码": case.applicant_id_number,
        "申请时间": _ts(case.submitted_at),
        "办理形式": HANDLING_FORM.get(case.channel, "9"),
        "事项版本": case.item_version,
        "申请材料": [
            {
                "材料名称": m.material_name,
                "文件名称": m.original_name,
                "文件摘要SHA256": m.sha256,
                "补正轮次": m.correction_round,
            }
            for m in materials
            if m.correction_round == 0
        ],
    }


def acceptance_record(case: Case, event: CaseEvent) -> dict[str, Any]:
    accepted = event.event_type == CaseEventType.ACCEPTED
    return {
        **_common(case),
        "受理结果": "受理" if accepted else "不予受理",
        "受理部门名称": case.handling_organisation.name,
        "受理人": event.actor_label,
        "受理时间": _ts(event.occurred_at),
        "承诺办结时间": (event.data or {}).get("due_date") if accepted else None,
        "法定办结时间": (event.data or {}).get("statutory_due_date") if accepted else None,
        "不予受理原因": "" if accepted else event.comment,
    }


def process_record(case: Case, event: CaseEvent) -> dict[str, Any]:
    return {
        "办件编号": case.number,
        "实施编码": case.item.implementation_code,
        "环节序号": event.sequence,
        "环节名称": str(EVENT_LABELS.get(event.event_type, event.event_type)),
        "环节代码": event.event_type,
        "办理前状态": event.from_status,
        "办理后状态": event.to_status,
        "办理人": event.actor_label,
        "办理部门": case.handling_organisation.name,
        "办理时间": _ts(event.occurred_at),
        "办理意见": event.comment,
        "办理渠道": event.channel,
    }


def special_procedure_record(case: Case, event: CaseEvent) -> dict[str, Any]:
    kind, phase = SPECIAL_EVENTS[event.event_type]
    data = event.data or {}
    return {
        "办件编号": case.number,
        "实施编码": case.item.implementation_code,
        "特别程序种类": kind,
        "特别程序名称": str(
            data.get("name") or data.get("kind_label") or EVENT_LABELS.get(event.event_type, "")
        ),
        "特别程序阶段": phase,
        "特别程序开始时间": _ts(event.occurred_at) if phase == "开始" else data.get("started_at"),
        "特别程序结束时间": _ts(event.occurred_at) if phase == "结束" else None,
        "特别程序原因": str(data.get("reason") or event.comment),
        "特别程序结果": str(data.get("result") or "") if phase == "结束" else "",
        "特别程序时限": data.get("days"),
        "审批人": event.actor_label,
    }


def _completion_state(case: Case, event: CaseEvent) -> str:
    """办结类型 as the e-supervision feeds name it: 出证 (granted), 退回 (refused), 作废 (abandoned)."""
    if event.event_type == CaseEventType.COMPLETED:
        return "出证" if (event.data or {}).get("outcome") == CaseOutcome.APPROVED else "退回"
    if event.event_type == CaseEventType.NOT_ACCEPTED:
        return "退回"
    return "作废"


def completion_record(case: Case, event: CaseEvent) -> dict[str, Any]:
    closed_on = timezone.localdate(event.occurred_at)
    return {
        **_common(case),
        "办结时间": _ts(event.occurred_at),
        "办结类型": _completion_state(case, event),
        "办理结果": {"approved": "准予", "refused": "不予"}.get(
            str((event.data or {}).get("outcome", "")), ""
        ),
        "办结部门名称": case.handling_organisation.name,
        "办结人": event.actor_label,
        "承诺办结时间": case.due_date.isoformat() if case.due_date else None,
        "是否超期": bool(case.due_date and closed_on > case.due_date),
        "结果文书摘要SHA256": (event.data or {}).get("result_sha256", ""),
        "办结意见": event.comment or (case.decision_comment if case.status == CaseStatus.COMPLETED else ""),
    }


# --- export --------------------------------------------------------------------------------------
def check_target(target: str) -> str:
    target = (target or "").strip().lower()
    if not TARGET_PATTERN.match(target):
        raise DomainError(
            CaseErrorCode.EXPORT_TARGET_INVALID,
            "上报目标只能由小写字母、数字、“-”和“_”组成（1–50 个字符）",
            {"target": ["格式不正确"]},
            status=422,
        )
    return target


def require_export_role(user: User | None) -> None:
    if user is None:  # the management command runs as the system
        return
    if EXPORT_ROLE not in staff_scope.roles_of(user):
        raise PermissionDenied("仅数据专员可导出上报数据集")


def _locked_cursor(target: str) -> DatasetExportCursor:
    try:
        with transaction.atomic():
            DatasetExportCursor.objects.get_or_create(target=target)
    except IntegrityError:
        pass  # created concurrently
    return DatasetExportCursor.objects.select_for_update().get(target=target)


def _cursor_dict(occurred_at: Any, event_id: int) -> dict[str, Any]:
    return {"occurred_at": occurred_at.isoformat() if occurred_at else None, "event_id": event_id}


def export_datasets(target: str, *, actor: User | None = None, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """Export what changed since the target's last export and move its cursor; returns the JSON."""
    require_export_role(actor)
    target = check_target(target)
    limit = max(1, min(int(limit), DEFAULT_LIMIT))
    lag = timedelta(seconds=float(getattr(settings, "YIWANG_EXPORT_LAG_SECONDS", 5)))
    with transaction.atomic():
        cursor = _locked_cursor(target)
        start = _cursor_dict(cursor.last_occurred_at, cursor.last_event_id)
        events = CaseEvent.objects.filter(occurred_at__lte=timezone.now() - lag)
        if cursor.last_occurred_at is not None:
            events = events.filter(
                Q(occurred_at__gt=cursor.last_occurred_at)
                | Q(occurred_at=cursor.last_occurred_at, pk__gt=cursor.last_event_id)
            )
        batch = list(
            events.select_related("case", "case__item", "case__handling_organisation").order_by(
                "occurred_at", "pk"
            )[:limit]
        )
        applied_case_ids = {e.case_id for e in batch if e.event_type == CaseEventType.APPLIED}
        materials: dict[int, list[CaseMaterial]] = defaultdict(list)
        for material in CaseMaterial.objects.filter(case_id__in=applied_case_ids).order_by(
            "material_name", "pk"
        ):
            materials[material.case_id].append(material)
        datasets: dict[str, list[dict[str, Any]]] = {name: [] for name in DATASETS}
        for event in batch:
            case = event.case
            if event.event_type == CaseEventType.APPLIED:
                datasets["application"].append(application_record(case, materials[case.pk]))
            if event.event_type in ACCEPTANCE_EVENTS:
                datasets["acceptance"].append(acceptance_record(case, event))
            datasets["process"].append(process_record(case, event))
            if event.event_type in SPECIAL_EVENTS:
                datasets["special_procedure"].append(special_procedure_record(case, event))
            if event.event_type in COMPLETION_EVENTS:
                datasets["completion"].append(completion_record(case, event))
        if batch:
            cursor.last_occurred_at = batch[-1].occurred_at
            cursor.last_event_id = batch[-1].pk
            cursor.save(update_fields=["last_occurred_at", "last_event_id", "updated_at"])
        end = _cursor_dict(cursor.last_occurred_at, cursor.last_event_id)
        counts = {name: len(rows) for name, rows in datasets.items()}
        export_id = uuid.uuid4()
        payload: dict[str, Any] = {
            "export_id": str(export_id),
            "standard": "GB/T 39046-2020",
            "target": target,
            "exported_at": _ts(timezone.now()),
            "from_cursor": start,
            "to_cursor": end,
            "more": len(batch) == limit,
            "dataset_names": DATASET_NAMES,
            "counts": counts,
            "datasets": datasets,
        }
        body = canonical_json(payload)
        record = DatasetExport.objects.create(
            public_id=export_id,
            target=target,
            exported_by=actor,
            counts=counts,
            record_count=sum(counts.values()),
            sha256=hashlib.sha256(body).hexdigest(),
            sm3=sm3_hex(body),
            from_cursor=start,
            to_cursor=end,
        )
        audit.record(
            "cases.datasets_exported",
            actor=actor,
            obj=record,
            detail={"target": target, "counts": counts, "sm3": record.sm3},
        )
    return payload


def event_type_counts(payload: dict[str, Any]) -> Counter[str]:
    """How many process records of each event type an export holds (for reports and tests)."""
    return Counter(row["环节代码"] for row in payload["datasets"]["process"])
