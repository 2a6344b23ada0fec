"""``GET /api/v1/workbench/cases/{case_id}/actions``: what the caller may do on a case, read only.

The same answer the workbench page builds its forms from (:func:`yiwang.cases.actions.allowed_actions`),
so a client offers exactly what the services will accept.
"""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from yiwang.accounts.models import User
from yiwang.accounts.services import staff_roles
from yiwang.cases.actions import CaseAction, allowed_actions
from yiwang.cases.services import get_case_for
from yiwang.core.errors import PermissionDenied

router = Router(tags=["workbench"])


class CaseActionsOut(Schema):
    actions: list[CaseAction] = Field(
        description="the actions the caller may take on the case in its current state, sorted"
    )


@router.get(
    "/cases/{case_id}/actions",
    response=CaseActionsOut,
    summary="What I may do on a case (allowed actions)",
)
def case_actions(request: HttpRequest, case_id: UUID) -> CaseActionsOut:
    user: User = request.user  # type: ignore[assignment]
    if not staff_roles(user):
        raise PermissionDenied("仅工作人员可访问工作台")
    case = get_case_for(user, case_id)
    return CaseActionsOut(actions=sorted(allowed_actions(user, case)))
