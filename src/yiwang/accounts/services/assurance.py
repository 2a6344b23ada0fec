"""Assurance levels (实名认证等级): the level an account has now and the refusal when it is too low."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import AssuranceLevel, User
from yiwang.accounts.refusals import record_refusal
from yiwang.core.errors import DomainError


def effective_assurance_level(user: Any) -> int:
    """The level the account has now: 高级 (advanced) holds only for a while after a face check."""
    if not getattr(user, "is_authenticated", False):
        return AssuranceLevel.ANONYMOUS
    level = int(user.assurance_level)
    if user.advanced_until and user.advanced_until > timezone.now():
        level = max(level, AssuranceLevel.ADVANCED)
    return level


def company_assurance_level(requested: int, representative: User) -> int:
    """A company the legal-person base confirms (active, represented by this person) may reach its
    representative's current level, 高级实名 included (after a face check); never below ``requested``."""
    return max(int(requested), min(effective_assurance_level(representative), AssuranceLevel.ADVANCED))


def upgrade_url(required_level: int, next_url: str = "") -> str:
    url = reverse("portal:upgrade") + f"?level={int(required_level)}"
    if next_url:
        url += "&" + urlencode({"next": next_url})
    return url


def require_assurance(
    user: User, required_level: int, *, action: str, obj: Any = None, next_url: str = ""
) -> None:
    """等级校验 Refuse (403 ``assurance_too_low``) with where to upgrade when the level is too low."""
    current = effective_assurance_level(user)
    if current >= required_level:
        return
    needed = AssuranceLevel(required_level).label
    record_refusal(
        "auth.assurance_too_low",
        actor=user,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(getattr(obj, "public_id", "") or "") if obj is not None else "",
        detail={"action": action, "required": int(required_level), "current": current},
    )
    raise DomainError(
        AccountErrorCode.ASSURANCE_TOO_LOW,
        f"该事项需要“{needed}”及以上认证等级，请先提升认证等级（到窗口核验，或在线进行银行卡、人脸核验）",
        {
            "assurance_level": [str(current)],
            "required_level": int(required_level),
            "upgrade_url": upgrade_url(required_level, next_url),
        },
        status=403,
    )
