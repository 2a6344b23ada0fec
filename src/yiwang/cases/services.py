"""Case services (办件): registration, pre-review and correction, acceptance, decision, completion.

Every transition locks the case row, checks the state it expects (so two clerks racing on one case
get exactly one winner and one clear conflict), writes an immutable :class:`CaseEvent` and an audit
record, and sends notifications only after the transaction commits.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from yiwang.accounts import staff as staff_scope
from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import AccountKind, LegalPerson, User
from yiwang.accounts.refusals import record_refusal
from yiwang.accounts.services import (
    applicant_identity,
    check_agent_may_act,
    require_assurance,
    staff_roles,
)
from yiwang.cases import queues
from yiwang.cases.documents import case_context, issue_document
from yiwang.cases.errors import CaseErrorCode
from yiwang.cases.models import (
    DEFAULT_TRUST_LEVEL,
    Case,
    CaseDocument,
    CaseEvent,
    CaseEventType,
    CaseMaterial,
    CaseMaterialSource,
    CaseNumberSequence,
    CaseOutcome,
    CaseStatus,
    CorrectionNotice,
    DeliveryMethod,
    DocumentKind,
)
from yiwang.cases.signals import case_completed
from yiwang.cases.uploads import CheckedUpload, check_upload
from yiwang.catalog import cache as catalog_cache
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.catalog.services import guide_snapshot, increment_popularity
from yiwang.core import audit, request_context
from yiwang.core.calendar import add_working_days, provisional_years_between
from yiwang.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from yiwang.core.models import Channel, Organisation
from yiwang.licences.models import TrustLevel

CORRECTION_DEADLINE_WORKING_DAYS = 10

# Which applicant kinds each 服务对象 code admits.
APPLICANT_OBJECTS: dict[str, set[str]] = {AccountKind.NATURAL: {"1"}, AccountKind.LEGAL: {"2", "3", "4", "6"}}


# --- helpers -------------------------------------------------------------------------------------
def _local_today() -> date:
    return timezone.localdate()


def _actor_label(user: User | None) -> str:
    if user is None:
        return "系统"
    if user.kind == AccountKind.STAFF and hasattr(user, "staff_profile"):
        return f"{user.staff_profile.real_name}（{user.staff_profile.organisation.name}）"
    return user.display_name or user.username


def _record_event(
    case: Case,
    event_type: str,
    *,
    actor: User | None,
    from_status: str,
    comment: str = "",
    data: dict[str, Any] | None = None,
    sequence: int | None = None,
) -> CaseEvent:
    """``sequence``: known by the caller (1 for a case just created); otherwise the next one."""
    ctx = request_context.current()
    if sequence is None:
        sequence = (case.events.order_by("-sequence").values_list("sequence", flat=True).first() or 0) + 1
    event = CaseEvent.objects.create(
        case=case,
        sequence=sequence,
        event_type=event_type,
        from_status=from_status,
        to_status=case.status,
        actor=actor,
        actor_label=_actor_label(actor),
        channel=ctx.channel,
        ip_address=ctx.ip_address,
        comment=comment,
        data=data or {},
        occurred_at=timezone.now(),
    )
    if case.accepted_at is not None:  # 办理时限: recomputed on every event (cases/clock.py)
        from yiwang.cases.clock import recompute_clock

        recompute_clock(case)
    # Last: the audit chain's lock is shared by every writer and held until commit.
    audit.record(
        f"case.{event_type}", actor=actor, obj=case, detail={"number": case.number, "comment": comment[:500]}
    )
    return event


def _notify(case: Case, event_type: str) -> None:
    from yiwang.cases.tasks import notify_applicant

    case_id = case.pk
    transaction.on_commit(lambda: notify_applicant.enqueue(case_id, event_type))


def _locked_case(case: Case | int, allowed: Iterable[str], expected_version: int | None = None) -> Case:
    """Lock the case row and check it is in one of the allowed states (and not stale)."""
    pk = case.pk if isinstance(case, Case) else case
    locked = (
        Case.objects.select_for_update()
        .select_related("item", "handling_organisation", "applicant")
        .get(pk=pk)
    )
    allowed_set = set(allowed)
    if locked.status not in allowed_set:
        raise Conflict(
            f"办件当前状态为“{locked.get_status_display()}”，不能执行此操作（可能已被他人处理）",
            code=CaseErrorCode.INVALID_TRANSITION,
            fields={"status": [locked.status]},
        )
    if expected_version is not None and locked.lock_version != expected_version:
        raise Conflict(
            "办件已被更新，请刷新后重试",
            code=CaseErrorCode.STALE_CASE,
            fields={"lock_version": [locked.lock_version]},
        )
    return locked


def _save_transition(case: Case, *fields: str) -> None:
    case.lock_version = F("lock_version") + 1  # type: ignore[assignment]
    case.save(update_fields=["status", "lock_version", "updated_at", *fields])
    case.refresh_from_db(fields=["lock_version"])


def _require_staff_role(actor: User, case: Case, roles: Sequence[str]) -> None:
    held = staff_roles(actor)
    if not held:
        raise PermissionDenied("仅工作人员可执行此操作")
    in_any_scope = staff_scope.in_scope(actor, case.handling_organisation_id)
    if in_any_scope and not held.intersection(roles):
        raise PermissionDenied("您没有执行此操作的角色", code=CaseErrorCode.ROLE_REQUIRED)
    if not in_any_scope or not staff_scope.in_scope(actor, case.handling_organisation_id, roles):
        record_refusal(
            "staff.out_of_scope",
            actor=actor,
            object_type="cases.Case",
            object_id=str(case.public_id),
            detail={"roles": sorted(roles)},
        )
        raise PermissionDenied("该办件不在您的数据范围内", code=CaseErrorCode.NOT_IN_SCOPE)


def next_case_number(item: ServiceItem, on: date) -> str:
    """Unified case number: 31-char implementation code + yyyyMMdd + daily serial (≥ 4 digits).

    One statement creates or increments the day's counter and returns the new value.  It holds the
    counter row's lock until the caller's transaction commits, so callers take it as late as they
    can: serials stay gap-free, and filings of one item only queue for the last few statements.
    """
    prefix = f"{item.implementation_code}{on:%Y%m%d}"
    table = connection.ops.quote_name(CaseNumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        # INSERT … ON CONFLICT … RETURNING: PostgreSQL ≥ 9.5 and SQLite ≥ 3.35 alike.
        cursor.execute(
            f"INSERT INTO {table} (prefix, last_value) VALUES (%s, 1) "  # noqa: S608 - table name from the model
            f"ON CONFLICT (prefix) DO UPDATE SET last_value = {table}.last_value + 1 RETURNING last_value",
            [prefix],
        )
        value = cursor.fetchone()[0]
    return f"{prefix}{value:04d}"


def _provisional_number() -> str:
    """A unique placeholder for the instant between inserting a case and numbering it."""
    return f"PENDING-{uuid.uuid4().hex}"


# --- visibility ----------------------------------------------------------------------------------
def visible_cases(user: User) -> QuerySet[Case]:
    """The cases a user may see: his own, or his department's for staff."""
    qs = Case.objects.select_related("item", "handling_organisation")
    if not user.is_authenticated:
        return qs.none()
    if user.kind == AccountKind.STAFF:
        if user.is_superuser:
            return qs
        if not hasattr(user, "staff_profile"):
            return qs.none()
        return qs.filter(handling_organisation__in=staff_scope.organisations_in_scope(user))
    # An agent (代办人) keeps sight of what he filed in a company's name; the company sees it too.
    return qs.filter(Q(applicant=user) | Q(acting_agent=user))


