"""收费规则 Setting an item's fee rules and their exemptions (事项管理员 of the implementing body)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from yiwang.accounts.models import User
from yiwang.accounts.roles import in_scope
from yiwang.catalog.models import FeeItem
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.payments.errors import PaymentErrorCode
from yiwang.payments.fees import MAX_FEN, validate_bands
from yiwang.payments.models import ApplicantType, FeeExemption, FeeRule, FeeRuleKind

MANAGER_ROLES = ("service_manager",)


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(PaymentErrorCode.INVALID_RULE, message, {field: [message]})


def _fen(value: Any, field: str, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_FEN:
        raise _invalid("金额须为不超过上限的非负整数（分）", field)
    return value


def _require_manager(actor: User | None, fee_item: FeeItem) -> None:
    if actor is None:  # the demo loader and imports
        return
    if not in_scope(actor, fee_item.item.implementing_body_id, MANAGER_ROLES):
        raise DomainError(PaymentErrorCode.ROLE_REQUIRED, "只有事项管理员可以设置收费规则", status=403)


def set_fee_rule(
    fee_item: FeeItem,
    *,
    actor: User | None,
    kind: str,
    amount_fen: int = 0,
    unit_price_fen: int = 0,
    quantity_field: str = "",
    min_fen: int | None = None,
    max_fen: int | None = None,
    bands: list[list[Any]] | None = None,
    legal_basis: str = "",
) -> FeeRule:
    """Create or replace the rule of a fee item (validated so that it can always be computed)."""
    _require_manager(actor, fee_item)
    if kind not in FeeRuleKind.values:
        raise _invalid("收费方式不正确", "kind")
    values: dict[str, Any] = {
        "kind": kind,
        "amount_fen": _fen(amount_fen, "amount_fen"),
        "unit_price_fen": _fen(unit_price_fen, "unit_price_fen"),
        "quantity_field": (quantity_field or "").strip()[:64],
        "min_fen": _fen(min_fen, "min_fen", optional=True),
        "max_fen": _fen(max_fen, "max_fen", optional=True),
        "bands": [],
        "legal_basis": (legal_basis or "").strip(),
        "active": True,
    }
    if kind in (FeeRuleKind.PER_UNIT, FeeRuleKind.BAND) and not values["quantity_field"]:
        raise _invalid("按量或分档计收须指定计量的表单字段", "quantity_field")
    if (
        values["min_fen"] is not None
        and values["max_fen"] is not None
        and values["min_fen"] > values["max_fen"]
    ):
        raise _invalid("最低金额不能高于最高金额", "min_fen")
    if kind == FeeRuleKind.BAND:
        try:
            values["bands"] = validate_bands(bands)
        except ValueError as exc:
            raise _invalid(f"分档不正确：{exc}", "bands") from exc
    with transaction.atomic():
        rule, created = FeeRule.objects.update_or_create(fee_item=fee_item, defaults=values)
        audit.record(
            "payments.fee_rule_set",
            actor=actor,
            obj=rule,
            detail={
                "fee_item": fee_item.pk,
                "created": created,
                **{k: v for k, v in values.items() if k != "active"},
            },
        )
    return rule


def add_exemption(
    rule: FeeRule,
    *,
    actor: User | None,
    code: str,
    name: str,
    percent: int,
    basis: str = "",
    condition_field: str = "",
    condition_value: str = "",
    applicant_type: str = "",
) -> FeeExemption:
    """A reduction (percent < 100) or exemption (100) with its basis and a condition (a form field
    equal to a value and/or an applicant type; at least one)."""
    _require_manager(actor, rule.fee_item)
    code, name = (code or "").strip(), (name or "").strip()
    if not code or len(code) > 32 or not name:
        raise _invalid("须填写减免代码和名称", "code")
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise _invalid("减免比例须为 0 到 100 的整数", "percent")
    if applicant_type not in ApplicantType.values:
        raise _invalid("申请人类型不正确", "applicant_type")
    if not condition_field and not applicant_type:
        raise _invalid("须设置减免条件", "condition_field")
    with transaction.atomic():
        exemption, _ = FeeExemption.objects.update_or_create(
            rule=rule,
            code=code,
            defaults={
                "name": name[:200],
                "percent": percent,
                "basis": (basis or "").strip(),
                "condition_field": (condition_field or "").strip()[:64],
                "condition_value": (condition_value or "").strip()[:200],
                "applicant_type": applicant_type,
            },
        )
        audit.record(
            "payments.fee_exemption_set", actor=actor, obj=rule, detail={"code": code, "percent": percent}
        )
    return exemption
