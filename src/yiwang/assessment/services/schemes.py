"""Editing, publishing, retiring and versioning schemes (supervisors only, each audited)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.assessment import actions
from yiwang.assessment.errors import AssessmentErrorCode as Code
from yiwang.assessment.models import (
    AssessmentScheme,
    Direction,
    Indicator,
    MissingPolicy,
    PeriodKind,
    SchemeStatus,
    ScoringMethod,
    UnitLevel,
)
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError, NotFound
from yiwang.metrics import sources

HUNDRED = Decimal(100)


@dataclass
class IndicatorData:
    source: str
    weight: Decimal | str | float | int
    method: str = ScoringMethod.LINEAR
    label: str = ""
    direction: str = Direction.SOURCE
    floor: float | None = None
    target: float | None = None
    threshold: float | None = None
    cap: int = 100
    missing: str = MissingPolicy.ZERO


@dataclass
class SchemeData:
    name: str
    level: str = UnitLevel.DEPARTMENT
    period_kind: str = PeriodKind.QUARTER
    description: str = ""
    indicators: list[IndicatorData] | None = None


def require_supervisor(user: User) -> None:
    if not actions.is_supervisor(user):
        raise DomainError(Code.FORBIDDEN, "只有监察人员可以管理考核方案", status=403)


def _locked(scheme_id: int) -> AssessmentScheme:
    return AssessmentScheme.objects.select_for_update().select_related("owner").get(pk=scheme_id)


def _managed(user: User, scheme: AssessmentScheme) -> None:
    require_supervisor(user)
    if not actions.manages(user, scheme):
        raise NotFound("考核方案不存在", code=Code.NOT_FOUND)


def _weight(raw: Any) -> Decimal | None:
    try:
        value = Decimal(str(raw)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None
    return value if Decimal(0) < value <= HUNDRED else None


def higher_is_better(direction: str, source: sources.Source | None) -> bool:
    if direction == Direction.HIGHER:
        return True
    if direction == Direction.LOWER:
        return False
    return bool(source.higher_is_better) if source is not None else True


def validate(data: SchemeData) -> list[Indicator]:
    """The scheme's fields and indicators checked (400 ``assessment_invalid_scheme`` /
    ``assessment_unknown_source`` with ``fields``); unsaved Indicator rows in order."""
    errors: dict[str, list[str]] = {}
    if not data.name.strip() or len(data.name) > 100:
        errors["name"] = ["请填写方案名称（100 字以内）"]
    if data.level not in UnitLevel.values:
        errors["level"] = ["考核对象应为部门或地区"]
    if data.period_kind not in PeriodKind.values:
        errors["period_kind"] = ["考核周期应为月度、季度或年度"]
    rows: list[Indicator] = []
    seen: set[str] = set()
    unknown: dict[str, list[str]] = {}
    for index, item in enumerate(data.indicators or []):
        key = f"indicators.{index}"
        source = sources.get(item.source)
        if source is None:
            unknown[f"{key}.source"] = [f"未注册的指标来源：{item.source}"]
            continue
        if data.level in UnitLevel.values and data.level not in source.levels:
            errors[f"{key}.source"] = [f"指标“{source.label}”不能按此考核对象计算"]
        if item.source in seen:
            errors[f"{key}.source"] = ["同一指标只能出现一次"]
        seen.add(item.source)
        weight = _weight(item.weight)
        if weight is None:
            errors[f"{key}.weight"] = ["权重应大于 0 且不超过 100"]
        if item.method not in ScoringMethod.values:
            errors[f"{key}.method"] = ["未知的计分方法"]
        if item.direction not in Direction.values:
            errors[f"{key}.direction"] = ["未知的方向"]
        if item.missing not in MissingPolicy.values:
            errors[f"{key}.missing"] = ["未知的缺失值处理方式"]
        if not 1 <= int(item.cap) <= 200:
            errors[f"{key}.cap"] = ["得分上限应在 1% 到 200% 之间"]
        better = higher_is_better(item.direction, source)
        if item.method == ScoringMethod.LINEAR:
            if item.floor is None or item.target is None:
                errors[f"{key}.target"] = ["线性计分需要下限值和目标值"]
            elif (item.target <= item.floor) if better else (item.target >= item.floor):
                errors[f"{key}.target"] = [
                    "目标值应高于下限值" if better else "越低越好的指标，目标值应低于下限值"
                ]
        if item.method == ScoringMethod.THRESHOLD and item.threshold is None:
            errors[f"{key}.threshold"] = ["达标计分需要达标值"]
        rows.append(
            Indicator(
                position=index,
                source=item.source,
                label=(item.label or str(source.label))[:100],
                weight=weight or Decimal(0),
                method=item.method,
                direction=item.direction,
                floor=item.floor,
                target=item.target,
                threshold=item.threshold,
                cap=int(item.cap),
                missing=item.missing,
            )
        )
    if unknown:
        raise DomainError(Code.UNKNOWN_SOURCE, "考核指标引用了未注册的指标来源", {**unknown, **errors})
    if errors:
        raise DomainError(Code.INVALID_SCHEME, "考核方案有误，请按提示修改", errors)
    return rows


def check_weights(weights: list[Decimal]) -> None:
    total = sum(weights, Decimal(0))
    if total != HUNDRED:
        raise DomainError(
            Code.WEIGHTS, f"各指标权重之和应为 100，现为 {total.normalize():f}", {"weights": [f"{total}"]}
        )


def create_scheme(user: User, data: SchemeData) -> AssessmentScheme:
    require_supervisor(user)
    rows = validate(data)
    with transaction.atomic():
        scheme = AssessmentScheme.objects.create(
            name=data.name.strip(),
            description=data.description,
            level=data.level,
            period_kind=data.period_kind,
            owner=user.staff_profile.organisation,
            created_by=user,
        )
        for row in rows:
            row.scheme = scheme
        Indicator.objects.bulk_create(rows)
        audit.record("assessment.scheme_created", actor=user, obj=scheme, detail={"name": scheme.name})
    return scheme


def update_scheme(
    user: User, scheme: AssessmentScheme, data: SchemeData, lock_version: int | None = None
) -> AssessmentScheme:
    """Replace a draft's fields and indicators (409 once it is published)."""
    _managed(user, scheme)
    rows = validate(data)
    with transaction.atomic():
        scheme = _locked(scheme.pk)
        if scheme.status != SchemeStatus.DRAFT:
            raise Conflict("只能修改草稿状态的考核方案", code=Code.NOT_DRAFT)
        if lock_version is not None and lock_version != scheme.lock_version:
            raise Conflict("考核方案已被他人修改，请刷新后重试", code=Code.STALE)
        scheme.name = data.name.strip()
        scheme.description = data.description
        scheme.level = data.level
        scheme.period_kind = data.period_kind
        scheme.lock_version += 1
        scheme.save(
            update_fields=["name", "description", "level", "period_kind", "lock_version", "updated_at"]
        )
        scheme.indicators.all().delete()
        for row in rows:
            row.scheme = scheme
        Indicator.objects.bulk_create(rows)
        audit.record(
            "assessment.scheme_updated",
            actor=user,
            obj=scheme,
            detail={"indicators": [(r.source, str(r.weight)) for r in rows]},
        )
    return scheme