def applicant_acting_for(user: User, on_behalf_of: str = "") -> tuple[User, User | None]:
    """代办: resolve "apply in the name of company <credit code>" to ``(applicant, acting_agent)``.

    Without ``on_behalf_of`` the user applies for himself.  The authorisation itself (who, which
    items, until when) is checked by :func:`submit_application`; an unknown credit code is refused
    exactly like a missing authorisation so nobody can probe which companies exist.
    """
    code = (on_behalf_of or "").strip().upper()
    if not code:
        return user, None
    company = LegalPerson.objects.select_related("user").filter(credit_code=code).first()
    if company is None or user.kind != AccountKind.NATURAL:
        record_refusal(
            "agent.refused", actor=user, object_type="accounts.LegalPerson", object_id=code[:18], detail={}
        )
        raise DomainError(
            AccountErrorCode.AGENT_NOT_AUTHORISED,
            "您没有以该单位名义办理的有效授权",
            {"on_behalf_of": [code[:18]]},
            status=403,
        )
    return company.user, user


# The item and handling body columns a case page shows; the rest of the item (its whole guide text)
# is not read with the case.
_DETAIL_ITEM_FIELDS = frozenset({"id", "public_id", "name"})
_DETAIL_ORGANISATION_FIELDS = frozenset({"id", "public_id", "name"})


def get_case_for(user: User, public_id: Any, *, for_detail: bool = False) -> Case:
    """A case the user may see; any other case is reported as not found (no existence leak).

    ``for_detail``: read only what the detail view shows (no guide snapshot, the item's name, the
    delivery record in the same query) — for a read, not for a case about to change.
    """
    qs = visible_cases(user)
    if for_detail:
        qs = qs.select_related("delivery").defer(
            "item_snapshot",
            *(
                f"item__{f.name}"
                for f in ServiceItem._meta.concrete_fields
                if f.name not in _DETAIL_ITEM_FIELDS
            ),
            *(
                f"handling_organisation__{f.name}"
                for f in Organisation._meta.concrete_fields
                if f.name not in _DETAIL_ORGANISATION_FIELDS
            ),
        )
    try:
        return qs.get(public_id=public_id)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("办件不存在") from exc


