"""帮办代办 Help and agency: hall staff (帮办) or an authorised person (代办) applies on someone's
behalf, with the authorisation recorded.

- :func:`record_authorisation` (hall staff only): the principal (委托人) is checked by ID number and
  resolved to his account, or to a new offline applicant record, as at the window; the signed
  authorisation letter is kept as evidence (PDF/JPEG/PNG ≤ 10 MB, checked like case materials,
  SHA-256 recorded); validity at most one year, not in the past.  The principal is told after commit.
- :func:`revoke` by hall staff of the hall or by the principal; :func:`expire_overdue` marks the
  authorisations whose last day has passed (run before every list, and in :func:`check_usable`).
- :func:`apply_on_behalf`: a 帮办 (staff agent) files through the window registration of the cases
  app (the agent is the clerk); a 代办 (citizen agent) files with ``acting_agent`` — which the cases
  app allows today only for legal persons, so a natural-person principal's 代办 is refused with
  ``hall_agency_invalid`` until the cases app accepts it (see the module's report to the lead).

What a user may do with an authorisation is decided once, by :func:`allowed_actions`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks import task

from yiwang.accounts.models import AccountKind, User
from yiwang.accounts.personal_data import record_staff_reads
from yiwang.accounts.reads import find_applicant
from yiwang.accounts.sms import send_sms
from yiwang.cases.models import Case
from yiwang.cases.notifications import deliver_once
from yiwang.cases.services.filing import submit_application
from yiwang.cases.uploads import check_upload
from yiwang.cases.window import applicant_for_walk_in, register_walk_in
from yiwang.catalog.models import ServiceItem
from yiwang.core import audit, personal_data
from yiwang.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from yiwang.core.identifiers import validate_id_number, validate_phone
from yiwang.core.masking import mask_id_number, mask_name, mask_phone
from yiwang.core.outbox import enqueue_with_transaction
from yiwang.core.personal_data import Read
from yiwang.hall.access import halls_for_staff, is_hall_staff
from yiwang.hall.errors import HallErrorCode
from yiwang.hall.models import AgencyAuthorisation, AgencyKind, AgencyStatus, Hall
from yiwang.hall.services.console import hall_items

EVIDENCE_EXTENSIONS = frozenset({"pdf", "jpg", "jpeg", "png"})
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
MAX_ITEMS = 50
MAX_CASES = 200
PERSONAL_FIELDS = (personal_data.NAME, personal_data.ID_NUMBER, personal_data.PHONE)


# --- who may do what ------------------------------------------------------------------------------
def is_staff_of(user: Any, authorisation: AgencyAuthorisation) -> bool:
    hall = authorisation.hall
    return (
        getattr(user, "is_authenticated", False)
        and user.kind == AccountKind.STAFF
        and hall is not None
        and is_hall_staff(user, hall)
    )


def is_effective(authorisation: AgencyAuthorisation, today: date | None = None) -> bool:
    """Active and within its validity period today."""
    today = today or timezone.localdate()
    return (
        authorisation.status == AgencyStatus.ACTIVE
        and authorisation.valid_from <= today <= authorisation.valid_until
    )


def allowed_actions(authorisation: AgencyAuthorisation, user: Any) -> set[str]:
    """``view``; ``read_personal`` (hall staff may unmask the principal, logged); ``revoke`` (hall
    staff or the principal, while active); ``apply`` (the agent, while effective)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    staff = is_staff_of(user, authorisation)
    principal = authorisation.principal_id is not None and authorisation.principal_id == user.pk
    agent = authorisation.agent_id == user.pk
    if not (staff or principal or agent):
        return set()
    actions = {"view"}
    if staff:
        actions.add("read_personal")
    if authorisation.status == AgencyStatus.ACTIVE and (staff or principal):
        actions.add("revoke")
    if agent and is_effective(authorisation):
        actions.add("apply")
    return actions


def require_action(authorisation: AgencyAuthorisation, user: Any, action: str) -> None:
    actions = allowed_actions(authorisation, user)
    if not actions:
        raise NotFound("代办授权不存在", code=HallErrorCode.NOT_FOUND)
    if action not in actions:
        if action == "revoke" and ("read_personal" in actions or authorisation.principal_id == user.pk):
            raise Conflict("该授权已撤销或已过期", code=HallErrorCode.INVALID_STATE)
        raise PermissionDenied("没有有效的代办授权", code=HallErrorCode.AGENCY_INVALID)


