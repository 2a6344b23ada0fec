"""Template context: the current staff member's role names (for the workbench navigation)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from yiwang.accounts.roles import roles_of
from yiwang.core.calendar import horizon_warning

CALENDAR_WATCHERS = frozenset({"admin", "service_manager"})


def staff_roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or getattr(user, "kind", "") != "staff":
        return {"staff_role_names": set()}
    roles = roles_of(user)
    context: dict[str, Any] = {"staff_role_names": roles}
    if roles & CALENDAR_WATCHERS:
        # 日历预警: from 1 October, while next year's official holiday schedule is not loaded.
        context["calendar_horizon_year"] = horizon_warning()
    return context