def case_document_for(user: User, public_id: Any, document_id: Any) -> tuple[Case, CaseDocument]:
    """A document (文书) of a case the user may see, for download; every download is audited."""
    case = get_case_for(user, public_id)
    try:
        document = CaseDocument.objects.get(case=case, public_id=document_id)
    except (CaseDocument.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("文书不存在") from exc
    audit.record("case.document_downloaded", actor=user, obj=case, detail={"kind": document.kind})
    return case, document


def todo_scope(user: User) -> tuple[int, tuple[str, ...]] | None:
    """The department and statuses (sorted) of the staff member's to-do (None: he has no queue)."""
    roles = staff_roles(user)
    wanted: set[str] = set()
    if roles & {"window_clerk"}:
        wanted.add(CaseStatus.SUBMITTED)
    if roles & {"approver", "handler"}:
        wanted.add(CaseStatus.ACCEPTED)
    if not wanted:
        return None
    return user.staff_profile.organisation_id, tuple(sorted(wanted))


def staff_todo(user: User) -> QuerySet[Case]:
    """待办: what the staff member's roles can act on in his department, oldest first."""
    scope = todo_scope(user)
    if scope is None:
        return Case.objects.none()
    organisation_id, wanted = scope
    return (
        Case.objects.filter(handling_organisation_id=organisation_id, status__in=list(wanted))
        .select_related("item", "handling_organisation")
        .order_by("submitted_at")
    )


def staff_todo_count(user: User) -> int:
    """How many cases :func:`staff_todo` holds, from the queue counters (no count over the cases)."""
    scope = todo_scope(user)
    return 0 if scope is None else queues.total(*scope)


# --- application ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class MaterialUpload:
    material_id: int | None
    material_name: str
    checked: CheckedUpload


def validate_form_data(item: ServiceItem, form_data: Mapping[str, Any]) -> dict[str, Any]:
    """Check the application form against the item's field list; unknown fields are dropped."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for spec in item.form_fields or []:
        name = spec.get("name")
        if not name:
            continue
        value = form_data.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if spec.get("required"):
                errors[name] = [f"请填写{spec.get('label', name)}"]
            continue
        kind = spec.get("type", "text")
        if kind == "number":
            try:
                value = float(value) if "." in str(value) else int(value)
            except (TypeError, ValueError):
                errors[name] = [f"{spec.get('label', name)}应为数字"]
                continue
        elif kind == "date":
            try:
                value = date.fromisoformat(str(value)).isoformat()
            except ValueError:
                errors[name] = [f"{spec.get('label', name)}应为日期（YYYY-MM-DD）"]
                continue
        elif kind == "select":
            choices = [str(choice) for choice in spec.get("choices", [])]
            if str(value) not in choices:
                errors[name] = [
                    f"{spec.get('label', name)}的取值不在可选范围内（可选：{'、'.join(choices)}）"
                ]
                continue
        else:
            value = str(value)
            if len(value) > 2000:
                errors[name] = [f"{spec.get('label', name)}过长"]
                continue
        clean[name] = value
    if errors:
        raise DomainError(CaseErrorCode.FORM_INVALID, "申请表填写不完整或有误", errors)
    return clean


def check_material_uploads(
    item: ServiceItem,
    files: Mapping[str, Sequence[UploadedFile]],
    *,
    require_mandatory: bool = True,
    applicable_material_ids: Collection[str] | None = None,
    provided_material_ids: Collection[int] = (),
    required_material_ids: Collection[str] | None = None,
) -> list[MaterialUpload]:
    """Validate every file and, for a new application, that every mandatory material is there.

    ``files`` maps a material's public id (or "other") to the uploaded files for it.
    ``applicable_material_ids`` (情形引导): when given, only those materials may be uploaded and
    only the mandatory ones among them are required.  ``provided_material_ids`` (一证通办) are
    materials the platform takes from the licence store, so they need no upload.
    ``required_material_ids`` (情形引导) replaces the materials' own mandatory flags: a material a
    chosen answer adds is required.
    """
    materials = {str(material.public_id): material for material in item.materials.all()}
    if applicable_material_ids is not None:
        wanted = {str(key) for key in applicable_material_ids}
        materials = {key: material for key, material in materials.items() if key in wanted}
    uploads: list[MaterialUpload] = []
    errors: dict[str, list[str]] = {}
    for key, file_list in files.items():
        material = materials.get(str(key))
        if material is None:
            raise DomainError(
                CaseErrorCode.UNKNOWN_MATERIAL, "上传的材料不属于该事项", {str(key): ["未知材料"]}
            )
        for upload in file_list:
            uploads.append(MaterialUpload(material.pk, material.name, check_upload(upload, str(key))))
    if require_mandatory:
        present = {upload.material_id for upload in uploads} | set(provided_material_ids)
        for key, material in materials.items():
            required = material.mandatory if required_material_ids is None else key in required_material_ids
            if required and material.pk not in present:
                errors[key] = [f"缺少必要材料：{material.name}"]
        if errors:
            missing = "、".join(materials[key].name for key in errors)
            raise DomainError(CaseErrorCode.MISSING_MATERIALS, f"以下必要材料尚未上传：{missing}", errors)
    return uploads


def _check_level(user: User, item: ServiceItem, action: str, next_url: str = "") -> None:
    """实名等级: every applicant action needs the item's level (the acting agent's own, too)."""
    require_assurance(user, item.required_assurance_level, action=action, obj=item, next_url=next_url)


def _check_applicant(
    applicant: User, item: ServiceItem, acting_agent: User | None = None, *, in_person: bool = False
) -> None:
    """``in_person``: a window clerk checked the identity document, which stands in for the online
    assurance level (实名等级)."""
    if applicant.kind == AccountKind.STAFF:
        raise PermissionDenied("工作人员账户不能作为申请人提交申请")
    if acting_agent is not None:
        if applicant.kind != AccountKind.LEGAL:
            raise PermissionDenied("只能以法人名义代办", code=CaseErrorCode.APPLICANT_TYPE_NOT_SERVED)
        check_agent_may_act(acting_agent, applicant, item)
        _check_level(acting_agent, item, "apply", f"/items/{item.public_id}/apply/")
    if not in_person:
        _check_level(applicant, item, "apply", f"/items/{item.public_id}/apply/")
    accepted_objects = APPLICANT_OBJECTS.get(applicant.kind, set())
    if item.service_objects and not accepted_objects.intersection(item.service_objects):
        raise DomainError(
            CaseErrorCode.APPLICANT_TYPE_NOT_SERVED,
            "该事项的服务对象不包括您的账户类型",
            {"applicant": [applicant.get_kind_display()]},
            status=403,
        )


def submit_application(
    *,
    applicant: User,
    item: ServiceItem,
    form_data: Mapping[str, Any],
    files: Mapping[str, Sequence[UploadedFile]],
    idempotency_key: str = "",
    delivery_method: str = DeliveryMethod.ELECTRONIC,
    registered_by: User | None = None,
    scenario_answers: Mapping[str, Any] | None = None,
    acting_agent: User | None = None,
    licence_authorisations: Collection[str] = (),
    record_delivery: bool = False,
    delivery_address: str = "",
    delivery_phone: str = "",
) -> Case:
    """申请 + 登记赋码: file an application and give it the unified case number.

    ``acting_agent`` (代办人) is the natural person acting in a legal person's name: his
    authorisation for the item is checked and both are recorded on the case and its first event.

    ``scenario_answers`` (情形引导, ``{question key: option value}``): for an item with scenario
    questions, the answers decide which materials are required; they are checked and kept on the
    case.  ``None`` keeps the plain rule (every mandatory material of the item).

    一证通办 (:mod:`yiwang.cases.licence_materials`): a material declared as an e-licence type is
    taken from the licence store, with the material's legal basis or when the holder lists the
    licence in ``licence_authorisations``; the use is logged with the case number.  Every material
    records its source and trust level (A–D).

    ``record_delivery``: keep the delivery choice (送达方式, with ``delivery_address`` for a courier)
    in the same transaction as the case.

    A repeated ``idempotency_key`` from the same applicant returns the case already filed (a
    double-clicked submit makes one case, not two).
    """
    idempotency_key = (idempotency_key or "").strip()[:100]
    if idempotency_key:
        existing = Case.objects.filter(applicant=applicant, idempotency_key=idempotency_key).first()
        if existing is not None:
            return _replay(existing, item)
    if item.status != ItemStatus.PUBLISHED:
        raise DomainError(CaseErrorCode.ITEM_NOT_AVAILABLE, "该事项未发布或已撤销，暂不能申请", status=409)
    ctx = request_context.current()
    channel = (
        Channel.WINDOW
        if registered_by is not None
        else (ctx.channel if ctx.channel != Channel.SYSTEM else Channel.WEB)
    )
    if registered_by is None and not item.online_apply:
        raise DomainError(CaseErrorCode.ITEM_NOT_AVAILABLE, "该事项不支持网上申请，请到窗口办理", status=409)
    if registered_by is not None and (
        not staff_roles(registered_by) & {"window_clerk"}
        or registered_by.staff_profile.organisation_id != item.implementing_body_id
    ):
        raise PermissionDenied("只有该部门的窗口人员可以代为登记申请", code=CaseErrorCode.ROLE_REQUIRED)
    if delivery_method not in DeliveryMethod.values:
        raise DomainError("validation_error", "送达方式不正确", {"delivery_method": [delivery_method]})
    if record_delivery:
        from yiwang.cases.delivery import validate_choice

        delivery_method, delivery_address, delivery_phone = validate_choice(
            delivery_method, delivery_address, delivery_phone
        )
    _check_applicant(applicant, item, acting_agent, in_person=registered_by is not None)
    scenario = None
    if scenario_answers is not None:
        from yiwang.catalog.scenarios import resolve_answers

        scenario = resolve_answers(item, scenario_answers)
    from yiwang.cases import licence_materials

    applicable_materials = list(item.materials.all()) if scenario is None else list(scenario.materials)
    uploaded_ids = {material.pk for material in applicable_materials if files.get(str(material.public_id))}
    licence_choices = licence_materials.plan(
        applicant, applicable_materials, uploaded_ids, licence_authorisations
    )
    clean_form, uploads = _validate_application(
        item,
        form_data,
        files,
        None if scenario is None else scenario.material_ids,
        provided_material_ids={choice.material.pk for choice in licence_choices},
        required_material_ids=None if scenario is None else scenario.required_material_ids,
    )
    name, id_type, id_number = applicant_identity(applicant)

    # The guide as filed: the same for every filing of this version, so read once per catalogue
    # generation (publishing, withdrawing or editing the item changes the key or the generation).
    snapshot = catalog_cache.cached(
        "case-snapshot", [item.pk, item.version, item.updated_at], lambda: guide_snapshot(item)
    )
    stored: list[str] = []
    try:
        with transaction.atomic():
            case = Case(
                number=_provisional_number(),
                item=item,
                item_version=item.version,
                item_snapshot=snapshot,
                handling_organisation=item.implementing_body,
                applicant=applicant,
                applicant_name=name,
                applicant_id_type=id_type,
                applicant_id_number=id_number,
                applicant_phone=applicant.phone,
                registered_by=registered_by,
                acting_agent=acting_agent,
                channel=channel,
                status=CaseStatus.SUBMITTED,
                form_data=clean_form,
                scenario_answers=scenario.answer_labels() if scenario is not None else [],
                idempotency_key=idempotency_key,
                delivery_method=delivery_method,
                submitted_at=timezone.now(),
            )
            case.save(count_in_queue=False)  # counted with the popularity, below
            _store_materials_tracked(
                case,
                uploads,
                registered_by or applicant,
                0,
                stored,
                source=CaseMaterialSource.CLERK_SCAN if registered_by else CaseMaterialSource.UPLOAD,
            )
            # Numbered only now (files stored, rows written): the day's counter stays locked until
            # commit, and what follows is a handful of short statements.
            case.number = next_case_number(item, _local_today())
            Case.objects.filter(pk=case.pk).update(number=case.number)
            if record_delivery:
                from yiwang.cases.delivery import record_new_choice

                record_new_choice(
                    case, method=delivery_method, address=delivery_address, phone=delivery_phone
                )
            licence_materials.attach(
                case, licence_choices, actor=registered_by or acting_agent or applicant, stored=stored
            )
            applied_data: dict[str, Any] = {
                "materials": len(uploads) + len(licence_choices),
                "item_version": item.version,
            }
            if licence_choices:
                applied_data["e_licences"] = licence_materials.summary(licence_choices)
            if acting_agent is not None:
                applied_data["applicant"] = str(applicant.public_id)
                applied_data["acting_agent"] = str(acting_agent.public_id)
                applied_data["acting_agent_name"] = str(acting_agent)
            # The ranking counter locks the item's row: taken here, after the day's counter of the
            # same item (so no new contention) and before the audit chain (shared by everyone).
            increment_popularity(item)
            queues.count_filed(case)
            _record_event(
                case,
                CaseEventType.APPLIED,
                actor=registered_by or acting_agent or applicant,
                from_status="",
                data=applied_data,
                comment="窗口代为登记" if registered_by else "",
                sequence=1,
            )
            _notify(case, CaseEventType.APPLIED)
    except IntegrityError:
        _cleanup(stored)
        if idempotency_key:
            existing = Case.objects.filter(applicant=applicant, idempotency_key=idempotency_key).first()
            if existing is not None:
                return _replay(existing, item)
        raise
    except BaseException:
        _cleanup(stored)
        raise
    return case


def _validate_application(
    item: ServiceItem,
    form_data: Mapping[str, Any],
    files: Mapping[str, Sequence[UploadedFile]],
    applicable_material_ids: Collection[str] | None = None,
    provided_material_ids: Collection[int] = (),
    required_material_ids: Collection[str] | None = None,
) -> tuple[dict[str, Any], list[MaterialUpload]]:
    """Check the form and the materials together, so the applicant hears of every gap at once."""
    form_error: DomainError | None = None
    clean_form: dict[str, Any] = {}
    try:
        clean_form = validate_form_data(item, form_data)
    except DomainError as exc:
        form_error = exc
    try:
        uploads = check_material_uploads(
            item,
            files,
            applicable_material_ids=applicable_material_ids,
            provided_material_ids=provided_material_ids,
            required_material_ids=required_material_ids,
        )
    except DomainError as exc:
        if form_error is None or exc.code != CaseErrorCode.MISSING_MATERIALS:
            raise  # a bad file (type, size, content) is reported on its own
        raise DomainError(
            CaseErrorCode.FORM_INVALID,
            f"{form_error.message}；{exc.message}",
            {**form_error.fields, **exc.fields},
        ) from exc
    if form_error is not None:
        raise form_error
    return clean_form, uploads


def _replay(existing: Case, item: ServiceItem) -> Case:
    if existing.item_id != item.pk:
        raise Conflict(
            "该幂等键已用于另一事项的申请",
            code=CaseErrorCode.IDEMPOTENCY_CONFLICT,
            fields={"idempotency_key": ["已使用"]},
        )
    return existing


def _store_materials_tracked(
    case: Case,
    uploads: Sequence[MaterialUpload],
    uploaded_by: User,
    correction_round: int,
    stored: list[str],
    *,
    source: str = CaseMaterialSource.UPLOAD,
) -> None:
    for upload in uploads:
        checked = upload.checked
        material = CaseMaterial(
            case=case,
            material_id=upload.material_id,
            material_name=upload.material_name,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            correction_round=correction_round,
            uploaded_by=uploaded_by,
            source=source,
            trust_level=DEFAULT_TRUST_LEVEL[source],
        )
        material.file.save(checked.storage_name, checked.upload, save=False)
        stored.append(str(material.file.name))
        material.save()


def _cleanup(names: Iterable[str]) -> None:
    """Files are written before the rows commit; a failed transaction must not leave orphans."""
    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


# --- pre-review and correction (预审, 一次性告知) -----------------------------------------------
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
    with transaction.atomic():
        locked = _locked_case(case, {CaseStatus.SUBMITTED}, expected_version)
        _require_staff_role(actor, locked, ["window_clerk"])
        materials = {str(m.public_id): m for m in locked.item.materials.all()}
        notice_items: list[dict[str, str]] = []
        for entry in items:
            key = str(entry.get("material_id") or "")
            reason = str(entry.get("reason") or "").strip()
            if key and key not in materials:
                raise DomainError(
                    CaseErrorCode.UNKNOWN_MATERIAL, "补正项不属于该事项的材料", {"items": [key]}
                )
            name = materials[key].name if key else str(entry.get("name") or "").strip()
            if not name:
                raise DomainError(
                    CaseErrorCode.CORRECTION_EMPTY, "补正项须写明材料名称", {"items": ["缺少名称"]}
                )
            notice_items.append({"material_id": key, "name": name, "reason": reason or "请补充或更正"})
        round_number = locked.correction_notices.count() + 1
        notice = CorrectionNotice.objects.create(
            case=locked,
            round=round_number,
            items=notice_items,
            comment=comment,
            issued_by=actor,
            deadline=add_working_days(_local_today(), CORRECTION_DEADLINE_WORKING_DAYS),
        )
        from_status = locked.status
        locked.status = CaseStatus.CORRECTION_REQUIRED
        _save_transition(locked)
        _record_event(
            locked,
            CaseEventType.CORRECTION_REQUESTED,
            actor=actor,
            from_status=from_status,
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
        _notify(locked, CaseEventType.CORRECTION_REQUESTED)
    return notice


def _check_case_party(case: Case, user: User) -> dict[str, Any]:
    """The applicant, or the agent who filed the case in a company's name while still authorised
    (代办); anyone else is told the case does not exist.  Returns what the event records about
    whom an agent acted for."""
    if case.applicant_id == user.pk:
        return {}
    if case.acting_agent_id is not None and case.acting_agent_id == user.pk:
        check_agent_may_act(user, case.applicant, case.item)
        return {"acting_agent_id": user.pk, "acting_for": case.applicant_id_number}
    raise NotFound("办件不存在")


OTHER_PREFIX = "other_"


def _other_correction_uploads(
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
    acting_for = _check_case_party(case, applicant)
    _check_level(applicant, case.item, "correction", f"/my/cases/{case.public_id}/")
    # Files for the notice's items that are not materials of the item ("其他", keyed other_<n>).
    other_files = {key: value for key, value in files.items() if str(key).startswith(OTHER_PREFIX)}
    material_files = {key: value for key, value in files.items() if key not in other_files}
    uploads = check_material_uploads(case.item, material_files, require_mandatory=False)
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = _locked_case(case, {CaseStatus.CORRECTION_REQUIRED})
            notice = locked.correction_notices.filter(resolved_at__isnull=True).order_by("-round").first()
            if notice is None:  # pragma: no cover - the state guarantees an open notice
                raise Conflict("没有待补正的告知", code=CaseErrorCode.INVALID_TRANSITION)
            uploads += _other_correction_uploads(notice.items, other_files)
            requested = {entry["material_id"] for entry in notice.items if entry.get("material_id")}
            supplied = {
                str(m.public_id)
                for m in locked.item.materials.filter(pk__in=[u.material_id for u in uploads])
            }
            still_missing = sorted(requested - supplied)
            if still_missing:
                names = [entry["name"] for entry in notice.items if entry.get("material_id") in still_missing]
                raise DomainError(
                    CaseErrorCode.MISSING_MATERIALS,
                    f"补正告知要求的材料尚未上传：{'、'.join(names)}",
                    {key: ["请上传"] for key in still_missing},
                )
            if not uploads and not form_data:
                raise DomainError(
                    CaseErrorCode.CORRECTION_EMPTY, "请上传补正材料", {"files": ["至少一个文件"]}
                )
            if form_data:
                merged = {**locked.form_data, **dict(form_data)}
                locked.form_data = validate_form_data(locked.item, merged)
            CaseMaterial.objects.filter(
                case=locked, material_id__in=[u.material_id for u in uploads], superseded=False
            ).update(superseded=True)
            _store_materials_tracked(locked, uploads, applicant, notice.round, stored)
            notice.resolved_at = timezone.now()
            notice.save(update_fields=["resolved_at", "updated_at"])
            from_status = locked.status
            locked.status = CaseStatus.SUBMITTED
            _save_transition(locked, "form_data")
            _record_event(
                locked,
                CaseEventType.CORRECTION_SUPPLIED,
                actor=applicant,
                from_status=from_status,
                comment=comment,
                data={"round": notice.round, "files": len(uploads), **acting_for},
            )
            _notify(locked, CaseEventType.CORRECTION_SUPPLIED)
    except BaseException:
        _cleanup(stored)
        raise
    return locked


# --- provisional deadlines (预计办结日期) ------------------------------------------------------------
def recompute_provisional_deadlines(years: Iterable[int] | None = None) -> int:
    """时限重算 Recompute the deadlines counted on a provisional calendar, once its year is official.

    Each case whose ``deadline_provisional`` is set (and, with ``years``, whose clock span touches
    one of them) is locked in id order, its clock rebuilt from its events, and a
    ``deadline_recomputed`` event records the old and new dates; nothing else about the case
    changes.  The applicant is told when a date moved.  Returns how many cases were recomputed.
    """
    from yiwang.cases.clock import recompute_clock

    wanted = sorted(set(years)) if years is not None else None
    candidates = Case.objects.filter(deadline_provisional=True, accepted_at__isnull=False)
    if wanted:
        candidates = candidates.filter(
            Q(due_date__year__gte=wanted[0]) | Q(statutory_due_date__year__gte=wanted[0])
        )
    recomputed = 0
    for case_id in candidates.order_by("id").values_list("id", flat=True).iterator():
        with transaction.atomic():
            locked = Case.objects.select_for_update().select_related("item").filter(pk=case_id).first()
            if locked is None or not locked.deadline_provisional:
                continue
            before = (locked.due_date, locked.statutory_due_date)
            result = recompute_clock(locked)
            if result is None:
                continue
            moved = before != (result.due_date, result.statutory_due_date)
            _record_event(
                locked,
                CaseEventType.DEADLINE_RECOMPUTED,
                actor=None,
                from_status=locked.status,
                comment="按国务院公布的节假日安排重新计算办理时限",
                data={
                    "due_date_before": before[0].isoformat() if before[0] else None,
                    "statutory_due_date_before": before[1].isoformat() if before[1] else None,
                    "due_date": result.due_date.isoformat(),
                    "statutory_due_date": result.statutory_due_date.isoformat(),
                    "provisional": result.provisional,
                    "years": wanted or [],
                },
            )
            if moved and locked.completed_at is None:
                _notify(locked, CaseEventType.DEADLINE_RECOMPUTED)
            recomputed += 1
    return recomputed


# --- acceptance (受理 / 不予受理) ---------------------------------------------------------------
def accept_case(case: Case, *, actor: User, comment: str = "", expected_version: int | None = None) -> Case:
    """受理: the committed and statutory deadlines start counting in working days from today."""
    with transaction.atomic():
        locked = _locked_case(case, {CaseStatus.SUBMITTED}, expected_version)
        _require_staff_role(actor, locked, ["window_clerk"])
        today = _local_today()
        locked.accepted_at = timezone.now()
        locked.due_date = add_working_days(today, locked.item.committed_limit_days)
        locked.statutory_due_date = add_working_days(today, locked.item.statutory_limit_days)
        locked.deadline_provisional = bool(
            provisional_years_between(today, max(locked.due_date, locked.statutory_due_date))
        )
        from_status = locked.status
        locked.status = CaseStatus.ACCEPTED
        _save_transition(locked, "accepted_at", "due_date", "statutory_due_date", "deadline_provisional")
        _record_event(
            locked,
            CaseEventType.ACCEPTED,
            actor=actor,
            from_status=from_status,
            comment=comment,
            data={
                "due_date": locked.due_date.isoformat(),
                "statutory_due_date": locked.statutory_due_date.isoformat(),
                "provisional": locked.deadline_provisional,
            },
        )
        issue_document(
            DocumentKind.ACCEPTANCE_NOTICE,
            case_context(locked),
            organisation=locked.handling_organisation,
            number=locked.number,
            case=locked,
        )
        _notify(locked, CaseEventType.ACCEPTED)
        # 流程驱动: start the item's workflow process in this same transaction (see cases/process.py).
        from yiwang.cases import process

        process.start_for_case(locked, actor=actor)
        from yiwang.cases import variants

        locked = variants.after_acceptance(locked, actor=actor)
    return locked


def refuse_acceptance(case: Case, *, actor: User, reason: str, expected_version: int | None = None) -> Case:
    """不予受理: with the reason, a notice document and the applicant's appeal rights."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(CaseErrorCode.REASON_REQUIRED, "不予受理须说明理由", {"reason": ["必填"]})
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = _refuse_acceptance_locked(case, actor, reason, expected_version, stored)
    except BaseException:
        _cleanup(stored)
        raise
    return locked


