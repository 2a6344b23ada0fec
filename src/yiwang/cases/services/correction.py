"""预审 and 补正 Pre-review and correction: the one notice listing everything missing or wrong
(一次性告知), and the applicant's answer to it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.documents import case_context, issue_document
from yiwang.cases.errors import CaseErrorCode
from yiwang.cases.models import Case, CaseEventType, CaseStatus, CorrectionNotice, DocumentKind
from yiwang.cases.services.applicants import check_assurance_level, check_case_party
from yiwang.cases.services.materials import (
    MaterialUpload,
    check_material_uploads,
    replace_materials,
    require_supplied,
    validate_form_data,
)
from yiwang.cases.transitions import local_today, transition
from yiwang.cases.uploads import check_upload
from yiwang.core.calendar import add_working_days
from yiwang.core.errors import Conflict, DomainError

CORRECTION_DEADLINE_WORKING_DAYS = 10
OTHER_PREFIX = "other_"


def _notice_items(case: Case, items: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """The notice's entries: a material of the item (by id) or a named other item, with a reason."""
    materials = {str(m.public_id): m for m in case.item.materials.all()}
    notice_items: list[dict[str, str]] = []
    for entry in items:
        key = str(entry.get("material_id") or "")
        reason = str(entry.get("reason") or "").strip()
        if key and key not in materials:
            raise DomainError(CaseErrorCode.UNKNOWN_MATERIAL, "补正项不属于该事项的材料", {"items": [key]})
        name = materials[key].name if key else str(entry.get("name") or "").strip()
        if not name:
            raise DomainError(CaseErrorCode.CORRECTION_EMPTY, "补正项须写明材料名称", {"items": ["缺少名称"]})
        notice_items.append({"material_id": key, "name": name, "reason": reason or "请补充或更正"})
    return notice_items


def request_correction(
    case: Case,
    *,
    actor: User,
    items: Sequence[Mapping[str, str]],
    comment: str = "",
    expected_version: int | None = None,
) -> CorrectionNotice:
    """Issue the one notice listing everything missing or wrong in this submission (一次性告知).

    A submission gets at most one notice: the unique (case, round) constraint and the state check
    make a second list for the same submission impossible.
    """
    if not items:
        raise DomainError(
            CaseErrorCode.CORRECTION_EMPTY, "补正告知须一次性列明全部需补正的材料", {"items": ["至少一项"]}
        )
    with transition(
        case, {CaseStatus.SUBMITTED}, actor=actor, roles=["window_clerk"], expected_version=expected_version
    ) as t:
        locked = t.case
        notice_items = _notice_items(locked, items)
        round_number = locked.correction_notices.count() + 1
        notice = CorrectionNotice.objects.create(
            case=locked,
            round=round_number,
            items=notice_items,
            comment=comment,
            issued_by=actor,
            deadline=add_working_days(local_today(), CORRECTION_DEADLINE_WORKING_DAYS),
        )
        locked.status = CaseStatus.CORRECTION_REQUIRED
        t.save()
        t.record(
            CaseEventType.CORRECTION_REQUESTED,
            comment=comment,
            data={"round": round_number, "items": notice_items, "deadline": notice.deadline.isoformat()},
        )
        issue_document(
            DocumentKind.CORRECTION_NOTICE,
            case_context(
                locked,
                correction_items="\n".join(
                    f"{n}. {entry['name']}：{entry['reason']}" for n, entry in enumerate(notice_items, 1)
                ),
                comment=comment,
                deadline=f"{notice.deadline:%Y年%m月%d日}",
            ),
            organisation=locked.handling_organisation,
            number=locked.number,
            case=locked,
        )
        t.notify(CaseEventType.CORRECTION_REQUESTED)
    return notice


def other_correction_uploads(
    items: Sequence[Mapping[str, Any]], files: Mapping[str, Sequence[UploadedFile]]
) -> list[MaterialUpload]:
    """补正其他事项: files for the notice's n-th item that is not a material of the item."""
    others = [entry for entry in items if not entry.get("material_id")]
    uploads: list[MaterialUpload] = []
    for key, file_list in files.items():
        index = str(key).removeprefix(OTHER_PREFIX)
        if not index.isdigit() or int(index) >= len(others):
            raise DomainError(
                CaseErrorCode.UNKNOWN_MATERIAL, "上传的材料不在补正告知中", {str(key): ["未知材料"]}
            )
        name = str(others[int(index)].get("name", ""))[:200] or "补正材料"
        uploads.extend(MaterialUpload(None, name, check_upload(upload, str(key))) for upload in file_list)
    return uploads


def supply_correction(
    case: Case,
    *,
    applicant: User,
    files: Mapping[str, Sequence[UploadedFile]],
    form_data: Mapping[str, Any] | None = None,
    comment: str = "",
) -> Case:
    """补正: the applicant (or the agent who filed it) answers the notice; the case goes back to the
    window for review."""
    acting_for = check_case_party(case, applicant)
    check_assurance_level(applicant, case.item, "correction", f"/my/cases/{case.public_id}/")
    # Files for the notice's items that are not materials of the item ("其他", keyed other_<n>).
    other_files = {key: value for key, value in files.items() if str(key).startswith(OTHER_PREFIX)}
    material_files = {key: value for key, value in files.items() if key not in other_files}
    uploads = check_material_uploads(case.item, material_files, require_mandatory=False)
    with transition(case, {CaseStatus.CORRECTION_REQUIRED}, actor=applicant) as t:
        locked = t.case
        notice = locked.correction_notices.filter(resolved_at__isnull=True).order_by("-round").first()
        if notice is None:  # pragma: no cover - the state guarantees an open notice
            raise Conflict("没有待补正的告知", code=CaseErrorCode.INVALID_TRANSITION)
        uploads += other_correction_uploads(notice.items, other_files)
        require_supplied(locked, notice.items, uploads, "补正告知要求的材料尚未上传")
        if not uploads and not form_data:
            raise DomainError(CaseErrorCode.CORRECTION_EMPTY, "请上传补正材料", {"files": ["至少一个文件"]})
        if form_data:
            merged = {**locked.form_data, **dict(form_data)}
            locked.form_data = validate_form_data(locked.item, merged)
        replace_materials(locked, uploads, applicant, notice.round, t.stored)
        notice.resolved_at = timezone.now()
        notice.save(update_fields=["resolved_at", "updated_at"])
        locked.status = CaseStatus.SUBMITTED
        t.save("form_data")
        t.record(
            CaseEventType.CORRECTION_SUPPLIED,
            comment=comment,
            data={"round": notice.round, "files": len(uploads), **acting_for},
        )
        t.notify(CaseEventType.CORRECTION_SUPPLIED)
    return locked
