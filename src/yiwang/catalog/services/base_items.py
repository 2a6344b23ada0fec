"""基本目录 The base catalogue: define, change and retire base items (their codes are never reused)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.catalog import coding
from yiwang.catalog.coding import normalise_base_code
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import (
    BaseItem,
    BaseItemStatus,
    CodeKind,
    ExerciseLevel,
    ItemType,
)
from yiwang.catalog.permissions import require_base_manager
from yiwang.catalog.services.validation import clean_url
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError
from yiwang.core.models import Region

BASE_ITEM_FIELDS: frozenset[str] = frozenset(
    {"name", "item_type", "legal_basis", "legal_basis_url", "exercise_level", "statutory_limit_days"}
)


def validate_base_item(base: BaseItem) -> None:
    errors: dict[str, list[str]] = {}
    if not base.name or len(base.name) > 200:
        errors["name"] = ["事项名称必填，且不超过200字"]
    if base.item_type not in ItemType.values:
        errors["item_type"] = ["事项类型不在代码表内"]
    if base.exercise_level not in ExerciseLevel.values:
        errors["exercise_level"] = ["行使层级不在代码表内"]
    if not base.legal_basis:
        errors["legal_basis"] = ["请填写设定依据"]
    if base.statutory_limit_days is not None and (
        not isinstance(base.statutory_limit_days, int) or base.statutory_limit_days < 0
    ):
        errors["statutory_limit_days"] = ["应为非负整数"]
    if errors:
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "基本目录事项信息不完整或有误", errors)


def create_base_item(
    *,
    actor: User | None,
    code: str,
    name: str,
    item_type: str,
    legal_basis: str,
    exercise_level: str,
    defining_region: Region | None = None,
    legal_basis_url: str = "",
    statutory_limit_days: int | None = None,
) -> BaseItem:
    """新增基本目录事项 Define a base item; its code is registered and can never be reused."""
    require_base_manager(actor, defining_region)
    base = BaseItem(
        code=normalise_base_code(code),
        name=name.strip(),
        item_type=str(item_type),
        legal_basis=legal_basis.strip(),
        legal_basis_url=clean_url("legal_basis_url", legal_basis_url),
        exercise_level=str(exercise_level),
        defining_region=defining_region,
        statutory_limit_days=statutory_limit_days,
    )
    validate_base_item(base)
    with transaction.atomic():
        # Codes that differ only by leading zeros give the same implementation code: one code.
        if BaseItem.objects.filter(code__in=coding.base_code_variants(base.code)).exists():
            raise Conflict(
                f"基本编码 {base.code} 已存在",
                code=CatalogErrorCode.CODE_ALREADY_USED,
                fields={"code": [f"基本编码 {base.code} 已存在"]},
            )
        coding.register_code(CodeKind.BASE, coding.padded_base_code(base.code), base.public_id)
        base.save()
        audit.record(
            "catalog.base_item.created", actor=actor, obj=base, detail={"code": base.code, "name": base.name}
        )
    return base


def update_base_item(base: BaseItem, *, actor: User | None, **fields: Any) -> BaseItem:
    """修改基本目录事项 Change a base item; implementation items that now differ show up in the report."""
    require_base_manager(actor, base.defining_region)
    unknown = set(fields) - BASE_ITEM_FIELDS
    if unknown:
        raise DomainError(
            CatalogErrorCode.UNKNOWN_FIELD,
            f"未知或不可编辑的字段：{', '.join(sorted(unknown))}",
            {field: ["不可编辑"] for field in sorted(unknown)},
        )
    with transaction.atomic():
        current = BaseItem.objects.select_for_update().get(pk=base.pk)
        for field, value in fields.items():
            if field == "legal_basis_url":
                value = clean_url(field, value)
            elif isinstance(value, str):
                value = value.strip()
            setattr(current, field, value)
        validate_base_item(current)
        current.save()
        audit.record("catalog.base_item.updated", actor=actor, obj=current, detail={"fields": sorted(fields)})
    for model_field in BaseItem._meta.concrete_fields:
        setattr(base, model_field.attname, getattr(current, model_field.attname))
    return base


def retire_base_item(base: BaseItem, *, actor: User | None, reason: str = "") -> BaseItem:
    """废止基本目录事项 Its code stays registered; published implementations are flagged in the report."""
    require_base_manager(actor, base.defining_region)
    with transaction.atomic():
        updated = BaseItem.objects.filter(pk=base.pk, status=BaseItemStatus.ACTIVE).update(
            status=BaseItemStatus.RETIRED, updated_at=timezone.now()
        )
        if not updated:
            raise Conflict("基本目录事项已废止", code=CatalogErrorCode.INVALID_TRANSITION)
        audit.record(
            "catalog.base_item.retired", actor=actor, obj=base, detail={"reason": reason.strip()[:500]}
        )
    base.status = BaseItemStatus.RETIRED
    return base


def resolve_base_item(
    actor: User | None, base_item: BaseItem | None, fields: dict[str, Any], region: Region
) -> BaseItem:
    """The base item a new implementation item derives from.

    Given explicitly, or found by ``base_code``; only the system (imports, demo) may derive a
    missing base item from the item itself.  The base item's name, code, type and legal basis fill
    the fields the caller left out (四级四同).
    """
    if base_item is None and fields.get("base_code"):
        base_item = BaseItem.objects.filter(code=normalise_base_code(fields["base_code"])).first()
    if base_item is None:
        if actor is not None:
            raise DomainError(
                CatalogErrorCode.BASE_ITEM_REQUIRED,
                "请先选择基本目录事项（实施清单须由基本目录派生）",
                {"base_item": ["请选择基本目录事项"]},
            )
        base_item = create_base_item(
            actor=None,
            code=str(fields.get("base_code", "")),
            name=str(fields.get("name", "")),
            item_type=str(fields.get("item_type", "")),
            legal_basis=str(fields.get("legal_basis", "")),
            exercise_level=(
                str(fields["exercise_level"])
                if str(fields.get("exercise_level")) in ExerciseLevel.values
                else ExerciseLevel.GRADED
            ),
            legal_basis_url=fields.get("legal_basis_url", ""),
        )
    if base_item.status != BaseItemStatus.ACTIVE:
        raise DomainError(
            CatalogErrorCode.BASE_ITEM_REQUIRED, "该基本目录事项已废止", {"base_item": ["已废止"]}
        )
    fields.setdefault("base_code", base_item.code)
    fields.setdefault("name", base_item.name)
    fields.setdefault("item_type", base_item.item_type)
    fields.setdefault("legal_basis", base_item.legal_basis)
    if base_item.legal_basis_url:
        fields.setdefault("legal_basis_url", base_item.legal_basis_url)
    return base_item
