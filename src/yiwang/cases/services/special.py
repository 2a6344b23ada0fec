"""特别程序 Special procedures (hearing, testing, expert review...; 行政许可法 第四十五条): the clock
stops from start to end."""

from __future__ import annotations

from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.errors import CaseErrorCode
from yiwang.cases.models import Case, CaseEventType, CaseStatus, SpecialProcedure, SpecialProcedureKind
from yiwang.cases.services.extension import HANDLING_ROLES
from yiwang.cases.transitions import require_reason, transition
from yiwang.core.calendar import working_days_between
from yiwang.core.errors import Conflict, CoreErrorCode, DomainError


def start_special_procedure(
    case: Case, *, actor: User, kind: str, reason: str, expected_version: int | None = None
) -> SpecialProcedure:
    """特别程序开始: the clock stops until the procedure ends (行政许可法 第四十五条)."""
    reason = require_reason(reason)
    if kind not in SpecialProcedureKind.values:
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, "特别程序种类不正确", {"kind": [kind]})
    with transition(
        case, {CaseStatus.ACCEPTED}, actor=actor, roles=HANDLING_ROLES, expected_version=expected_version
    ) as t:
        if t.case.special_procedures.filter(ended_at__isnull=True).exists():
            raise Conflict("已有进行中的特别程序", code=CaseErrorCode.INVALID_TRANSITION)
        procedure = SpecialProcedure.objects.create(
            case=t.case, kind=kind, reason=reason, started_at=timezone.now(), started_by=actor
        )
        t.save()
        t.record(
            CaseEventType.SPECIAL_PROCEDURE_STARTED,
            comment=reason,
            data={
                "kind": kind,
                "kind_label": str(SpecialProcedureKind(kind).label),
                "procedure": str(procedure.public_id),
            },
        )
        t.notify(CaseEventType.SPECIAL_PROCEDURE_STARTED)
    return procedure


def end_special_procedure(
    case: Case, *, actor: User, result: str, expected_version: int | None = None
) -> SpecialProcedure:
    """特别程序结束 with its result; the clock resumes and the deadlines move by the paused days."""
    result = require_reason(result, "result", "须填写特别程序结果")
    with transition(
        case, {CaseStatus.ACCEPTED}, actor=actor, roles=HANDLING_ROLES, expected_version=expected_version
    ) as t:
        procedure = t.case.special_procedures.select_for_update().filter(ended_at__isnull=True).first()
        if procedure is None:
            raise Conflict("没有进行中的特别程序", code=CaseErrorCode.INVALID_TRANSITION)
        procedure.ended_at = timezone.now()
        procedure.ended_by = actor
        procedure.result = result
        procedure.paused_working_days = max(
            0,
            working_days_between(
                timezone.localdate(procedure.started_at), timezone.localdate(procedure.ended_at)
            ),
        )
        procedure.save(update_fields=["ended_at", "ended_by", "result", "paused_working_days", "updated_at"])
        t.save()
        t.record(
            CaseEventType.SPECIAL_PROCEDURE_ENDED,
            comment=result,
            data={
                "kind": procedure.kind,
                "procedure": str(procedure.public_id),
                "paused_working_days": procedure.paused_working_days,
            },
        )
        t.notify(CaseEventType.SPECIAL_PROCEDURE_ENDED)
    return procedure
