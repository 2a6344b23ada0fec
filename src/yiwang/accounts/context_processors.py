"""Template context: the current staff member's role names (for the workbench navigation)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def staff_roles(request: HttpRequest) -> dict[str, Any]:
    from yiwang.accounts.staff import roles_of

    user = getattr(request, "user", None)
    if user is None or getattr(user, "kind", "") != "staff":
        return {"staff_role_names": set()}
    return {"staff_role_names": roles_of(user)}
