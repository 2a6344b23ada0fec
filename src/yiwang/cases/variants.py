"""Case lifecycle variants (办件变体): 即办件, 告知承诺, 容缺受理, 延长, 特别程序, 终止, 补正超期.

Same house rules as :mod:`yiwang.cases.services`: every function locks the case row, checks the
state and ``expected_version``, checks the actor's role and data scope, records an immutable event
(which recomputes the clock, :mod:`yiwang.cases.clock`) and notifies the applicant after commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.accounts.services import staff_roles
from yiwang.cases import services
from yiwang.cases.errors import CaseErrorCode
from yiwang.cases.models import (
    Case,
    CaseEventType,
    CaseExtension,
    CaseMaterial,
    CaseOutcome,
    CaseStatus,
    CorrectionNotice,
    DocumentKind,
    ExtensionStatus,
    SpecialProcedure,
    SpecialProcedureKind,
)
from yiwang.catalog.models import CaseKind
from yiwang.core.calendar import add_working_days, working_days_between
from yiwang.core.errors import Conflict, DomainError

# 行政许可法 第四十二条: 20 days extendable by 10; joint or centralised handling 45, extendable by 15.
EXTENSION_MAX_DAYS = 10
JOINT_EXTENSION_MAX_DAYS = 15
DEFAULT_GAP_DAYS = 5
HANDLING_ROLES = ("handler", "approver")


def _reason(value: str, field: str = "reason", message: str = "须说明理由") -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(CaseErrorCode.REASON_REQUIRED, message, {field: ["必填"]})
    return value


def _verification_days() -> int:
    return int(getattr(settings, "YIWANG_COMMITMENT_VERIFICATION_DAYS", 20))


# --- decision guard ------------------------------------------------------------------------------
def check_decision_allowed(case: Case) -> None:
    """No decision while 容缺 material is missing or a 特别程序 is running (409 decision_blocked)."""
    if case.gap_items and case.gap_resolved_at is None:
        raise Conflict(
            "容缺受理的材料尚未补齐，不能作出决定",
            code=CaseErrorCode.DECISION_BLOCKED,
            fields={"gap_items": [str(entry.get("name", "")) for entry in case.gap_items]},
        )
    if case.special_procedures.filter(ended_at__isnull=True).exists():
        raise Conflict(
            "特别程序尚未结束，不能作出决定",
            code=CaseErrorCode.DECISION_BLOCKED,
            fields={"special_procedure": ["进行中"]},
        )


def _finish_process(case: Case, actor: User | None, data: dict[str, Any]) -> None:
    from yiwang.cases import process
    from yiwang.workflow import services as workflow
    from yiwang.workflow.models import ProcessStatus

    instance = process.process_of(case)
    if instance is not None and instance.status == ProcessStatus.RUNNING:
        workflow.run_to_end(instance, actor=actor, data=data)


def terminate_process(case: Case, actor: User | None, reason: str) -> None:
    from yiwang.cases import process
    from yiwang.workflow import services as workflow
    from yiwang.workflow.models import ProcessStatus

    instance = process.process_of(case)
    if instance is not None and instance.status == ProcessStatus.RUNNING:
        workflow.terminate(instance, actor=actor, reason=reason)


# --- 即办件 --------------------------------------------------------------------------------------
def after_acceptance(case: Case, *, actor: User) -> Case:
    """Called by :func:`services.accept_case` inside its transaction: an instant item (即办件) is
    approved and completed at once, and its process run to the end."""
    if case.item.case_kind != CaseKind.INSTANT:
        return case
    case.refresh_from_db()
    if case.status != CaseStatus.ACCEPTED:  # 秒批 already decided it
        return case
    stored: list[str] = []
    try:
        from yiwang.cases.process import variant_finishes_process

        with variant_finishes_process():
            decided = services._decide_locked(
                case, actor, True, "即办件，受理即办结", None, stored, {"instant": True}
            )
    except BaseException:
        services._cleanup(stored)
        raise
    _finish_process(decided, actor, {"approve": True, "agree": True, "comment": "即办件当场办结"})
    return decided


# --- 容缺受理 ------------------------------------------------------------------------------------
def accept_with_gap(
    case: Case,
    *,
    actor: User,
    items: Sequence[Mapping[str, str]],
    days: int = DEFAULT_GAP_DAYS,
    comment: str = "",
    expected_version: int | None = None,
) -> Case:
    """容缺受理: accept although secondary materials are missing, listing them with a deadline
    (working days); the decision is blocked until the applicant supplies them."""
    if not items:
        raise DomainError(CaseErrorCode.CORRECTION_EMPTY, "须列明容缺的材料", {"items": ["至少一项"]})
    if not 1 <= days <= 60:
        raise DomainError("validation_error", "补齐期限应为 1–60 个工作日", {"days": [str(days)]})
    with transaction.atomic():
        locked = services._locked_case(case, {CaseStatus.SUBMITTED}, expected_version)
        services._require_staff_role(actor, locked, ["window_clerk"])
        if locked.item.case_kind == CaseKind.INSTANT:
            raise Conflict("即办件不适用容缺受理", code=CaseErrorCode.VARIANT_NOT_ALLOWED)
        materials = {str(m.public_id): m for m in locked.item.materials.all()}
        gap: list[dict[str, str]] = []
        for entry in items:
            key = str(entry.get("material_id") or "")
            if key not in materials:
                raise DomainError(
                    CaseErrorCode.UNKNOWN_MATERIAL, "容缺材料须是该事项的材料", {"items": [key]}
                )
            gap.append(
                {"material_id": key, "name": materials[key].name, "reason": str(entry.get("reason") or "")}
            )
        accepted = services.accept_case(locked, actor=actor, comment=comment)
        accepted.gap_items = gap
        accepted.gap_deadline = add_working_days(timezone.localdate(), days)
        accepted.gap_resolved_at = None
        Case.objects.filter(pk=accepted.pk).update(gap_items=gap, gap_deadline=accepted.gap_deadline)
        services._record_event(
            accepted,
            CaseEventType.GAP_ACCEPTED,
            actor=actor,
            from_status=CaseStatus.ACCEPTED,
            comment=comment,
            data={"items": gap, "deadline": accepted.gap_deadline.isoformat()},
        )
        services._notify(accepted, CaseEventType.GAP_ACCEPTED)
    return accepted


def supply_gap_materials(
    case: Case, *, applicant: User, files: Mapping[str, Sequence[UploadedFile]], comment: str = ""
) -> Case:
    """The applicant supplies the 容缺 materials; every listed material must come at once."""
    acting_for = services._check_case_party(case, applicant)
    uploads = services.check_material_uploads(case.item, files, require_mandatory=False)
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = services._locked_case(case, {CaseStatus.ACCEPTED})
            if not locked.gap_items or locked.gap_resolved_at is not None:
                raise Conflict("没有待补齐的容缺材料", code=CaseErrorCode.INVALID_TRANSITION)
            wanted = {entry["material_id"] for entry in locked.gap_items}
            supplied = {
                str(m.public_id)
                for m in locked.item.materials.filter(pk__in=[u.material_id for u in uploads])
            }
            missing = sorted(wanted - supplied)
            if missing:
                names = [entry["name"] for entry in locked.gap_items if entry["material_id"] in missing]
                raise DomainError(
                    CaseErrorCode.MISSING_MATERIALS,
                    f"容缺材料尚未上传：{'、'.join(names)}",
                    {key: ["请上传"] for key in missing},
                )
            CaseMaterial.objects.filter(
                case=locked, material_id__in=[u.material_id for u in uploads], superseded=False
            ).update(superseded=True)
            services._store_materials_tracked(locked, uploads, applicant, 0, stored)
            locked.gap_resolved_at = timezone.now()
            Case.objects.filter(pk=locked.pk).update(gap_resolved_at=locked.gap_resolved_at)
            services._save_transition(locked)
            services._record_event(
                locked,
                CaseEventType.GAP_SUPPLIED,
                actor=applicant,
                from_status=locked.status,
                comment=comment,
                data={"files": len(uploads), "late": timezone.localdate() > (locked.gap_deadline or date.max)}
                | acting_for,
            )
            services._notify(locked, CaseEventType.GAP_SUPPLIED)
    except BaseException:
        services._cleanup(stored)
        raise
    return locked


# --- 告知承诺 ------------------------------------------------------------------------------------
def approve_on_commitment(
    case: Case,
    *,
    actor: User,
    comment: str = "",
    verification_days: int | None = None,
    expected_version: int | None = None,
) -> Case:
    """告知承诺: approve on the applicant's written commitment; a verification (核查) is due within
    ``verification_days`` working days (setting ``YIWANG_COMMITMENT_VERIFICATION_DAYS``, default 20)."""
    days = verification_days if verification_days is not None else _verification_days()
    if not 1 <= days <= 250:
        raise DomainError(
            "validation_error", "核查期限应为 1–250 个工作日", {"verification_days": [str(days)]}
        )
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = services._locked_case(case, {CaseStatus.ACCEPTED}, expected_version)
            services._require_staff_role(actor, locked, ["approver"])
            if not locked.item.commitment_approval:
                raise Conflict("该事项未实行告知承诺制", code=CaseErrorCode.VARIANT_NOT_ALLOWED)
            due = add_working_days(timezone.localdate(), days)
            locked.commitment_based = True
            locked.verification_due_date = due
            Case.objects.filter(pk=locked.pk).update(commitment_based=True, verification_due_date=due)
            text = comment.strip() or "申请人书面承诺符合条件，实行告知承诺审批"
            from yiwang.cases.process import variant_finishes_process

            with variant_finishes_process():
                decided = services._decide_locked(
                    locked,
                    actor,
                    True,
                    text,
                    None,
                    stored,
                    {"commitment": True, "verification_due_date": due.isoformat()},
                )
            _finish_process(decided, actor, {"approve": True, "agree": True, "comment": text})
    except BaseException:
        services._cleanup(stored)
        raise
    return decided


def verify_commitment(
    case: Case, *, actor: User, truthful: bool, comment: str = "", expected_version: int | None = None
) -> Case:
    """承诺核查: confirm the approval, or revoke it (撤销许可) when the commitment proved false;
    licences issued from the case are revoked too."""
    if not truthful:
        comment = _reason(comment, "comment", "撤销许可须说明核查发现的问题")
    with transaction.atomic():
        locked = services._locked_case(case, {CaseStatus.COMPLETED}, expected_version)
        services._require_staff_role(actor, locked, ["approver"])
        if not locked.commitment_based or locked.verified_at is not None:
            raise Conflict("该办件没有待核查的承诺", code=CaseErrorCode.INVALID_TRANSITION)
        now = timezone.now()
        locked.verified_at = now
        Case.objects.filter(pk=locked.pk).update(verified_at=now)
        data = {
            "truthful": truthful,
            "late": timezone.localdate() > (locked.verification_due_date or date.max),
        }
        if truthful:
            services._save_transition(locked)
            services._record_event(
                locked,
                CaseEventType.COMMITMENT_VERIFIED,
                actor=actor,
                from_status=locked.status,
                comment=comment,
                data=data,
            )
            return locked
        locked.status = CaseStatus.REVOKED
        services._save_transition(locked)
        revoked = _revoke_licences(locked, actor, comment)
        services._record_event(
            locked,
            CaseEventType.APPROVAL_REVOKED,
            actor=actor,
            from_status=CaseStatus.COMPLETED,
            comment=comment,
            data={**data, "licences": revoked},
        )
        services._notify(locked, CaseEventType.APPROVAL_REVOKED)
    return locked


def _revoke_licences(case: Case, actor: User, reason: str) -> list[str]:
    try:
        from yiwang.licences.models import LicenceStatus
        from yiwang.licences.services import revoke_licence
    except ImportError:  # pragma: no cover - the licences app is optional
        return []
    revoked: list[str] = []
    active = {LicenceStatus.VALID, LicenceStatus.SUSPENDED, LicenceStatus.EXPIRED}
    for licence in case.licences.all():  # type: ignore[attr-defined]
        if licence.status in active:
            revoke_licence(licence, actor=actor, reason=f"告知承诺不实，撤销许可：{reason}")
            revoked.append(str(licence.public_id))
    return revoked


def verification_todo(user: User) -> QuerySet[Case]:
    """待核查: commitment-based approvals in the staff member's scope awaiting verification."""
    if not staff_roles(user) & {"approver"}:
        return Case.objects.none()
    return (
        services.visible_cases(user)
        .filter(commitment_based=True, verified_at__isnull=True, status=CaseStatus.COMPLETED)
        .order_by("verification_due_date")
    )


