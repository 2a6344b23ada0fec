"""Application forms and materials (申请表与材料): validation, storage and the clerk's check (核验)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.errors import CaseErrorCode
from yiwang.cases.models import DEFAULT_TRUST_LEVEL, Case, CaseMaterial, CaseMaterialSource, CaseStatus
from yiwang.cases.transitions import transition
from yiwang.cases.uploads import CheckedUpload, check_upload
from yiwang.catalog.forms import definition_of, leaves, validate_submission
from yiwang.catalog.models import ServiceItem
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError, NotFound
from yiwang.licences.models import TrustLevel


@dataclass(frozen=True)
class MaterialUpload:
    material_id: int | None
    material_name: str
    checked: CheckedUpload


def validate_form_data(
    item: ServiceItem,
    form_data: Mapping[str, Any],
    *,
    prefilled_locked: Mapping[str, Any] | None = None,
    files: Mapping[str, Sequence[Any]] | None = None,
) -> dict[str, Any]:
    """Check the application form with the e-form engine on the item's definition (电子表单):
    unknown fields and hidden fields are dropped, computed fields recomputed."""
    return validate_submission(
        definition_of(item.form_definition, item.form_fields),
        form_data,
        prefilled_locked=prefilled_locked,
        files=files,
        error_code=CaseErrorCode.FORM_INVALID,
    )


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


def check_form_files(
    item: ServiceItem, form_files: Mapping[str, Sequence[UploadedFile]]
) -> dict[str, list[MaterialUpload]]:
    """附件字段 The files of the form's ``file`` components (``{component key: files}``), checked like
    material uploads (type, size, content); each becomes a material of the "other" kind named by the
    field's label.  A key that is not a file field of the item's form is refused."""
    definition = definition_of(item.form_definition, item.form_fields)
    fields = {
        leaf.key: leaf.component for leaf in leaves(definition) if leaf.type == "file" and leaf.table is None
    }
    checked: dict[str, list[MaterialUpload]] = {}
    for key, uploads in form_files.items():
        component = fields.get(str(key))
        if component is None:
            raise DomainError(
                CaseErrorCode.UNKNOWN_MATERIAL, "上传的附件不属于该申请表", {str(key): ["未知附件字段"]}
            )
        label = str(component.get("label") or key)[:200]
        checked[str(key)] = [
            MaterialUpload(None, label, check_upload(upload, str(key))) for upload in uploads
        ]
    return checked


def form_file_refs(form_uploads: Mapping[str, Sequence[MaterialUpload]]) -> dict[str, list[dict[str, str]]]:
    """The references the form data keeps for the checked files (the stored material is added at filing)."""
    return {
        key: [{"name": u.checked.original_name, "sha256": u.checked.sha256} for u in uploads]
        for key, uploads in form_uploads.items()
    }


def validate_application(
    item: ServiceItem,
    form_data: Mapping[str, Any],
    files: Mapping[str, Sequence[UploadedFile]],
    applicable_material_ids: Collection[str] | None = None,
    provided_material_ids: Collection[int] = (),
    required_material_ids: Collection[str] | None = None,
    form_files: Mapping[str, Sequence[Any]] | None = None,
) -> tuple[dict[str, Any], list[MaterialUpload]]:
    """Check the form and the materials together, so the applicant hears of every gap at once.

    ``form_files``: the references of the checked files of the form's file fields (:func:`form_file_refs`);
    a file field never takes references from ``form_data`` (they could name files never uploaded)."""
    form_error: DomainError | None = None
    clean_form: dict[str, Any] = {}
    try:
        clean_form = validate_form_data(item, form_data, files=form_files or {})
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


def require_supplied(
    case: Case, wanted: Sequence[Mapping[str, Any]], uploads: Sequence[MaterialUpload], message: str
) -> None:
    """Every material listed in ``wanted`` (entries with ``material_id`` and ``name``) is among
    ``uploads`` (400 ``missing_materials`` naming the rest)."""
    requested = {entry["material_id"] for entry in wanted if entry.get("material_id")}
    supplied = {str(m.public_id) for m in case.item.materials.filter(pk__in=[u.material_id for u in uploads])}
    missing = sorted(requested - supplied)
    if missing:
        names = [entry["name"] for entry in wanted if entry.get("material_id") in missing]
        raise DomainError(
            CaseErrorCode.MISSING_MATERIALS,
            f"{message}：{'、'.join(names)}",
            {key: ["请上传"] for key in missing},
        )


def replace_materials(
    case: Case,
    uploads: Sequence[MaterialUpload],
    uploaded_by: User,
    correction_round: int,
    stored: list[str],
) -> None:
    """Store supplied files, marking the earlier files of the same materials as superseded."""
    CaseMaterial.objects.filter(
        case=case, material_id__in=[u.material_id for u in uploads], superseded=False
    ).update(superseded=True)
    store_materials(case, uploads, uploaded_by, correction_round, stored)


def store_materials(
    case: Case,
    uploads: Sequence[MaterialUpload],
    uploaded_by: User,
    correction_round: int,
    stored: list[str],
    *,
    source: str = CaseMaterialSource.UPLOAD,
) -> list[CaseMaterial]:
    """Write the files and their rows (returned in the order of ``uploads``); each stored name is
    added to ``stored`` for cleanup.

    The rows go in with one INSERT (``bulk_create``; the primary keys come back on PostgreSQL and
    SQLite alike): a filing with five materials is one statement, not five.  No signal listens to
    material rows."""
    materials: list[CaseMaterial] = []
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
        materials.append(material)
    if materials:
        CaseMaterial.objects.bulk_create(materials)
    return materials


def verify_material(case: Case, material_public_id: Any, *, actor: User) -> CaseMaterial:
    """核验材料 A window clerk checks an uploaded material against the original: C → B (可信等级).

    Materials at A (from the licence store or shared data) or already at B are not changed (409).
    """
    open_statuses = {CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUIRED, CaseStatus.ACCEPTED}
    with transition(case, open_statuses, actor=actor, roles=["window_clerk", "handler"]) as t:
        try:
            material = CaseMaterial.objects.select_for_update().get(case=t.case, public_id=material_public_id)
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
            obj=t.case,
            detail={
                "number": t.case.number,
                "material": material.material_name,
                "from": before,
                "to": TrustLevel.B,
            },
        )
    return material