# --- reads ----------------------------------------------------------------------------------------
def hall_authorisations(hall: Hall, *, status: str = "") -> QuerySet[AgencyAuthorisation]:
    rows = AgencyAuthorisation.objects.filter(hall=hall).select_related("agent", "hall")
    if status in AgencyStatus.values:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def my_authorisations(user: Any) -> QuerySet[AgencyAuthorisation]:
    """Where ``user`` is the principal or the agent."""
    return (
        AgencyAuthorisation.objects.filter(Q(principal=user) | Q(agent=user))
        .select_related("agent", "hall")
        .order_by("-created_at", "-pk")
    )


def staff_halls(user: Any) -> list[Hall]:
    return halls_for_staff(user) if getattr(user, "kind", "") == AccountKind.STAFF else []


def shown_principal(
    user: Any, rows: Iterable[AgencyAuthorisation], *, unmask: bool = False
) -> list[dict[str, str]]:
    """The principal's name, ID number and phone as ``user`` sees them, per row: in full for the
    principal himself, masked for everyone else unless hall staff asks to ``unmask``; every staff
    read is recorded in the principal's access log (one insert for the whole list)."""
    rows = list(rows)
    shown: list[dict[str, str]] = []
    staff_reads: list[Read] = []
    for a in rows:
        full = {"name": a.principal_name, "id_number": a.principal_id_number, "phone": a.principal_phone}
        if a.principal_id is not None and a.principal_id == getattr(user, "pk", None):
            shown.append(full)
            continue
        staff = is_staff_of(user, a)
        if staff and a.principal_id is not None:
            staff_reads.append(
                Read(
                    a.principal_id,
                    "hall.AgencyAuthorisation",
                    str(a.public_id),
                    a.get_kind_display(),
                    PERSONAL_FIELDS,
                )
            )
        if staff and unmask:
            shown.append(full)
        else:
            shown.append(
                {
                    "name": mask_name(a.principal_name),
                    "id_number": mask_id_number(a.principal_id_number),
                    "phone": mask_phone(a.principal_phone),
                }
            )
    if staff_reads:
        record_staff_reads(user, staff_reads, unmasked=unmask)
    return shown


# --- validation -----------------------------------------------------------------------------------
def _invalid(message: str, fields: dict[str, list[str]]) -> DomainError:
    return DomainError(HallErrorCode.INVALID_INPUT, message, fields)


def _check_person(name: str, id_number: str, phone: str) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    name = " ".join(str(name).split())
    if not name or len(name) > 100:
        errors["principal_name"] = ["请填写委托人姓名（100 字以内）"]
    try:
        id_number = validate_id_number(id_number).normalized
    except DomainError as error:
        errors["principal_id_number"] = [error.message]
    if str(phone).strip():
        try:
            phone = validate_phone(phone)
        except DomainError as error:
            errors["principal_phone"] = [error.message]
    else:
        phone = ""
    if errors:
        raise _invalid("委托人信息不完整或不正确", errors)
    return name, id_number, phone


def _check_period(valid_from: date, valid_until: date, today: date) -> None:
    if valid_from < today:
        raise _invalid("授权起始日期不能早于今天", {"valid_from": [valid_from.isoformat()]})
    if valid_until < valid_from:
        raise _invalid("授权截止日期不能早于起始日期", {"valid_until": [valid_until.isoformat()]})
    if valid_until > _one_year_after(valid_from):
        raise _invalid("授权期限最长一年", {"valid_until": [valid_until.isoformat()]})


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _check_items(hall: Hall, item_public_ids: Iterable[Any]) -> list[str]:
    wanted: list[str] = []
    for raw in item_public_ids:
        try:
            value = str(uuid.UUID(str(raw)))
        except ValueError as exc:
            raise _invalid("事项编号不正确", {"item_public_ids": [str(raw)[:40]]}) from exc
        if value not in wanted:
            wanted.append(value)
    if len(wanted) > MAX_ITEMS:
        raise _invalid(f"授权事项最多 {MAX_ITEMS} 项", {"item_public_ids": [str(len(wanted))]})
    if wanted:
        known = {
            str(p) for p in hall_items(hall).filter(public_id__in=wanted).values_list("public_id", flat=True)
        }
        unknown = [w for w in wanted if w not in known]
        if unknown:
            raise _invalid("本大厅不受理所列事项", {"item_public_ids": unknown})
    return wanted