def publish_scheme(user: User, scheme: AssessmentScheme) -> AssessmentScheme:
    """Publish a draft (weights must sum to 100); the family's previous published version retires."""
    _managed(user, scheme)
    with transaction.atomic():
        scheme = _locked(scheme.pk)
        if scheme.status != SchemeStatus.DRAFT:
            raise Conflict("只能发布草稿状态的考核方案", code=Code.NOT_DRAFT)
        indicators = list(scheme.indicators.all())
        if not indicators:
            raise DomainError(
                Code.INVALID_SCHEME, "考核方案至少需要一个指标", {"indicators": ["至少一个指标"]}
            )
        check_weights([i.weight for i in indicators])
        missing = [i.source for i in indicators if sources.get(i.source) is None]
        if missing:
            raise DomainError(Code.UNKNOWN_SOURCE, "考核指标引用了未注册的指标来源", {"sources": missing})
        previous = list(
            AssessmentScheme.objects.select_for_update()
            .filter(family=scheme.family, status=SchemeStatus.PUBLISHED)
            .exclude(pk=scheme.pk)
            .order_by("pk")
        )
        for old in previous:
            old.status = SchemeStatus.RETIRED
            old.save(update_fields=["status", "updated_at"])
        scheme.status = SchemeStatus.PUBLISHED
        scheme.published_at = timezone.now()
        scheme.lock_version += 1
        scheme.save(update_fields=["status", "published_at", "lock_version", "updated_at"])
        audit.record(
            "assessment.scheme_published",
            actor=user,
            obj=scheme,
            detail={"version": scheme.version, "retired": [str(o.public_id) for o in previous]},
        )
    return scheme


def retire_scheme(user: User, scheme: AssessmentScheme) -> AssessmentScheme:
    _managed(user, scheme)
    with transaction.atomic():
        scheme = _locked(scheme.pk)
        if scheme.status != SchemeStatus.PUBLISHED:
            raise Conflict("只能停用已发布的考核方案", code=Code.NOT_PUBLISHED)
        scheme.status = SchemeStatus.RETIRED
        scheme.lock_version += 1
        scheme.save(update_fields=["status", "lock_version", "updated_at"])
        audit.record("assessment.scheme_retired", actor=user, obj=scheme, detail={"version": scheme.version})
    return scheme


def new_version(user: User, scheme: AssessmentScheme) -> AssessmentScheme:
    """A draft copy of a published scheme with the next version number (the published one stays in
    use until the copy is published)."""
    _managed(user, scheme)
    with transaction.atomic():
        scheme = _locked(scheme.pk)
        if scheme.status != SchemeStatus.PUBLISHED:
            raise Conflict("只能基于已发布的考核方案建立新版本", code=Code.NOT_PUBLISHED)
        top = AssessmentScheme.objects.filter(family=scheme.family).order_by("-version").first()
        copy = AssessmentScheme.objects.create(
            family=scheme.family,
            version=(top.version if top else scheme.version) + 1,
            name=scheme.name,
            description=scheme.description,
            level=scheme.level,
            period_kind=scheme.period_kind,
            owner=scheme.owner,
            created_by=user,
        )
        rows = list(scheme.indicators.all())
        for row in rows:
            row.pk = None
            row.scheme = copy
        Indicator.objects.bulk_create(rows)
        audit.record(
            "assessment.scheme_versioned", actor=user, obj=copy, detail={"from": str(scheme.public_id)}
        )
    return copy