def _refuse_acceptance_locked(
    case: Case, actor: User, reason: str, expected_version: int | None, stored: list[str]
) -> Case:
    locked = _locked_case(case, {CaseStatus.SUBMITTED}, expected_version)
    _require_staff_role(actor, locked, ["window_clerk"])
    from_status = locked.status
    locked.status = CaseStatus.NOT_ACCEPTED
    locked.outcome = CaseOutcome.REFUSED
    locked.completed_at = timezone.now()
    locked.decision_comment = reason
    stored.append(_attach_document(locked, DocumentKind.NOT_ACCEPTED_NOTICE, reason=reason))
    _save_transition(
        locked, "outcome", "completed_at", "decision_comment", "result_document", "result_sha256"
    )
    _record_event(locked, CaseEventType.NOT_ACCEPTED, actor=actor, from_status=from_status, comment=reason)
    _notify(locked, CaseEventType.NOT_ACCEPTED)
    return locked


# --- decision and completion (审批 / 办结) ------------------------------------------------------
def decide_case(
    case: Case,
    *,
    actor: User | None,
    approve: bool,
    comment: str = "",
    expected_version: int | None = None,
    process_data: dict[str, Any] | None = None,
) -> Case:
    """批准 or 不予批准, then 办结 with the result document generated as PDF."""
    comment = (comment or "").strip()
    if not approve and not comment:
        raise DomainError(CaseErrorCode.REASON_REQUIRED, "不予批准须说明理由", {"comment": ["必填"]})
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = _decide_locked(case, actor, approve, comment, expected_version, stored, process_data)
    except BaseException:
        _cleanup(stored)
        raise
    return locked