def _check_agent(kind: str, agent: Any, hall: Hall, principal: User) -> None:
    if kind == AgencyKind.HELP:
        if agent is None or agent.kind != AccountKind.STAFF or not is_hall_staff(agent, hall):
            raise _invalid("帮办人须为本大厅工作人员", {"agent": ["不是本大厅工作人员"]})
        return
    if agent is None or agent.kind != AccountKind.NATURAL or not agent.is_active:
        raise _invalid("受托人须为已注册的自然人账户", {"agent": ["不是自然人账户"]})
    if agent.pk == principal.pk:
        raise _invalid("受托人不能是委托人本人", {"agent": ["与委托人相同"]})


def find_agent(kind: str, text: str, recorded_by: Any) -> User | None:
    """The agent as the page or API names it: by username or ID number; for 帮办 an empty name
    means the recording staff member himself."""
    text = str(text or "").strip()[:150]
    if not text:
        return recorded_by if kind == AgencyKind.HELP else None
    user = User.objects.filter(username=text, is_active=True).first()
    if user is None and len(text) == 18:
        user = find_applicant(text)
    return user


def check_evidence(upload: UploadedFile) -> tuple[str, str]:
    """The授权书 scan: PDF/JPEG/PNG ≤ 10 MB, checked like case materials (type, size, malware scan,
    magic bytes).  Returns (extension, sha256)."""
    name = str(upload.name or "")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EVIDENCE_EXTENSIONS:
        raise DomainError(
            HallErrorCode.INVALID_INPUT,
            "授权书仅支持 PDF、JPG、PNG 文件",
            {"evidence": [f"文件类型不允许：.{extension or '?'}"]},
            status=415,
        )
    if (upload.size or 0) > EVIDENCE_MAX_BYTES:
        raise DomainError(
            HallErrorCode.INVALID_INPUT, "授权书文件超过 10 MB 上限", {"evidence": ["文件过大"]}, status=413
        )
    checked = check_upload(upload, "evidence")
    return checked.extension, checked.sha256


# --- recording and revoking -----------------------------------------------------------------------
def record_authorisation(
    *,
    recorded_by: Any,
    hall: Hall,
    kind: str,
    principal_name: str,
    principal_id_number: str,
    principal_phone: str = "",
    agent: Any,
    item_public_ids: Sequence[Any] = (),
    valid_from: date,
    valid_until: date,
    evidence: UploadedFile | None = None,
) -> AgencyAuthorisation:
    """登记代办授权 (hall staff only)."""
    if getattr(recorded_by, "kind", "") != AccountKind.STAFF or not is_hall_staff(recorded_by, hall):
        raise PermissionDenied("只有本大厅工作人员可以登记代办授权", code=HallErrorCode.FORBIDDEN)
    if kind not in AgencyKind.values:
        raise _invalid("授权类型不正确", {"kind": [str(kind)[:20]]})
    name, id_number, phone = _check_person(principal_name, principal_id_number, principal_phone)
    _check_period(valid_from, valid_until, timezone.localdate())
    items = _check_items(hall, item_public_ids)
    evidence_meta = check_evidence(evidence) if evidence is not None else None
    if kind == AgencyKind.AGENCY and evidence is None:
        raise _invalid("代办须上传委托人签字的授权书", {"evidence": ["必填"]})
    principal = applicant_for_walk_in(clerk=recorded_by, name=name, id_number=id_number, phone=phone)
    if principal.kind != AccountKind.NATURAL:
        raise _invalid("委托人须为自然人", {"principal_id_number": ["不是公民身份号码"]})
    _check_agent(kind, agent, hall, principal)
    with transaction.atomic():
        authorisation = AgencyAuthorisation(
            hall=hall,
            kind=kind,
            principal=principal,
            principal_name=name,
            principal_id_number=id_number,
            principal_phone=phone,
            agent=agent,
            item_public_ids=items,
            valid_from=valid_from,
            valid_until=valid_until,
            recorded_by=recorded_by,
        )
        if evidence is not None and evidence_meta is not None:
            extension, sha256 = evidence_meta
            evidence.seek(0)
            authorisation.evidence.save(
                f"{uuid.uuid4().hex}.{extension}", ContentFile(evidence.read()), save=False
            )
            authorisation.evidence_sha256 = sha256
        authorisation.save()
        audit.record(
            "hall.agency.recorded",
            actor=recorded_by,
            obj=authorisation,
            detail={
                "kind": kind,
                "principal": str(principal.public_id),
                "agent": str(agent.public_id),
                "items": items,
                "valid_from": valid_from.isoformat(),
                "valid_until": valid_until.isoformat(),
                "evidence_sha256": authorisation.evidence_sha256,
            },
        )
        enqueue_with_transaction(notify_principal, authorisation.pk, "recorded")
    return authorisation


