"""Security policy (安全策略): read on every login, password change and request; edited by the
security admin only (三员分立), every change audited with its before and after values."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from yiwang.accounts.models import SecurityPolicy, StaffRole, User
from yiwang.accounts.roles import require_role
from yiwang.core import audit
from yiwang.core.errors import CoreErrorCode, DomainError

CACHE_KEY = "accounts:security-policy:v1"
CACHE_SECONDS = 60


@dataclass(frozen=True)
class Policy:
    password_min_length: int
    password_min_classes: int
    lockout_account_failures: int
    lockout_ip_failures: int
    lockout_base_seconds: int
    lockout_max_seconds: int
    session_idle_minutes: int


class PolicyIn(BaseModel):
    """The bounds keep an edit from locking everyone out or weakening below MLPS level 3."""

    model_config = ConfigDict(extra="forbid")

    password_min_length: int = Field(ge=8, le=64)
    password_min_classes: int = Field(ge=3, le=4)
    lockout_account_failures: int = Field(ge=3, le=10)
    lockout_ip_failures: int = Field(ge=5, le=1000)
    lockout_base_seconds: int = Field(ge=60, le=86400)
    lockout_max_seconds: int = Field(ge=60, le=7 * 86400)
    session_idle_minutes: int = Field(ge=5, le=30)


def _defaults() -> Policy:
    return Policy(
        password_min_length=8,
        password_min_classes=3,
        lockout_account_failures=settings.YIWANG_LOCKOUT_ACCOUNT_FAILURES,
        lockout_ip_failures=settings.YIWANG_LOCKOUT_IP_FAILURES,
        lockout_base_seconds=settings.YIWANG_LOCKOUT_BASE_SECONDS,
        lockout_max_seconds=settings.YIWANG_LOCKOUT_MAX_SECONDS,
        session_idle_minutes=max(1, settings.SESSION_COOKIE_AGE // 60),
    )


def _from_row(row: SecurityPolicy) -> Policy:
    return Policy(**{f.name: getattr(row, f.name) for f in fields(Policy)})


def current_policy() -> Policy:
    """The policy in force: the edited row, else the settings (cached briefly, cleared on edit)."""
    cached = cache.get(CACHE_KEY)
    if isinstance(cached, dict):
        return Policy(**cached)
    row = SecurityPolicy.objects.filter(pk=1).first()
    policy = _from_row(row) if row is not None else _defaults()
    cache.set(CACHE_KEY, asdict(policy), CACHE_SECONDS)
    return policy


def update_security_policy(actor: User, values: dict[str, Any]) -> Policy:
    """安全管理员 edits the policy; anyone else is refused (403 + audit)."""
    require_role(actor, StaffRole.SECURITY_ADMIN, "update_security_policy")
    try:
        checked = PolicyIn.model_validate(values)
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors():
            key = str(error["loc"][0]) if error["loc"] else "__all__"
            errors.setdefault(key, []).append(error["msg"])
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, "安全策略取值不合法", errors) from exc
    if checked.lockout_max_seconds < checked.lockout_base_seconds:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR,
            "最长锁定时间不能小于首次锁定时间",
            {"lockout_max_seconds": ["须不小于首次锁定时间"]},
        )
    before = current_policy()
    with transaction.atomic():
        row, _created = SecurityPolicy.objects.select_for_update().get_or_create(
            pk=1, defaults=asdict(before)
        )
        for name, value in checked.model_dump().items():
            setattr(row, name, value)
        row.updated_by = actor
        row.save()
        after = _from_row(row)
        changed = {
            name: {"before": getattr(before, name), "after": getattr(after, name)}
            for name in asdict(after)
            if getattr(before, name) != getattr(after, name)
        }
        audit.record("security.policy_updated", actor=actor, obj=row, detail={"changed": changed})
        transaction.on_commit(lambda: cache.delete(CACHE_KEY))
    cache.delete(CACHE_KEY)
    return after


def apply_session_timeout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """会话超时: at login the session takes the policy's idle timeout; Django renews it on every
    request (SESSION_SAVE_EVERY_REQUEST), so an edit applies from each user's next login."""
    session = getattr(request, "session", None)
    if session is None:
        return
    seconds = current_policy().session_idle_minutes * 60
    if seconds != settings.SESSION_COOKIE_AGE:
        session.set_expiry(seconds)