def _decide_locked(
    case: Case,
    actor: User | None,
    approve: bool,
    comment: str,
    expected_version: int | None,
    stored: list[str],
    process_data: dict[str, Any] | None = None,
) -> Case:
    locked = _locked_case(case, {CaseStatus.ACCEPTED}, expected_version)
    from yiwang.cases.variants import check_decision_allowed

    check_decision_allowed(locked)
    if process_data is None:  # a process-driven decision was authorised by the work item (cases/process.py)
        assert actor is not None
        _require_staff_role(actor, locked, ["approver"])
    from_status = locked.status
    locked.status = CaseStatus.COMPLETED
    locked.outcome = CaseOutcome.APPROVED if approve else CaseOutcome.REFUSED
    locked.completed_at = timezone.now()
    locked.decision_comment = comment
    kind = DocumentKind.APPROVAL_DECISION if approve else DocumentKind.REFUSAL_DECISION
    stored.append(_attach_document(locked, kind, comment=comment, reason=comment))
    _save_transition(
        locked, "outcome", "completed_at", "decision_comment", "result_document", "result_sha256"
    )
    _record_event(
        locked,
        CaseEventType.APPROVED if approve else CaseEventType.REFUSED,
        actor=actor,
        from_status=from_status,
        comment=comment,
        data=process_data,
    )
    _record_event(
        locked,
        CaseEventType.COMPLETED,
        actor=actor,
        from_status=from_status,
        data={"outcome": locked.outcome, "result_sha256": locked.result_sha256},
    )
    _notify(locked, CaseEventType.COMPLETED)
    case_completed.send(sender=Case, case=locked, actor=actor)
    return locked