def _locked(authorisation: AgencyAuthorisation) -> AgencyAuthorisation:
    return (
        AgencyAuthorisation.objects.select_for_update(of=("self",))
        .select_related("hall")
        .get(pk=authorisation.pk)
    )


def revoke(*, authorisation: AgencyAuthorisation, actor: Any, reason: str) -> AgencyAuthorisation:
    """撤销 By hall staff of the hall or by the principal."""
    require_action(authorisation, actor, "revoke")
    reason = " ".join(str(reason).split())
    if not reason or len(reason) > 200:
        raise _invalid("请填写撤销原因（200 字以内）", {"reason": ["必填"]})
    with transaction.atomic():
        locked = _locked(authorisation)
        if locked.status != AgencyStatus.ACTIVE:
            raise Conflict("该授权已撤销或已过期", code=HallErrorCode.INVALID_STATE)
        locked.status = AgencyStatus.REVOKED
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["status", "revoked_at", "updated_at"])
        authorisation.status, authorisation.revoked_at = locked.status, locked.revoked_at
        audit.record(
            "hall.agency.revoked",
            actor=actor,
            obj=locked,
            detail={"reason": reason, "by_principal": locked.principal_id == actor.pk},
        )
        enqueue_with_transaction(notify_principal, authorisation.pk, "revoked")
    return authorisation


def expire_overdue(today: date | None = None) -> int:
    """到期 Mark the active authorisations whose last day has passed as expired (one UPDATE when
    none is due); returns how many."""
    today = today or timezone.localdate()
    due = AgencyAuthorisation.objects.filter(status=AgencyStatus.ACTIVE, valid_until__lt=today)
    with transaction.atomic():
        rows = list(due.select_for_update().values_list("pk", "public_id")[:1000])
        if not rows:
            return 0
        AgencyAuthorisation.objects.filter(pk__in=[pk for pk, _ in rows]).update(
            status=AgencyStatus.EXPIRED, updated_at=timezone.now()
        )
        for _pk, public_id in rows:
            audit.record(
                "hall.agency.expired",
                actor=None,
                object_type="hall.AgencyAuthorisation",
                object_id=str(public_id),
                detail={"on": today.isoformat()},
            )
    return len(rows)


# --- applying -------------------------------------------------------------------------------------
def covers(authorisation: AgencyAuthorisation, item: ServiceItem) -> bool:
    listed = [str(i) for i in authorisation.item_public_ids or []]
    return not listed or str(item.public_id) in listed


def check_usable(authorisation: AgencyAuthorisation, agent: Any, item: ServiceItem) -> None:
    """Refuse (403 ``hall_agency_invalid``) unless the authorisation is active, within its period,
    held by ``agent`` and covers ``item``."""
    today = timezone.localdate()
    authorisation.refresh_from_db(fields=["status", "valid_from", "valid_until", "agent", "item_public_ids"])
    if authorisation.status == AgencyStatus.ACTIVE and authorisation.valid_until < today:
        expire_overdue(today)
        authorisation.refresh_from_db(fields=["status", "updated_at"])
    reason = ""
    if authorisation.agent_id != getattr(agent, "pk", None):
        reason = "您不是该授权的受托人"
    elif not is_effective(authorisation, today):
        reason = "该授权已撤销、已过期或尚未生效"
    elif not covers(authorisation, item):
        reason = "该授权不包括此事项"
    if reason:
        audit.record(
            "hall.agency.refused",
            actor=agent,
            obj=authorisation,
            detail={"item": str(item.public_id), "reason": reason},
        )
        raise DomainError(HallErrorCode.AGENCY_INVALID, reason, {"authorisation": [reason]}, status=403)


