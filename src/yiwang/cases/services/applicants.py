"""Who may apply, and act on a filed case (申请人与代办人).

Shared by filing, correction, withdrawal, 容缺 supply, delivery changes and bundle applications.
"""

from __future__ import annotations

from typing import Any

from yiwang.accounts.models import AccountKind, User
from yiwang.accounts.services import check_agent_may_act, require_assurance
from yiwang.cases import intake
from yiwang.cases.errors import CaseErrorCode
from yiwang.cases.models import Case
from yiwang.catalog.models import ServiceItem
from yiwang.core.errors import DomainError, NotFound, PermissionDenied

# Which applicant kinds each 服务对象 code admits.
APPLICANT_OBJECTS: dict[str, set[str]] = {AccountKind.NATURAL: {"1"}, AccountKind.LEGAL: {"2", "3", "4", "6"}}


def check_assurance_level(user: User, item: ServiceItem, action: str, next_url: str = "") -> None:
    """实名等级: every applicant action needs the item's level (the acting agent's own, too)."""
    require_assurance(user, item.required_assurance_level, action=action, obj=item, next_url=next_url)


def check_applicant(
    applicant: User, item: ServiceItem, acting_agent: User | None = None, *, in_person: bool = False
) -> None:
    """May ``applicant`` (through ``acting_agent``) apply for ``item``?  ``in_person``: a window
    clerk checked the identity document, which stands in for the online assurance level (实名等级)."""
    if applicant.kind == AccountKind.STAFF:
        raise PermissionDenied("工作人员账户不能作为申请人提交申请")
    if acting_agent is not None:
        if applicant.kind == AccountKind.LEGAL:
            check_agent_may_act(acting_agent, applicant, item)
        elif applicant.kind != AccountKind.NATURAL or not intake.may_act_for_person(
            acting_agent, applicant, item
        ):
            raise PermissionDenied(
                "只能以法人名义或持有效代办授权代办", code=CaseErrorCode.APPLICANT_TYPE_NOT_SERVED
            )
        check_assurance_level(acting_agent, item, "apply", f"/items/{item.public_id}/apply/")
    if not in_person:
        check_assurance_level(applicant, item, "apply", f"/items/{item.public_id}/apply/")
    accepted_objects = APPLICANT_OBJECTS.get(applicant.kind, set())
    if item.service_objects and not accepted_objects.intersection(item.service_objects):
        raise DomainError(
            CaseErrorCode.APPLICANT_TYPE_NOT_SERVED,
            "该事项的服务对象不包括您的账户类型",
            {"applicant": [applicant.get_kind_display()]},
            status=403,
        )


def check_case_party(case: Case, user: User) -> dict[str, Any]:
    """The applicant, or the agent who filed the case in a company's name while still authorised
    (代办); anyone else is told the case does not exist.  Returns what the event records about
    whom an agent acted for."""
    if case.applicant_id == user.pk:
        return {}
    if case.acting_agent_id is not None and case.acting_agent_id == user.pk:
        if case.applicant.kind == AccountKind.LEGAL:
            check_agent_may_act(user, case.applicant, case.item)
        elif not intake.may_act_for_person(user, case.applicant, case.item):
            raise NotFound("办件不存在")
        return {"acting_agent_id": user.pk, "acting_for": case.applicant_id_number}
    raise NotFound("办件不存在")
