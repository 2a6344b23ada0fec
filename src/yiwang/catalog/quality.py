"""数据质量与统计 Data-quality checks and catalogue statistics for the service managers' workbench.

Checks (each a :class:`QualityIssue`):

* ``missing`` — a field the guide needs is empty (conditions, process, place, consultation phone,
  handling forms, service objects, legal basis; the result name for 行政许可);
* ``invalid_code`` — the base code breaks the charset, or the implementation code is not what the
  coding scheme gives for the body's credit code, the level and the base code;
* ``legal_basis_link`` — the legal-basis link is empty for an administrative-power item (types 01–10)
  or is not an http(s) URL;
* ``stale`` — a published item not reviewed (or published) for more than 365 days.

Everything is computed from one ``values()`` query over the items in scope.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from yiwang.catalog.coding import BASE_CODE_RE, implementation_code_matches
from yiwang.catalog.consistency import items_in_region
from yiwang.catalog.models import FULL_ONLINE_STEPS, ItemStatus, ItemType
from yiwang.core.models import Region

STALE_AFTER_DAYS = 365
POWER_ITEM_TYPES = frozenset(code for code in ItemType.values if code != ItemType.PUBLIC_SERVICE)
REQUIRED_TEXT = {
    "legal_basis": "设定依据",
    "conditions": "受理条件",
    "process_description": "办理流程",
    "place": "办理地点",
    "consult_phone": "咨询电话",
}
REQUIRED_LISTS = {"handling_forms": "办理形式", "service_objects": "服务对象"}
KIND_LABELS = {
    "missing": "必填信息缺失",
    "invalid_code": "编码不合规",
    "legal_basis_link": "设定依据链接有误",
    "stale": "长期未审核",
}
_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class QualityIssue:
    item_public_id: str
    item_name: str
    body_name: str
    status: str
    kind: str
    field: str
    message: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def _valid_url(value: str) -> bool:
    try:
        _url(value)
    except ValidationError:
        return False
    return True


def quality_issues(region: Region | None = None, *, now: datetime | None = None) -> list[QualityIssue]:
    """数据质量检查 Every issue of the live items (revision drafts excluded) in ``region`` and below."""
    moment = now or timezone.now()
    stale_before = moment - timedelta(days=STALE_AFTER_DAYS)
    rows = (
        items_in_region(region)
        .filter(revision_of__isnull=True)
        .order_by("implementing_body__name", "name", "pk")
        .values(
            "public_id",
            "name",
            "status",
            "item_type",
            "base_code",
            "exercise_level",
            "implementation_code",
            "implementing_body__name",
            "implementing_body__credit_code",
            "legal_basis_url",
            "result_name",
            "reviewed_at",
            "published_at",
            *REQUIRED_TEXT,
            *REQUIRED_LISTS,
        )
    )
    issues: list[QualityIssue] = []
    for row in rows.iterator(chunk_size=2000):

        def issue(kind: str, field: str, message: str, row: dict[str, Any] = row) -> None:
            issues.append(
                QualityIssue(
                    item_public_id=str(row["public_id"]),
                    item_name=row["name"],
                    body_name=row["implementing_body__name"],
                    status=row["status"],
                    kind=kind,
                    field=field,
                    message=message,
                )
            )

        for field, label in REQUIRED_TEXT.items():
            if not (row[field] or "").strip():
                issue("missing", field, f"{label}未填写")
        for field, label in REQUIRED_LISTS.items():
            if not row[field]:
                issue("missing", field, f"{label}未选择")
        if row["item_type"] == ItemType.LICENSING and not row["result_name"]:
            issue("missing", "result_name", "行政许可事项须填写审批结果名称")
        if not BASE_CODE_RE.match(row["base_code"] or ""):
            issue("invalid_code", "base_code", f"基本编码“{row['base_code']}”不符合编码规则")
        elif not implementation_code_matches(
            row["implementation_code"],
            row["implementing_body__credit_code"],
            row["exercise_level"],
            row["base_code"],
        ):
            issue(
                "invalid_code", "implementation_code", f"实施编码“{row['implementation_code']}”与编码规则不符"
            )
        url = (row["legal_basis_url"] or "").strip()
        if url and not _valid_url(url):
            issue("legal_basis_link", "legal_basis_url", f"设定依据链接“{url[:80]}”格式不正确")
        elif not url and row["item_type"] in POWER_ITEM_TYPES:
            issue("legal_basis_link", "legal_basis_url", "行政权力事项须提供设定依据链接")
        if row["status"] == ItemStatus.PUBLISHED:
            last = max((d for d in (row["reviewed_at"], row["published_at"]) if d is not None), default=None)
            if last is None or last < stale_before:
                issue("stale", "reviewed_at", f"超过 {STALE_AFTER_DAYS} 天未审核")
    return issues


DEPTH_LABELS = {"full": "全程网办", "partial": "部分网办", "none": "不可网办"}


def depth_class(online_depth: list[str]) -> str:
    """网办深度分档: 全程网办 (steps 2–7 online), 部分网办 (any online step beyond 咨询), 不可网办."""
    steps = set(online_depth or [])
    if FULL_ONLINE_STEPS.issubset(steps):
        return "full"
    if steps - {"1"}:
        return "partial"
    return "none"


def catalogue_statistics(region: Region | None = None) -> dict[str, Any]:
    """事项统计 Published items by department, by item type and by online depth (one query)."""
    rows = (
        items_in_region(region)
        .filter(status=ItemStatus.PUBLISHED, revision_of__isnull=True)
        .values_list("implementing_body__name", "item_type", "online_depth")
    )
    by_body: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    by_depth: Counter[str] = Counter()
    for body, item_type, depth in rows:
        by_body[body] += 1
        by_type[item_type] += 1
        by_depth[depth_class(depth)] += 1
    type_labels = dict(ItemType.choices)
    return {
        "total": sum(by_body.values()),
        "by_department": [{"label": name, "count": count} for name, count in by_body.most_common()],
        "by_type": [
            {"code": code, "label": str(type_labels.get(code, code)), "count": count}
            for code, count in sorted(by_type.items())
        ],
        "by_depth": [
            {"code": code, "label": label, "count": by_depth.get(code, 0)}
            for code, label in DEPTH_LABELS.items()
        ],
    }