def withdraw_case(case: Case, *, applicant: User, reason: str = "") -> Case:
    """撤回: the applicant withdraws before a decision."""
    acting_for = _check_case_party(case, applicant)
    _check_level(applicant, case.item, "withdraw", f"/my/cases/{case.public_id}/")
    with transaction.atomic():
        locked = _locked_case(
            case, {CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUIRED, CaseStatus.ACCEPTED}
        )
        from_status = locked.status
        locked.status = CaseStatus.WITHDRAWN
        locked.completed_at = timezone.now()
        _save_transition(locked, "completed_at")
        _record_event(
            locked,
            CaseEventType.WITHDRAWN,
            actor=applicant,
            from_status=from_status,
            comment=reason,
            data=acting_for,
        )
        from yiwang.cases.variants import terminate_process

        terminate_process(locked, applicant, "申请人撤回")
        _notify(locked, CaseEventType.WITHDRAWN)
    return locked


def _attach_document(case: Case, kind: str, **context: object) -> str:
    """Issue the result document (文书, see cases/documents.py) and keep it as the case's result."""
    document = issue_document(
        kind,
        case_context(case, **context),
        organisation=case.handling_organisation,
        number=case.number,
        case=case,
        licensing=case.item.item_type == "01",
    )
    case.result_document.name = document.file.name
    case.result_sha256 = document.sha256
    return str(document.file.name)