# --- 延长 ----------------------------------------------------------------------------------------
def extension_limit(case: Case) -> int:
    return JOINT_EXTENSION_MAX_DAYS if case.item.process_departments else EXTENSION_MAX_DAYS


def request_extension(
    case: Case, *, actor: User, days: int, reason: str, expected_version: int | None = None
) -> CaseExtension:
    """延长申请 by the handling staff: once per case, at most 10 working days (15 for joint handling)."""
    reason = _reason(reason)
    with transaction.atomic():
        locked = services._locked_case(case, {CaseStatus.ACCEPTED}, expected_version)
        services._require_staff_role(actor, locked, HANDLING_ROLES)
        limit = extension_limit(locked)
        if not 1 <= days <= limit:
            raise DomainError(
                CaseErrorCode.EXTENSION_NOT_ALLOWED, f"延长期限应为 1–{limit} 个工作日", {"days": [str(days)]}
            )
        if locked.extensions.exclude(status=ExtensionStatus.REJECTED).exists():
            raise Conflict(
                "该办件已申请或已批准延长，依法只能延长一次", code=CaseErrorCode.EXTENSION_NOT_ALLOWED
            )
        extension = CaseExtension.objects.create(case=locked, days=days, reason=reason, requested_by=actor)
        services._save_transition(locked)
        services._record_event(
            locked,
            CaseEventType.EXTENSION_REQUESTED,
            actor=actor,
            from_status=locked.status,
            comment=reason,
            data={"days": days, "extension": str(extension.public_id)},
        )
    return extension


