"""申请 + 登记赋码 Filing an application: checks, materials, the unified case number, the first event.

:func:`submit_application` runs the steps in order — replay a repeated submission, check the item
and the channel, check the applicant, decide the materials (情形引导, 一证通办) and validate the form
with them — and then files the case in one transaction (:func:`_file`).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Required, TypedDict, Unpack

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.accounts.services import applicant_identity
from yiwang.cases import intake, licence_materials, prefill, queues, shared_materials
from yiwang.cases import reused_materials as reuse
from yiwang.cases.errors import CaseErrorCode
from yiwang.cases.models import (
    Case,
    CaseEventType,
    CaseMaterial,
    CaseMaterialSource,
    CaseNumberSequence,
    CaseStatus,
    DeliveryMethod,
)
from yiwang.cases.services.acceptance import accept_by_rule
from yiwang.cases.services.applicants import check_applicant
from yiwang.cases.services.delivery import record_new_choice, validate_choice
from yiwang.cases.services.materials import (
    MaterialUpload,
    check_form_files,
    form_file_refs,
    store_materials,
    validate_application,
)
from yiwang.cases.transitions import files_removed_on_failure, local_today, notify_applicant, record_event
from yiwang.catalog import cache as catalog_cache
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.catalog.scenarios import resolve_answers
from yiwang.catalog.services import guide_snapshot, increment_popularity
from yiwang.core import request_context
from yiwang.core.errors import Conflict, CoreErrorCode, DomainError, PermissionDenied
from yiwang.core.models import Channel


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


def provisional_number() -> str:
    """A unique placeholder for the instant between inserting a case and numbering it."""
    return f"PENDING-{uuid.uuid4().hex}"


@dataclass(frozen=True)
class _Filing:
    """Everything checked before the filing transaction starts."""

    applicant: User
    item: ServiceItem
    channel: str
    registered_by: User | None
    acting_agent: User | None
    form: dict[str, Any]
    uploads: list[MaterialUpload]
    licence_choices: list[licence_materials.LicenceChoice]
    shared_choices: list[shared_materials.SharedChoice]
    reused: list[reuse.ReusedMaterial]
    scenario_answers: list[Any]
    idempotency_key: str
    delivery: tuple[str, str, str] | None  # (method, address, phone) to record with the case
    delivery_method: str
    form_uploads: Mapping[str, list[MaterialUpload]] = field(default_factory=dict)  # 附件字段

    @property
    def filed_by(self) -> User:
        return self.registered_by or self.acting_agent or self.applicant


class ApplicationArgs(TypedDict, total=False):
    """The keyword arguments of :func:`file_application` (and :func:`submit_application`)."""

    applicant: Required[User]
    item: Required[ServiceItem]
    form_data: Required[Mapping[str, Any]]
    files: Required[Mapping[str, Sequence[UploadedFile]]]
    idempotency_key: str
    delivery_method: str
    registered_by: User | None
    scenario_answers: Mapping[str, Any] | None
    acting_agent: User | None
    licence_authorisations: Collection[str]
    record_delivery: bool
    delivery_address: str
    delivery_phone: str
    reused_materials: Sequence[reuse.ReusedMaterial]
    form_files: Mapping[str, Sequence[UploadedFile]]


def submit_application(**application: Unpack[ApplicationArgs]) -> Case:
    """申请 + 登记赋码: :func:`file_application`, the case only."""
    case, _existed = file_application(**application)
    return case


def file_application(
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
    reused_materials: Sequence[reuse.ReusedMaterial] = (),
    form_files: Mapping[str, Sequence[UploadedFile]] | None = None,
) -> tuple[Case, bool]:
    """申请 + 登记赋码: file an application and give it the unified case number; returns the case and
    whether it had been filed before (an idempotent retry), found with the same one look-up.

    ``acting_agent`` (代办人) is the natural person acting in a legal person's name: his
    authorisation for the item is checked and both are recorded on the case and its first event.

    ``scenario_answers`` (情形引导, ``{question key: option value}``): for an item with scenario
    questions, the answers decide which materials are required; they are checked and kept on the
    case.  ``None`` keeps the plain rule (every mandatory material of the item).

    一证通办 (:mod:`yiwang.cases.licence_materials`): a material declared as an e-licence type is
    taken from the licence store, with the material's legal basis or when the holder lists the
    licence in ``licence_authorisations``; the use is logged with the case number.  Every material
    records its source and trust level (A–D).

    材料库复用 (:mod:`yiwang.cases.reused_materials`): ``reused_materials`` are entries of the
    applicant's material store, resolved by the caller; a material uploaded as well keeps the upload.

    附件字段: ``form_files`` are the files of the form's ``file`` components (``{component key: files}``),
    checked like material uploads and stored as materials of the "other" kind named by the field's
    label; the form data keeps their references (name, sha256 and the stored material's public id).

    ``record_delivery``: keep the delivery choice (送达方式, with ``delivery_address`` for a courier)
    in the same transaction as the case.

    A repeated ``idempotency_key`` from the same applicant returns the case already filed (a
    double-clicked submit makes one case, not two).
    """
    idempotency_key = (idempotency_key or "").strip()[:100]
    existing = _already_filed(applicant, item, idempotency_key)
    if existing is not None:
        return existing, True
    channel = _check_item_open(item, registered_by)
    if delivery_method not in DeliveryMethod.values:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR, "送达方式不正确", {"delivery_method": [delivery_method]}
        )
    delivery = validate_choice(delivery_method, delivery_address, delivery_phone) if record_delivery else None
    check_applicant(applicant, item, acting_agent, in_person=registered_by is not None)
    scenario = None if scenario_answers is None else resolve_answers(item, scenario_answers)
    applicable = list(item.materials.all()) if scenario is None else list(scenario.materials)
    uploaded_ids = {material.pk for material in applicable if files.get(str(material.public_id))}
    applicable_ids = {material.pk for material in applicable}
    reused = [
        r for r in reused_materials if r.material.pk in applicable_ids and r.material.pk not in uploaded_ids
    ]
    uploaded_ids |= {r.material.pk for r in reused}
    licence_choices = licence_materials.plan(applicant, applicable, uploaded_ids, licence_authorisations)
    shared_choices = shared_materials.plan(applicant, item, applicable, uploaded_ids)
    # 预填锁定: a field the law does not let the applicant change keeps the server's prefilled value
    form_data = {**form_data, **prefill.locked_for(applicant, item)}
    form_uploads = check_form_files(item, form_files or {})
    clean_form, uploads = validate_application(
        item,
        form_data,
        files,
        None if scenario is None else scenario.material_ids,
        provided_material_ids={c.material.pk for c in licence_choices}
        | {c.material.pk for c in shared_choices}
        | {r.material.pk for r in reused},
        required_material_ids=None if scenario is None else scenario.required_material_ids,
        form_files=form_file_refs(form_uploads),
    )
    filing = _Filing(
        applicant=applicant,
        item=item,
        channel=channel,
        registered_by=registered_by,
        acting_agent=acting_agent,
        form=clean_form,
        uploads=uploads,
        licence_choices=licence_choices,
        shared_choices=shared_choices,
        reused=reused,
        scenario_answers=scenario.answer_labels() if scenario is not None else [],
        idempotency_key=idempotency_key,
        delivery=delivery,
        delivery_method=delivery[0] if delivery is not None else delivery_method,
        form_uploads={key: value for key, value in form_uploads.items() if key in clean_form},
    )
    try:
        case, outcomes = _file(filing)
    except IntegrityError:
        existing = _already_filed(applicant, item, idempotency_key)
        if existing is not None:
            return existing, True
        raise
    # 秒批 on shared data: an item whose decision table needs only shared data is decided now.
    variables = shared_materials.unattended_variables(item, applicable, outcomes, local_today())
    if variables is not None:
        case = accept_by_rule(case, variables=variables)
    return case, False


def _already_filed(applicant: User, item: ServiceItem, idempotency_key: str) -> Case | None:
    """The case this applicant already filed with ``idempotency_key`` (for the same item; 409 for
    another item), or None."""
    if not idempotency_key:
        return None
    existing = Case.objects.filter(applicant=applicant, idempotency_key=idempotency_key).first()
    if existing is not None and existing.item_id != item.pk:
        raise Conflict(
            "该幂等键已用于另一事项的申请",
            code=CaseErrorCode.IDEMPOTENCY_CONFLICT,
            fields={"idempotency_key": ["已使用"]},
        )
    return existing


def _check_item_open(item: ServiceItem, registered_by: User | None) -> str:
    """The item takes applications through this channel (online, or a clerk of its body at the
    window); returns the channel."""
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
    if registered_by is not None and not intake.may_register(registered_by, item):
        raise PermissionDenied("只有该部门的窗口人员可以代为登记申请", code=CaseErrorCode.ROLE_REQUIRED)
    return channel


def _new_case(filing: _Filing) -> Case:
    """The case row as filed (not yet saved, numbered later)."""
    item, applicant = filing.item, filing.applicant
    name, id_type, id_number = applicant_identity(applicant)
    # The guide as filed: the same for every filing of this version, so read once per catalogue
    # generation (publishing, withdrawing or editing the item changes the key or the generation).
    snapshot = catalog_cache.cached(
        "case-snapshot", [item.pk, item.version, item.updated_at], lambda: guide_snapshot(item)
    )
    return Case(
        number=provisional_number(),
        item=item,
        item_version=item.version,
        item_snapshot=snapshot,
        handling_organisation=item.implementing_body,
        applicant=applicant,
        applicant_name=name,
        applicant_id_type=id_type,
        applicant_id_number=id_number,
        applicant_phone=applicant.phone,
        registered_by=filing.registered_by,
        acting_agent=filing.acting_agent,
        channel=filing.channel,
        status=CaseStatus.SUBMITTED,
        form_data=filing.form,
        scenario_answers=filing.scenario_answers,
        idempotency_key=filing.idempotency_key,
        delivery_method=filing.delivery_method,
        submitted_at=timezone.now(),
    )


def _applied_data(filing: _Filing, outcomes: list[shared_materials.SharedOutcome]) -> dict[str, Any]:
    """What the first event (申请) records."""
    data: dict[str, Any] = {
        "materials": len(filing.uploads)
        + len(filing.licence_choices)
        + len(filing.reused)
        + sum(1 for outcome in outcomes if outcome.data is not None),
        "item_version": filing.item.version,
    }
    if outcomes:
        data["shared_data"] = shared_materials.summary(outcomes)
    if filing.licence_choices:
        data["e_licences"] = licence_materials.summary(filing.licence_choices)
    if filing.reused:
        data["material_store"] = reuse.summary(filing.reused)
    if filing.acting_agent is not None:
        data["applicant"] = str(filing.applicant.public_id)
        data["acting_agent"] = str(filing.acting_agent.public_id)
        data["acting_agent_name"] = str(filing.acting_agent)
    return data


def _with_stored_refs(
    form_data: Mapping[str, Any],
    form_uploads: Sequence[tuple[str, MaterialUpload]],
    rows: Sequence[CaseMaterial],
) -> dict[str, Any]:
    """The form data with each file field's references naming the stored materials, in upload order."""
    refs: dict[str, list[dict[str, str]]] = {}
    for (key, upload), row in zip(form_uploads, rows, strict=True):
        refs.setdefault(key, []).append(
            {"name": upload.checked.original_name, "sha256": row.sha256, "material": str(row.public_id)}
        )
    return {**form_data, **refs}


def _file(filing: _Filing) -> tuple[Case, list[shared_materials.SharedOutcome]]:
    """The filing transaction: the case, its files, the number, the counters and the first event."""
    case = _new_case(filing)
    with files_removed_on_failure() as stored, transaction.atomic():
        case.save()  # counted in the queue below, with the popularity
        form_uploads = [(key, upload) for key, uploads in filing.form_uploads.items() for upload in uploads]
        rows = store_materials(
            case,
            [*filing.uploads, *(upload for _key, upload in form_uploads)],
            filing.registered_by or filing.applicant,
            0,
            stored,
            source=CaseMaterialSource.CLERK_SCAN if filing.registered_by else CaseMaterialSource.UPLOAD,
        )
        # Numbered only now (files stored, rows written): the day's counter stays locked until
        # commit, and what follows is a handful of short statements.
        case.number = next_case_number(filing.item, local_today())
        if form_uploads:  # 附件字段: the form data names the stored materials
            case.form_data = _with_stored_refs(case.form_data, form_uploads, rows[len(filing.uploads) :])
            Case.objects.filter(pk=case.pk).update(number=case.number, form_data=case.form_data)
        else:
            Case.objects.filter(pk=case.pk).update(number=case.number)
        if filing.delivery is not None:
            method, address, phone = filing.delivery
            record_new_choice(case, method=method, address=address, phone=phone)
        licence_materials.attach(case, filing.licence_choices, actor=filing.filed_by, stored=stored)
        reuse.attach(case, filing.reused, actor=filing.filed_by, stored=stored)
        outcomes = shared_materials.fill(case, filing.shared_choices, actor=filing.filed_by, stored=stored)
        applied_data = _applied_data(filing, outcomes)
        # The ranking counter locks the item's row: taken here, after the day's counter of the
        # same item (so no new contention) and before the audit chain (shared by everyone).
        increment_popularity(filing.item)
        queues.count_filed(case)
        record_event(
            case,
            CaseEventType.APPLIED,
            actor=filing.filed_by,
            from_status="",
            data=applied_data,
            comment="窗口代为登记" if filing.registered_by else "",
            sequence=1,
        )
        notify_applicant(case, CaseEventType.APPLIED)
    return case, outcomes
