"""Managing the store: upload a material to it, delete (soft, audited, retention-checked)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.transitions import files_removed_on_failure
from yiwang.cases.uploads import check_upload
from yiwang.catalog.models import Material
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError, NotFound
from yiwang.licences.models import TrustLevel
from yiwang.space.errors import SpaceErrorCode
from yiwang.space.models import MaterialEntrySource, StoredMaterial
from yiwang.space.retention import undecided_cases


def upload_material(
    *,
    owner: User,
    actor: User,
    name: str,
    upload: UploadedFile,
    material_id: UUID | str | None = None,
    valid_until: date | None = None,
) -> StoredMaterial:
    """上传到材料库 A file the applicant keeps for later applications (trust level C: the original
    is still to be checked by a clerk when it is used)."""
    name = " ".join((name or "").split())[:200]
    if not name:
        raise DomainError(SpaceErrorCode.INVALID_INPUT, "请填写材料名称", {"name": ["必填"]})
    material = None
    if material_id:
        material = Material.objects.filter(public_id=material_id).first()
        if material is None:
            raise DomainError(SpaceErrorCode.INVALID_INPUT, "目录材料不存在", {"material": ["未知材料"]})
    checked = check_upload(upload, "file")
    entry = StoredMaterial(
        owner=owner,
        name=name,
        material=material,
        licence_type_code=(material.licence_type_code.strip().upper() if material else "")[:40],
        source=MaterialEntrySource.UPLOADED,
        trust_level=TrustLevel.C,
        valid_until=valid_until,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    with files_removed_on_failure() as stored, transaction.atomic():
        entry.file.save(checked.storage_name, checked.upload, save=False)
        stored.append(str(entry.file.name))
        entry.save()
        audit.record(
            "space.material_uploaded",
            actor=actor,
            obj=entry,
            detail={"name": entry.name, "owner": str(owner.public_id), "sha256": entry.sha256},
        )
    return entry


def delete_material(entry: StoredMaterial, *, actor: User) -> StoredMaterial:
    """删除 Remove the entry from the store (soft): refused (409) while a case using it is
    undecided; the cases keep their own copies."""
    with transaction.atomic():
        locked = StoredMaterial.objects.select_for_update().filter(pk=entry.pk).first()
        if locked is None:
            raise NotFound("材料不存在", code=SpaceErrorCode.NOT_FOUND)
        if locked.deleted_at is not None:
            raise Conflict("该材料已删除", code=SpaceErrorCode.MATERIAL_DELETED)
        blocking = undecided_cases(locked)
        if blocking:
            numbers = "、".join(case.number for case in blocking[:5])
            raise Conflict(
                f"以下办件尚未办结，暂不能删除该材料：{numbers}",
                code=SpaceErrorCode.MATERIAL_IN_USE,
                fields={"cases": [case.number for case in blocking[:5]]},
            )
        locked.deleted_at = timezone.now()
        locked.deleted_by = actor
        locked.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
        audit.record(
            "space.material_deleted",
            actor=actor,
            obj=locked,
            detail={"name": locked.name, "owner_id": locked.owner_id, "source": locked.source},
        )
    return locked
