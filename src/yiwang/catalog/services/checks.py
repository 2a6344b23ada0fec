"""Checks of a whole draft before it is saved, submitted or published.

:func:`validate_item` derives the implementation code and checks formats, code tables and the
model's own rules; :func:`check_publishable` the fields a published guide needs;
:func:`check_consistent` 四级四同 against the base item; :func:`check_code_frozen` that a published
item keeps its code.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError

from yiwang.accounts.models import AssuranceLevel
from yiwang.catalog import coding
from yiwang.catalog.coding import make_implementation_code, normalise_base_code
from yiwang.catalog.consistency import Violation, item_violations
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import (
    CaseKind,
    CodeKind,
    ExerciseLevel,
    ItemType,
    ServiceItem,
    TongbanRange,
)
from yiwang.catalog.services.validation import CODE_FIELDS
from yiwang.core.errors import Conflict, DomainError

NOT_MODEL_CLEANED = [
    "implementation_code",
    "handling_forms",
    "online_depth",
    "service_objects",
    "form_fields",
    "form_definition",
    "faq",
    "special_procedures",
    "base_item",
    "revision_of",
    "submitted_by",
    "reviewed_by",
]


def owner_public_id(item: ServiceItem) -> uuid.UUID:
    """The canonical item a code belongs to (a revision's code belongs to the item it revises)."""
    if item.revision_of_id is not None:
        return item.revision_of.public_id  # type: ignore[union-attr]
    return item.public_id


def validate_item(item: ServiceItem) -> None:
    """Check a draft: code formats, committed ≤ statutory, code tables, then the model's own rules."""
    item.base_code = normalise_base_code(item.base_code)
    if item.exercise_level not in ExerciseLevel.values:
        raise DomainError(
            CatalogErrorCode.INVALID_LEVEL, "行使层级不正确", {"exercise_level": ["应为1至7之间的层级代码"]}
        )
    item.implementation_code = make_implementation_code(
        item.implementing_body.credit_code, item.exercise_level, item.base_code
    )
    statutory, committed = item.statutory_limit_days, item.committed_limit_days
    if isinstance(statutory, int) and isinstance(committed, int) and committed > statutory:
        raise DomainError(
            CatalogErrorCode.COMMITTED_EXCEEDS_STATUTORY,
            "承诺办结时限不得超过法定办结时限",
            {"committed_limit_days": [f"不得超过法定时限 {statutory} 个工作日"]},
        )
    live = ServiceItem.objects.filter(implementation_code=item.implementation_code, revision_of__isnull=True)
    live = live.exclude(pk=item.revision_of_id if item.revision_of_id else item.pk)
    if live.exists():
        raise Conflict(
            "该实施编码已存在",
            code=CatalogErrorCode.DUPLICATE_IMPLEMENTATION_CODE,
            fields={"base_code": [f"实施编码 {item.implementation_code} 已被使用"]},
        )
    coding.ensure_code_available(CodeKind.IMPLEMENTATION, item.implementation_code, owner_public_id(item))
    errors: dict[str, list[str]] = {}
    if item.item_type not in ItemType.values:
        errors["item_type"] = ["事项类型不在代码表内"]
    if item.case_kind not in CaseKind.values:
        errors["case_kind"] = ["办件类型不在代码表内"]
    if item.tongban_range not in TongbanRange.values:
        errors["tongban_range"] = ["通办范围不在代码表内"]
    if item.required_assurance_level not in (
        AssuranceLevel.PRIMARY,
        AssuranceLevel.INTERMEDIATE,
        AssuranceLevel.ADVANCED,
    ):
        errors["required_assurance_level"] = ["应为1（初级）、2（中级）或3（高级）"]
    if item.fee_required and not item.fee_description:
        errors["fee_description"] = ["收费事项须写明收费标准"]
    try:
        # Code lists and the form are checked above (an empty list is legitimate, e.g. no online step).
        item.full_clean(exclude=NOT_MODEL_CLEANED, validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(str(message) for message in messages)
    if errors:
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "事项信息不完整或有误", errors)


def check_publishable(item: ServiceItem) -> None:
    errors: dict[str, list[str]] = {}
    if not item.handling_forms:
        errors["handling_forms"] = ["请至少选择一种办理形式"]
    if not item.service_objects:
        errors["service_objects"] = ["请至少选择一类服务对象"]
    if not item.legal_basis:
        errors["legal_basis"] = ["请填写设定依据"]
    if errors:
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "事项信息不完整，不能发布", errors)


def violation_fields(violations: Sequence[Violation]) -> dict[str, list[str]]:
    """The ``fields`` of an ``inconsistent_with_base`` error: one reason per field."""
    fields: dict[str, list[str]] = {}
    for violation in violations:
        fields.setdefault(violation.field, []).append(
            f"{violation.field_label}应为“{violation.expected}”，实为“{violation.actual}”"
        )
    return fields


def check_consistent(item: ServiceItem) -> None:
    """四级四同: refuse (``inconsistent_with_base``) an item that differs from its base item."""
    violations = item_violations(item)
    if violations:
        raise DomainError(
            CatalogErrorCode.INCONSISTENT_WITH_BASE,
            "事项与基本目录不一致（四级四同），不能提交或发布："
            + "；".join(f"{v.field_label}应为“{v.expected[:40]}”" for v in violations),
            violation_fields(violations),
            status=409,
        )


def ever_published(item: ServiceItem) -> bool:
    return item.revision_of_id is not None or item.version > 0


def check_code_frozen(item: ServiceItem, fields: Mapping[str, Any]) -> None:
    """Once published, an item's code (base code, level, body) is its identity and cannot change."""
    if not ever_published(item):
        return
    changed = [
        field
        for field in CODE_FIELDS
        if field in fields
        and (normalise_base_code(fields[field]) if field == "base_code" else str(fields[field]))
        != getattr(item, field)
    ]
    if changed:
        raise Conflict(
            "已发布过的事项不能修改编码要素（基本编码、行使层级）",
            code=CatalogErrorCode.CODE_FROZEN,
            fields={field: ["已发布过的事项编码不可修改"] for field in changed},
        )