def may_act_for_principal(agent: Any, applicant: Any, item: ServiceItem) -> bool:
    """Registered with ``cases.intake``: ``agent`` holds an effective 代办 authorisation of the natural
    person ``applicant`` covering ``item`` (the cases app then lets him apply and follow the case)."""
    today = timezone.localdate()
    candidates = AgencyAuthorisation.objects.filter(
        kind=AgencyKind.AGENCY,
        status=AgencyStatus.ACTIVE,
        agent_id=getattr(agent, "pk", None),
        principal_id=getattr(applicant, "pk", None),
        valid_from__lte=today,
        valid_until__gte=today,
    ).only("item_public_ids")
    return any(covers(a, item) for a in candidates)


def apply_on_behalf(
    *,
    authorisation: AgencyAuthorisation,
    agent: Any,
    item: ServiceItem,
    form_data: Mapping[str, Any],
    files: Mapping[str, Sequence[UploadedFile]],
    delivery_method: str = "window",
    idempotency_key: str = "",
) -> Case:
    """代为申请 File ``item`` for the principal under ``authorisation`` and record the case on it."""
    check_usable(authorisation, agent, item)
    principal = authorisation.principal
    if principal is None:
        raise DomainError(HallErrorCode.AGENCY_INVALID, "授权未关联委托人账户", status=403)
    if authorisation.kind == AgencyKind.HELP:
        case = register_walk_in(
            clerk=agent,
            item=item,
            applicant_name=authorisation.principal_name,
            applicant_id_number=authorisation.principal_id_number,
            applicant_phone=authorisation.principal_phone,
            form_data=form_data,
            files=files,
            delivery_method=delivery_method,
            idempotency_key=idempotency_key,
        )
    else:
        # A natural person's agent is let through by ``may_act_for_principal`` (registered with
        # cases.intake); a company's by the company's own agent authorisation.
        case = submit_application(
            applicant=principal,
            acting_agent=agent,
            item=item,
            form_data=form_data,
            files=files,
            delivery_method=delivery_method,
            idempotency_key=idempotency_key,
        )
    _record_case(authorisation, agent, case)
    return case


def _record_case(authorisation: AgencyAuthorisation, agent: Any, case: Case) -> None:
    with transaction.atomic():
        locked = _locked(authorisation)
        ids = [str(i) for i in locked.case_public_ids or []]
        public_id = str(case.public_id)
        if public_id in ids:  # an idempotent retry
            return
        locked.case_public_ids = [*ids, public_id][-MAX_CASES:]
        locked.save(update_fields=["case_public_ids", "updated_at"])
        authorisation.case_public_ids = locked.case_public_ids
        audit.record(
            "hall.agency.applied",
            actor=agent,
            obj=locked,
            detail={
                "case": public_id,
                "case_number": case.number,
                "item": str(case.item.public_id),
                "principal": str(locked.principal.public_id) if locked.principal else "",
                "agent": str(agent.public_id),
                "kind": locked.kind,
            },
        )


# --- telling the principal ------------------------------------------------------------------------
MESSAGES = {
    "recorded": "您已在{hall}登记{kind}授权，受托人：{agent}，有效期 {valid_from} 至 {valid_until}。"
    "如非本人意愿，请在“我的代办授权”中撤销或联系大厅。",
    "revoked": "您在{hall}登记的{kind}授权（受托人：{agent}）已撤销。",
}


@task()
def notify_principal(authorisation_id: int, kind: str) -> None:
    """Tell the principal (in-site message + SMS to the phone on the authorisation)."""
    a = AgencyAuthorisation.objects.select_related("hall", "agent", "principal").get(pk=authorisation_id)
    template = MESSAGES.get(kind)
    if template is None:
        return
    body = template.format(
        hall=a.hall.name if a.hall else "",
        kind="帮办" if a.kind == AgencyKind.HELP else "代办",
        agent=mask_name(str(a.agent)),
        valid_from=a.valid_from.isoformat(),
        valid_until=a.valid_until.isoformat(),
    )
    if a.principal is not None:
        deliver_once(
            a.principal,
            title="代办授权",
            body=body,
            link="/my/",
            occurred_at=a.updated_at,
            phone=a.principal_phone,
        )
    elif a.principal_phone:
        send_sms(a.principal_phone, body)