def status_lookup(number: str, id_tail: str) -> Case:
    """Public status lookup (办件查询) by case number plus the last 4 characters of the applicant's ID."""
    number = (number or "").strip()
    id_tail = (id_tail or "").strip().upper()
    case = (
        Case.objects.filter(number=number)
        .select_related("item")
        # what the public answer shows and the check needs, not the filed guide or form
        .only(
            "number",
            "status",
            "submitted_at",
            "due_date",
            "completed_at",
            "applicant_id_number",
            "item__name",
        )
        .first()
    )
    if case is None or len(id_tail) != 4 or not case.applicant_id_number.upper().endswith(id_tail):
        raise NotFound("未查询到办件，请核对办件编号和证件号后四位")
    return case


def case_queryset_for_events(case: Case) -> QuerySet[CaseEvent]:
    return case.events.order_by("sequence")


def open_correction_notice(case: Case) -> CorrectionNotice | None:
    return case.correction_notices.filter(resolved_at__isnull=True).order_by("-round").first()


def materials_of(case: Case, include_superseded: bool = True) -> QuerySet[CaseMaterial]:
    qs = case.materials.all().order_by("material_name", "correction_round", "created_at")
    return qs if include_superseded else qs.filter(superseded=False)


def verify_material(case: Case, material_public_id: Any, *, actor: User) -> CaseMaterial:
    """核验材料 A window clerk checks an uploaded material against the original: C → B (可信等级).

    Materials at A (from the licence store or shared data) or already at B are not changed (409).
    """
    with transaction.atomic():
        locked = _locked_case(
            case, {CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUIRED, CaseStatus.ACCEPTED}
        )
        _require_staff_role(actor, locked, ["window_clerk", "handler"])
        try:
            material = CaseMaterial.objects.select_for_update().get(case=locked, public_id=material_public_id)
        except (CaseMaterial.DoesNotExist, ValueError, TypeError) as exc:
            raise NotFound("材料不存在") from exc
        if material.trust_level not in (TrustLevel.C, TrustLevel.D):
            raise Conflict(
                f"该材料可信等级已为 {material.trust_level} 级，无需核验",
                code=CaseErrorCode.ALREADY_VERIFIED,
                fields={"trust_level": [material.trust_level]},
            )
        before = material.trust_level
        material.trust_level = TrustLevel.B
        material.verified_by = actor
        material.verified_at = timezone.now()
        material.save(update_fields=["trust_level", "verified_by", "verified_at", "updated_at"])
        audit.record(
            "case.material_verified",
            actor=actor,
            obj=locked,
            detail={
                "number": locked.number,
                "material": material.material_name,
                "from": before,
                "to": TrustLevel.B,
            },
        )
    return material
