"""Who may manage the catalogue: the 事项管理员 (service_manager) role and its region.

``actor=None`` means the system itself (demo loader, imports, the scheduler) and is always allowed.
Any other actor must be a staff member holding the service_manager role whose organisation's region
covers the region in question.  Every catalogue service (items, base items, scenarios, bundles,
synonyms) asks here, so the rule is written once; :mod:`yiwang.catalog.actions` builds on it to tell
a page which actions a user may take on one item.
"""

from __future__ import annotations

from typing import Any

from yiwang.accounts.models import AccountKind, StaffRole, StaffRoleAssignment, User
from yiwang.catalog.consistency import REGION_PREFIX_LENGTH
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.core.errors import PermissionDenied
from yiwang.core.models import Organisation, Region


def region_covers(scope: Region, region: Region) -> bool:
    """True when ``region`` is ``scope`` or lies inside it (prefix of the 12-digit code)."""
    length = REGION_PREFIX_LENGTH.get(scope.level, 12)
    return region.full_code.startswith(scope.full_code[:length])


def is_service_manager(user: Any) -> bool:
    """事项管理员: an active staff account holding the service_manager role."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", None) != AccountKind.STAFF:
        return False
    return StaffRoleAssignment.objects.filter(staff__user=user, role=StaffRole.SERVICE_MANAGER).exists()


def can_manage_region(user: Any, region: Region) -> bool:
    """A service manager acts for the region of his organisation and everything below it."""
    if not is_service_manager(user):
        return False
    organisation = Organisation.objects.select_related("region").filter(staff__user=user).first()
    return organisation is not None and region_covers(organisation.region, region)


def require_service_manager(actor: Any) -> None:
    """Refuse unless ``actor`` is the system (None) or holds the service_manager role (any region)."""
    if actor is None:
        return
    if not is_service_manager(actor):
        raise PermissionDenied("需要事项管理员角色", code=CatalogErrorCode.ROLE_REQUIRED)


def require_manager(actor: User | None, region: Region) -> None:
    """Refuse unless ``actor`` is the system (None) or a service manager covering ``region``."""
    require_service_manager(actor)
    if actor is not None and not can_manage_region(actor, region):
        raise PermissionDenied("该事项不在您的管理范围内", code=CatalogErrorCode.NOT_IN_SCOPE)


def require_base_manager(actor: User | None, defining_region: Region | None) -> None:
    """Base items: the system, or a service manager whose region covers the defining region."""
    if actor is None:
        return
    if defining_region is None:
        require_service_manager(actor)
        raise PermissionDenied("国家级基本目录只能由系统导入", code=CatalogErrorCode.NOT_IN_SCOPE)
    require_manager(actor, defining_region)
