"""容缺受理 Acceptance with secondary materials missing, and the applicant supplying them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.errors import CaseErrorCode
from yiwang.cases.models import Case, CaseEventType, CaseStatus
from yiwang.cases.services.acceptance import accept_case
from yiwang.cases.services.applicants import check_case_party
from yiwang.cases.services.materials import check_material_uploads, replace_materials, require_supplied
from yiwang.cases.transitions import notify_applicant, record_event, transition
from yiwang.catalog.models import CaseKind
from yiwang.core.calendar import add_working_days
from yiwang.core.errors import Conflict, CoreErrorCode, DomainError

DEFAULT_GAP_DAYS = 5


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
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, "补齐期限应为 1–60 个工作日", {"days": [str(days)]})
    with transition(
        case, {CaseStatus.SUBMITTED}, actor=actor, roles=["window_clerk"], expected_version=expected_version
    ) as t:
        if t.case.item.case_kind == CaseKind.INSTANT:
            raise Conflict("即办件不适用容缺受理", code=CaseErrorCode.VARIANT_NOT_ALLOWED)
        materials = {str(m.public_id): m for m in t.case.item.materials.all()}
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
        # The acceptance itself is a transition of its own (nested: it locks the case again).
        accepted = accept_case(t.case, actor=actor, comment=comment)
        accepted.gap_items = gap
        accepted.gap_deadline = add_working_days(timezone.localdate(), days)
        accepted.gap_resolved_at = None
        Case.objects.filter(pk=accepted.pk).update(gap_items=gap, gap_deadline=accepted.gap_deadline)
        record_event(
            accepted,
            CaseEventType.GAP_ACCEPTED,
            actor=actor,
            from_status=CaseStatus.ACCEPTED,
            comment=comment,
            data={"items": gap, "deadline": accepted.gap_deadline.isoformat()},
        )
        notify_applicant(accepted, CaseEventType.GAP_ACCEPTED)
    return accepted


def supply_gap_materials(
    case: Case, *, applicant: User, files: Mapping[str, Sequence[UploadedFile]], comment: str = ""
) -> Case:
    """The applicant supplies the 容缺 materials; every listed material must come at once."""
    acting_for = check_case_party(case, applicant)
    uploads = check_material_uploads(case.item, files, require_mandatory=False)
    with transition(case, {CaseStatus.ACCEPTED}, actor=applicant) as t:
        locked = t.case
        if not locked.gap_items or locked.gap_resolved_at is not None:
            raise Conflict("没有待补齐的容缺材料", code=CaseErrorCode.INVALID_TRANSITION)
        require_supplied(locked, locked.gap_items, uploads, "容缺材料尚未上传")
        replace_materials(locked, uploads, applicant, 0, t.stored)
        locked.gap_resolved_at = timezone.now()
        Case.objects.filter(pk=locked.pk).update(gap_resolved_at=locked.gap_resolved_at)
        t.save()
        t.record(
            CaseEventType.GAP_SUPPLIED,
            comment=comment,
            data={"files": len(uploads), "late": timezone.localdate() > (locked.gap_deadline or date.max)}
            | acting_for,
        )
        t.notify(CaseEventType.GAP_SUPPLIED)
    return locked
