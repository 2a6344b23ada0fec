"""Who may do what with courier orders: staff of the order's department (data scope), the applicant
the order serves.  :mod:`yiwang.logistics.actions` turns this into the offered actions."""

from __future__ import annotations

from typing import Any

from yiwang.accounts.models import AccountKind, StaffRole
from yiwang.accounts.roles import in_scope, roles_of
from yiwang.core.errors import NotFound, PermissionDenied
from yiwang.logistics.errors import LogisticsErrorCode
from yiwang.logistics.models import CourierOrder

#: Staff roles that see their departments' orders; only window clerks create, print and cancel.
VIEW_ROLES = (StaffRole.WINDOW_CLERK, StaffRole.HANDLER, StaffRole.APPROVER)
CLERK_ROLES = (StaffRole.WINDOW_CLERK,)


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.kind == AccountKind.STAFF)


def staff_may_view(user: Any, order: CourierOrder) -> bool:
    return is_staff(user) and in_scope(user, order.organisation_id, VIEW_ROLES)


def clerk_may_act(user: Any, organisation_id: int | None) -> bool:
    return is_staff(user) and in_scope(user, organisation_id, CLERK_ROLES)


def may_view(user: Any, order: CourierOrder) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if is_staff(user):
        return staff_may_view(user, order)
    return order.owner_id is not None and order.owner_id == user.pk


def require_view(user: Any, order: CourierOrder | None) -> CourierOrder:
    """The order when ``user`` may see it; 404 otherwise (no existence leak)."""
    if order is None or not may_view(user, order):
        raise NotFound("未找到该快递订单", code=LogisticsErrorCode.NOT_FOUND)
    return order


def require_clerk(user: Any, organisation_id: int | None) -> None:
    if not is_staff(user) or not roles_of(user) & set(CLERK_ROLES):
        raise PermissionDenied("仅窗口人员可办理快递", code=LogisticsErrorCode.ROLE_REQUIRED)
    if not clerk_may_act(user, organisation_id):
        raise PermissionDenied("该部门不在您的数据范围内", code=LogisticsErrorCode.ROLE_REQUIRED)


def require_waybill(user: Any, order: CourierOrder, offered: bool) -> None:
    """Printing the waybill (full addresses) is offered to window clerks of the department once the
    carrier has given the waybill number."""
    if not offered:
        raise PermissionDenied("仅本部门窗口人员可打印已下单的运单", code=LogisticsErrorCode.ROLE_REQUIRED)
