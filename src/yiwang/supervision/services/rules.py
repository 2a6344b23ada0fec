"""Rule changes: every edit writes a new immutable version, bumps the cache generation, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.catalog.models import ServiceItem
from yiwang.core import audit
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.models import Organisation, Region
from yiwang.supervision import actions, ruleset
from yiwang.supervision.errors import SupervisionErrorCode
from yiwang.supervision.models import SupervisionRule, SupervisionRuleVersion

SCOPE_FIELDS = ("scope_item", "scope_department", "scope_region")


def _write_version(rule: SupervisionRule, actor: User | None, comment: str) -> SupervisionRuleVersion:
    return SupervisionRuleVersion.objects.create(
        rule=rule,
        version=rule.version,
        name=rule.name,
        level=rule.level,
        thresholds=rule.thresholds,
        scope_item=rule.scope_item,
        scope_department=rule.scope_department,
        scope_region=rule.scope_region,
        active=rule.active,
        comment=comment[:300],
        created_by=actor,
        created_at=timezone.now(),
    )


def _require_supervisor(actor: User | None) -> None:
    if actor is not None and not actions.is_supervisor(actor):
        raise PermissionDenied("仅监察人员可维护监察规则", code=SupervisionErrorCode.FORBIDDEN)


def create_rule(
    *,
    code: str,
    kind: str,
    actor: User | None,
    name: str = "",
    thresholds: dict[str, Any] | None = None,
    scope_item: ServiceItem | None = None,
    scope_department: Organisation | None = None,
    scope_region: Region | None = None,
    active: bool = True,
) -> SupervisionRule:
    _require_supervisor(actor)
    values = ruleset.validate_thresholds(kind, thresholds)
    with transaction.atomic():
        rule = SupervisionRule.objects.create(
            code=code,
            kind=kind,
            name=(name or ruleset.DEFAULT_NAMES[kind])[:100],
            level=ruleset.KIND_SPECS[kind][0],
            thresholds=values,
            scope_item=scope_item,
            scope_department=scope_department,
            scope_region=scope_region,
            active=active,
            version=1,
        )
        _write_version(rule, actor, "created")
        ruleset.bump_generation()
        audit.record("supervision.rule.created", actor=actor, obj=rule, detail={"code": code, "kind": kind})
    return rule


def update_rule(
    rule: SupervisionRule,
    *,
    actor: User | None,
    comment: str = "",
    **changes: Any,
) -> SupervisionRule:
    """Change name, thresholds, active or scope; a new version when anything changed."""
    _require_supervisor(actor)
    allowed = {"name", "thresholds", "active", *SCOPE_FIELDS}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(
            SupervisionErrorCode.INVALID_THRESHOLDS, "不可修改的字段", {"fields": sorted(unknown)}
        )
    with transaction.atomic():
        locked = SupervisionRule.objects.select_for_update().get(pk=rule.pk)
        if "thresholds" in changes:
            changes["thresholds"] = ruleset.validate_thresholds(locked.kind, changes["thresholds"])
        if "name" in changes:
            changes["name"] = str(changes["name"] or "").strip()[:100] or locked.name
        changed = [key for key, value in changes.items() if getattr(locked, key) != value]
        if not changed:
            return locked
        for key in changed:
            setattr(locked, key, changes[key])
        locked.version += 1
        locked.save(update_fields=[*changed, "version", "updated_at"])
        _write_version(locked, actor, comment)
        ruleset.bump_generation()
        audit.record(
            "supervision.rule.updated",
            actor=actor,
            obj=locked,
            detail={"code": locked.code, "version": locked.version, "changed": sorted(changed)},
        )
    return locked


def install_defaults() -> int:
    """The default rule set (one global rule per kind); idempotent: existing codes are kept."""
    created = 0
    for kind in ruleset.KIND_SPECS:
        code = f"default-{kind.replace('_', '-')}"
        if not SupervisionRule.objects.filter(code=code).exists():
            create_rule(code=code, kind=kind, actor=None)
            created += 1
    return created