def decide_extension(
    case: Case, *, actor: User, approve: bool, comment: str = "", expected_version: int | None = None
) -> Case:
    """延长审批 by an approver other than the requester; approval adds the days to both deadlines."""
    if not approve:
        comment = _reason(comment, "comment", "不予批准延长须说明理由")
    with transaction.atomic():
        locked = services._locked_case(case, {CaseStatus.ACCEPTED}, expected_version)
        services._require_staff_role(actor, locked, ["approver"])
        extension = locked.extensions.select_for_update().filter(status=ExtensionStatus.PENDING).first()
        if extension is None:
            raise Conflict("没有待审批的延长申请", code=CaseErrorCode.INVALID_TRANSITION)
        if extension.requested_by_id == actor.pk:
            raise DomainError(
                CaseErrorCode.ROLE_REQUIRED,
                "延长申请须由申请人以外的负责人批准",
                {"actor": ["本人申请"]},
                status=403,
            )
        extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
        extension.decided_by = actor
        extension.decided_at = timezone.now()
        extension.decision_comment = comment
        extension.save(update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"])
        services._save_transition(locked)
        event = CaseEventType.EXTENSION_APPROVED if approve else CaseEventType.EXTENSION_REJECTED
        services._record_event(
            locked,
            event,
            actor=actor,
            from_status=locked.status,
            comment=comment or extension.reason,
            data={"days": extension.days if approve else 0, "reason": extension.reason},
        )
        if approve:
            services._notify(locked, CaseEventType.EXTENSION_APPROVED)
    return locked


# --- 特别程序 ------------------------------------------------------------------------------------
def start_special_procedure(
    case: Case, *, actor: User, kind: str, reason: str, expected_version: int | None = None
) -> SpecialProcedure:
    """特别程序开始: the clock stops until the procedure ends (行政许可法 第四十五条)."""
    reason = _reason(reason)
    if kind not in SpecialProcedureKind.values:
        raise DomainError("validation_error", "特别程序种类不正确", {"kind": [kind]})
    with transaction.atomic():
        locked = services._locked_case(case, {CaseStatus.ACCEPTED}, expected_version)
        services._require_staff_role(actor, locked, HANDLING_ROLES)
        if locked.special_procedures.filter(ended_at__isnull=True).exists():
            raise Conflict("已有进行中的特别程序", code=CaseErrorCode.INVALID_TRANSITION)
        procedure = SpecialProcedure.objects.create(
            case=locked, kind=kind, reason=reason, started_at=timezone.now(), started_by=actor
        )
        services._save_transition(locked)
        services._record_event(
            locked,
            CaseEventType.SPECIAL_PROCEDURE_STARTED,
            actor=actor,
            from_status=locked.status,
            comment=reason,
            data={
                "kind": kind,
                "kind_label": str(SpecialProcedureKind(kind).label),
                "procedure": str(procedure.public_id),
            },
        )
        services._notify(locked, CaseEventType.SPECIAL_PROCEDURE_STARTED)
    return procedure


def end_special_procedure(
    case: Case, *, actor: User, result: str, expected_version: int | None = None
) -> SpecialProcedure:
    """特别程序结束 with its result; the clock resumes and the deadlines move by the paused days."""
    result = _reason(result, "result", "须填写特别程序结果")
    with transaction.atomic():
        locked = services._locked_case(case, {CaseStatus.ACCEPTED}, expected_version)
        services._require_staff_role(actor, locked, HANDLING_ROLES)
        procedure = locked.special_procedures.select_for_update().filter(ended_at__isnull=True).first()
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
        services._save_transition(locked)
        services._record_event(
            locked,
            CaseEventType.SPECIAL_PROCEDURE_ENDED,
            actor=actor,
            from_status=locked.status,
            comment=result,
            data={
                "kind": procedure.kind,
                "procedure": str(procedure.public_id),
                "paused_working_days": procedure.paused_working_days,
            },
        )
        services._notify(locked, CaseEventType.SPECIAL_PROCEDURE_ENDED)
    return procedure


# --- 终止 ----------------------------------------------------------------------------------------
def terminate_case(case: Case, *, actor: User, reason: str, expected_version: int | None = None) -> Case:
    """终止 by the handling body (the applicant died, the company was dissolved...), not a withdrawal."""
    reason = _reason(reason)
    with transaction.atomic():
        locked = services._locked_case(
            case,
            {CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUIRED, CaseStatus.ACCEPTED},
            expected_version,
        )
        services._require_staff_role(actor, locked, ["approver"])
        from_status = locked.status
        locked.status = CaseStatus.TERMINATED
        locked.completed_at = timezone.now()
        locked.decision_comment = reason
        services._save_transition(locked, "completed_at", "decision_comment")
        SpecialProcedure.objects.filter(case=locked, ended_at__isnull=True).update(
            ended_at=locked.completed_at, ended_by=actor, result="办件终止"
        )
        services._record_event(
            locked, CaseEventType.TERMINATED, actor=actor, from_status=from_status, comment=reason
        )
        terminate_process(locked, actor, f"办件终止：{reason}")
        services._notify(locked, CaseEventType.TERMINATED)
    return locked


# --- 补正超期 ------------------------------------------------------------------------------------
CORRECTION_TIMEOUT_REASON = "申请人未在补正期限内补正材料"


def expire_corrections(today: date | None = None) -> list[str]:
    """补正超期: cases whose correction deadline passed without supply are closed as not accepted
    (不予受理) with a notice.  Idempotent; returns the case numbers closed."""
    today = today or timezone.localdate()
    due = (
        CorrectionNotice.objects.filter(
            resolved_at__isnull=True, deadline__lt=today, case__status=CaseStatus.CORRECTION_REQUIRED
        )
        .values_list("case_id", flat=True)
        .distinct()
    )
    closed: list[str] = []
    for case_id in list(due):
        stored: list[str] = []
        try:
            with transaction.atomic():
                locked = services._locked_case(case_id, {CaseStatus.CORRECTION_REQUIRED})
                notice = services.open_correction_notice(locked)
                if notice is None or notice.deadline >= today:
                    continue
                _close_timed_out(locked, notice, stored)
                closed.append(locked.number)
        except Conflict:
            services._cleanup(stored)
            continue  # supplied or withdrawn meanwhile
        except BaseException:
            services._cleanup(stored)
            raise
    return closed


def _close_timed_out(case: Case, notice: CorrectionNotice, stored: list[str]) -> None:
    from_status = case.status
    case.status = CaseStatus.NOT_ACCEPTED
    case.outcome = CaseOutcome.REFUSED
    case.completed_at = timezone.now()
    case.decision_comment = CORRECTION_TIMEOUT_REASON
    stored.append(
        services._attach_document(
            case,
            DocumentKind.NOT_ACCEPTED_NOTICE,
            reason=f"本机关已于{notice.created_at:%Y年%m月%d日}一次性告知需补正的材料，"
            f"补正期限至{notice.deadline:%Y年%m月%d日}，你（单位）逾期未补正。",
        )
    )
    services._save_transition(
        case, "outcome", "completed_at", "decision_comment", "result_document", "result_sha256"
    )
    services._record_event(
        case,
        CaseEventType.CORRECTION_TIMED_OUT,
        actor=None,
        from_status=from_status,
        comment=CORRECTION_TIMEOUT_REASON,
        data={"round": notice.round, "deadline": notice.deadline.isoformat()},
    )
    services._notify(case, CaseEventType.CORRECTION_TIMED_OUT)
