"""What a user may do on a case, decided once: :func:`allowed_actions`.

The workbench and portal pages offer exactly these actions (their templates test
``"accept" in actions``, never a role name), the API exposes them read-only
(``GET /api/v1/workbench/cases/{id}/actions``) and the services keep their own checks (defence in
depth); ``cases/tests/test_allowed_actions.py`` proves the two agree.

The decision reads the user's roles *for the case's handling body* (a role held for another
department, outside the role's data scope, does not count), the case's status, its running
process, the item's flags (即办件, 告知承诺), the lifecycle variants (容缺, 特别程序, 延长) and the
delivery record.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from yiwang.accounts.staff import in_scope, roles_of
from yiwang.cases.models import (
    Case,
    CaseExtension,
    CaseStatus,
    DeliveryMethod,
    DeliveryStatus,
    ExtensionStatus,
    SpecialProcedure,
)
from yiwang.cases.process import process_of
from yiwang.catalog.models import CaseKind
from yiwang.workflow.models import ProcessInstance, ProcessStatus


class CaseAction(StrEnum):
    # staff (工作台)
    ACCEPT = "accept"  # 受理
    REFUSE = "refuse"  # 不予受理
    REQUEST_CORRECTION = "request_correction"  # 一次性告知补正
    GAP_ACCEPT = "gap_accept"  # 容缺受理
    DECIDE = "decide"  # 审批决定 (direct; with a running process the decision is its 决定 task)
    APPROVE_ON_COMMITMENT = "approve_on_commitment"  # 告知承诺审批
    VERIFY_COMMITMENT = "verify_commitment"  # 承诺核查
    REQUEST_EXTENSION = "request_extension"  # 延长申请
    DECIDE_EXTENSION = "decide_extension"  # 延长审批
    START_SPECIAL = "start_special"  # 特别程序开始
    END_SPECIAL = "end_special"  # 特别程序结束
    TERMINATE = "terminate"  # 终止
    VERIFY_MATERIAL = "verify_material"  # 核验材料 (a material at trust level C or D)
    HANDOVER = "handover"  # 送达交接
    # applicant (我的空间)
    WITHDRAW = "withdraw"  # 撤回
    SUPPLY_CORRECTION = "supply_correction"  # 补正
    SUPPLY_GAP = "supply_gap"  # 补齐容缺材料


#: The states a case can be changed in by each action (what the service locks the row in).
OPEN_STATUSES = frozenset({CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUIRED, CaseStatus.ACCEPTED})
HANDOVER_STATUSES = frozenset({CaseStatus.COMPLETED, CaseStatus.NOT_ACCEPTED})

WINDOW = "window_clerk"
HANDLER = "handler"
APPROVER = "approver"

_UNSET: Any = object()


def roles_for_case(user: Any, case: Case) -> set[str]:
    """The staff roles the user holds *for this case*: roles whose data scope covers its handling body."""
    held = roles_of(user)
    if not held:
        return set()
    organisation_id = case.handling_organisation_id
    return {role for role in held if in_scope(user, organisation_id, [role])}


def _delivery(case: Case) -> Any:
    try:
        return case.delivery  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None


def decision_blocked(case: Case, procedures: Iterable[SpecialProcedure]) -> bool:
    """容缺 material still missing, or a 特别程序 running: no decision (``variants.check_decision_allowed``)."""
    if case.gap_items and case.gap_resolved_at is None:
        return True
    return any(procedure.ended_at is None for procedure in procedures)


def allowed_actions(
    user: Any,
    case: Case,
    *,
    process: ProcessInstance | None = _UNSET,
    procedures: Iterable[SpecialProcedure] | None = None,
    extensions: Iterable[CaseExtension] | None = None,
) -> frozenset[CaseAction]:
    """Every action ``user`` may take on ``case`` in its current state.

    A page that has already loaded the case's process, special procedures or extensions passes
    them in, so nothing is read twice.
    """
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    actions: set[CaseAction] = set()
    if case.applicant_id == user.pk or (case.acting_agent_id is not None and case.acting_agent_id == user.pk):
        actions |= _applicant_actions(case)
    roles = roles_for_case(user, case)
    if roles:
        actions |= _staff_actions(user, case, roles, process, procedures, extensions)
    return frozenset(actions)


def _applicant_actions(case: Case) -> set[CaseAction]:
    actions: set[CaseAction] = set()
    if case.status in OPEN_STATUSES:
        actions.add(CaseAction.WITHDRAW)
    if case.status == CaseStatus.CORRECTION_REQUIRED:
        actions.add(CaseAction.SUPPLY_CORRECTION)
    if case.status == CaseStatus.ACCEPTED and case.gap_items and case.gap_resolved_at is None:
        actions.add(CaseAction.SUPPLY_GAP)
    return actions


def _staff_actions(
    user: Any,
    case: Case,
    roles: set[str],
    process: ProcessInstance | None,
    procedures: Iterable[SpecialProcedure] | None,
    extensions: Iterable[CaseExtension] | None,
) -> set[CaseAction]:
    actions: set[CaseAction] = set()
    status = case.status
    window, approver = WINDOW in roles, APPROVER in roles
    handling = bool(roles & {HANDLER, APPROVER})
    if status == CaseStatus.SUBMITTED and window:
        actions |= {CaseAction.ACCEPT, CaseAction.REFUSE, CaseAction.REQUEST_CORRECTION}
        if case.item.case_kind != CaseKind.INSTANT:
            actions.add(CaseAction.GAP_ACCEPT)
    if status in OPEN_STATUSES:
        if approver:
            actions.add(CaseAction.TERMINATE)
        if roles & {WINDOW, HANDLER}:
            actions.add(CaseAction.VERIFY_MATERIAL)
    if status == CaseStatus.ACCEPTED and handling:
        procedure_list = list(case.special_procedures.all() if procedures is None else procedures)
        extension_list = list(case.extensions.all() if extensions is None else extensions)
        open_procedure = any(procedure.ended_at is None for procedure in procedure_list)
        if approver and not decision_blocked(case, procedure_list):
            running = process_of(case) if process is _UNSET else process
            if not (running is not None and running.status == ProcessStatus.RUNNING):
                actions.add(CaseAction.DECIDE)
            if case.item.commitment_approval:
                actions.add(CaseAction.APPROVE_ON_COMMITMENT)
        if handling:
            actions.add(CaseAction.END_SPECIAL if open_procedure else CaseAction.START_SPECIAL)
            if not any(x.status != ExtensionStatus.REJECTED for x in extension_list):
                actions.add(CaseAction.REQUEST_EXTENSION)
        pending = next((x for x in extension_list if x.status == ExtensionStatus.PENDING), None)
        if approver and pending is not None and pending.requested_by_id != user.pk:
            actions.add(CaseAction.DECIDE_EXTENSION)
    if status == CaseStatus.COMPLETED and approver and case.commitment_based and case.verified_at is None:
        actions.add(CaseAction.VERIFY_COMMITMENT)
    if status in HANDOVER_STATUSES and window:
        delivery = _delivery(case)
        method = delivery.method if delivery is not None else case.delivery_method
        delivery_status = delivery.status if delivery is not None else ""
        if delivery_status == DeliveryStatus.DISPATCHED or (
            delivery_status != DeliveryStatus.DELIVERED and method != DeliveryMethod.ELECTRONIC
        ):
            actions.add(CaseAction.HANDOVER)
    return actions
