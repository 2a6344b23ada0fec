"""Staff access to the files (一人一档 / 一企一档): search by ID number or credit code (logged), open
a file within the data scope (every opening recorded in the subject's access log, masked)."""

from __future__ import annotations

from typing import Any

from yiwang.accounts.models import AccountKind, User
from yiwang.accounts.personal_data import record_staff_reads
from yiwang.accounts.reads import applicant_user_id
from yiwang.accounts.roles import in_scope_ids
from yiwang.core import audit, personal_data
from yiwang.core.errors import DomainError, NotFound, PermissionDenied
from yiwang.core.masking import mask_id_number, mask_name
from yiwang.core.personal_data import Read
from yiwang.space import file as subject_file
from yiwang.space.actions import may_read_files
from yiwang.space.errors import SpaceErrorCode

FIELDS = (personal_data.NAME, personal_data.ID_NUMBER)


def require_reader(user: User) -> None:
    if not may_read_files(user):
        raise PermissionDenied("仅具有岗位角色的工作人员可查阅档案", code=SpaceErrorCode.FORBIDDEN)


def find_subject(actor: User, kind: str, number: str) -> User:
    """The account of the person (公民身份号码) or company (统一社会信用代码); the search is audited
    with the masked number whether it finds one or not (404 when not)."""
    require_reader(actor)
    value = (number or "").strip().upper()[:18]
    if kind not in ("person", "company") or len(value) != 18:
        raise DomainError(
            SpaceErrorCode.INVALID_INPUT,
            "请选择主体类型并填写 18 位公民身份号码或统一社会信用代码",
            {"number": ["应为 18 位"]} if kind in ("person", "company") else {"kind": ["请选择"]},
        )
    user_id = applicant_user_id(kind, value)
    audit.record(
        "space.file_searched",
        actor=actor,
        object_type="accounts.User",
        object_id=str(user_id or ""),
        detail={"kind": kind, "number": mask_id_number(value), "found": user_id is not None},
    )
    subject = User.objects.filter(pk=user_id).exclude(kind=AccountKind.STAFF).first() if user_id else None
    if subject is None:
        raise NotFound("未找到该自然人或法人", code=SpaceErrorCode.SUBJECT_NOT_FOUND)
    return subject


def subject_by_id(public_id: Any) -> User:
    try:
        subject = (
            User.objects.select_related("natural_person", "legal_person")
            .exclude(kind=AccountKind.STAFF)
            .filter(public_id=public_id)
            .first()
        )
    except (ValueError, TypeError):
        subject = None
    if subject is None:
        raise NotFound("档案不存在", code=SpaceErrorCode.NOT_FOUND)
    return subject


def masked_label(subject: User) -> tuple[str, str, str]:
    """(kind, name, identifier) as staff see them: a person's name and ID number masked; a
    company's name and credit code are public (工商登记公开信息)."""
    kind, name, identifier = subject_file.subject_label(subject)
    if kind == "company":
        return kind, name, identifier
    return kind, mask_name(name), mask_id_number(identifier)


def open_file(
    actor: User, public_id: Any, *, offset: int = 0, limit: int = 20
) -> tuple[User, list[subject_file.FileEntry], bool]:
    """The subject's file as ``actor`` may see it (their data scope only); the read is recorded."""
    require_reader(actor)
    subject = subject_by_id(public_id)
    scope = in_scope_ids(actor)
    entries, more = subject_file.timeline(subject, scope=scope, offset=offset, limit=limit)
    _kind, name, _identifier = masked_label(subject)
    record_staff_reads(actor, [Read(subject.pk, "space.file", str(subject.public_id), name, FIELDS)])
    return subject, entries, more
