"""Who may see the federation pages and API: 系统管理员 (admin) and 数据专员 (data_official), who also
start a sync; 监察人员 (supervisor) reads only."""

from __future__ import annotations

from typing import Any

from yiwang.accounts.roles import roles_of
from yiwang.core.errors import PermissionDenied
from yiwang.federation.errors import FederationErrorCode

READ_ROLES = frozenset({"admin", "data_official", "supervisor"})
SYNC_ROLES = frozenset({"admin", "data_official"})


def may_read(user: Any) -> bool:
    return bool(roles_of(user) & READ_ROLES)


def require_read(user: Any) -> None:
    if not may_read(user):
        raise PermissionDenied(
            "仅系统管理员、数据专员和监察人员可查看省市协同数据", code=FederationErrorCode.FORBIDDEN
        )


def allowed_actions(user: Any) -> frozenset[str]:
    """``sync`` (push now) for the admin and the data officials."""
    return frozenset({"sync"}) if roles_of(user) & SYNC_ROLES else frozenset()


def require_sync(user: Any) -> None:
    if "sync" not in allowed_actions(user):
        raise PermissionDenied("仅系统管理员和数据专员可发起同步", code=FederationErrorCode.FORBIDDEN)
