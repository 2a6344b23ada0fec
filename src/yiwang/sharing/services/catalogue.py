"""The catalogue (资源编目): catalogues, and resources edited by their provider's data officials.

A resource is written as a draft, submitted for review (``review.py``), then published.  Editing a
published resource starts the next version as a draft; consumers keep the published one until the
new version is reviewed and published."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.errors import Conflict, CoreErrorCode, DomainError
from yiwang.core.models import Organisation
from yiwang.sharing.errors import SharingErrorCode
from yiwang.sharing.models import (
    Catalogue,
    CatalogueKind,
    FieldDataType,
    OpenType,
    Resource,
    ResourceField,
    ResourceFormat,
    ResourceStatus,
    Sensitivity,
    ShareType,
    SubjectKind,
    UpdateCycle,
)
from yiwang.sharing.services.permissions import (
    is_catalogue_manager,
    is_official_of,
    require_data_official,
    require_official_of,
)

FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
MAX_FIELDS = 200
#: The definition of a resource: what a provider writes and a version snapshots.
DEFINITION_KEYS = (
    "name",
    "description",
    "format",
    "update_cycle",
    "share_type",
    "share_conditions",
    "no_share_basis",
    "open_type",
    "service",
    "subject_kind",
)
EDITABLE = {ResourceStatus.DRAFT, ResourceStatus.PUBLISHED}


def _invalid(message: str, field: str, value: Any = None) -> DomainError:
    return DomainError(
        CoreErrorCode.VALIDATION_ERROR, message, {field: [message if value is None else str(value)]}
    )


# --- catalogues ---------------------------------------------------------------------------------
def create_catalogue(
    *,
    actor: User,
    kind: str,
    code: str,
    name: str,
    parent: Catalogue | None = None,
    organisation: Organisation | None = None,
    description: str = "",
    order: int = 0,
) -> Catalogue:
    """新建目录: a department catalogue by its organisation's data official; base and thematic
    catalogues by a catalogue manager (数据专员 of region scope)."""
    require_data_official(actor)
    if kind not in CatalogueKind.values:
        raise _invalid("目录类型不正确", "kind", kind)
    if kind == CatalogueKind.DEPARTMENT:
        if organisation is None:
            raise _invalid("部门目录须指定所属部门", "organisation")
        if not (is_official_of(actor, organisation.pk) or is_catalogue_manager(actor)):
            raise DomainError(SharingErrorCode.NOT_PROVIDER, "只能为本部门编制部门目录", status=403)
    elif not is_catalogue_manager(actor):
        raise DomainError(SharingErrorCode.NOT_REVIEWER, "基础目录和主题目录由目录管理部门编制", status=403)
    code, name = code.strip(), name.strip()
    if not CODE.match(code):
        raise _invalid("目录代码只能包含字母、数字、点、横线和下划线", "code", code)
    if not name:
        raise _invalid("请填写目录名称", "name")
    if parent is not None and parent.kind != kind:
        raise _invalid("上级目录的类型须相同", "parent", parent.code)
    with transaction.atomic():
        if Catalogue.objects.filter(code=code).exists():
            raise Conflict("目录代码已存在", code=SharingErrorCode.DUPLICATE_CODE, fields={"code": [code]})
        catalogue = Catalogue.objects.create(
            kind=kind,
            code=code,
            name=name,
            parent=parent,
            organisation=organisation,
            description=description,
            order=order,
        )
        audit.record(
            "sharing.catalogue_created", actor=actor, obj=catalogue, detail={"code": code, "kind": kind}
        )
    return catalogue


def may_edit_catalogue(user: Any, catalogue: Catalogue) -> bool:
    if catalogue.kind == CatalogueKind.DEPARTMENT:
        return is_official_of(user, catalogue.organisation_id) or is_catalogue_manager(user)
    return is_catalogue_manager(user)


def update_catalogue(
    catalogue: Catalogue, *, actor: User, name: str, description: str = "", order: int = 0
) -> Catalogue:
    require_data_official(actor)
    if not may_edit_catalogue(actor, catalogue):
        raise DomainError(SharingErrorCode.NOT_PROVIDER, "您不能修改该目录", status=403)
    if not name.strip():
        raise _invalid("请填写目录名称", "name")
    with transaction.atomic():
        locked = Catalogue.objects.select_for_update().get(pk=catalogue.pk)
        locked.name, locked.description, locked.order = name.strip(), description, order
        locked.save(update_fields=["name", "description", "order", "updated_at"])
        audit.record("sharing.catalogue_updated", actor=actor, obj=locked, detail={"name": locked.name})
    return locked


# --- resources ------------------------------------------------------------------------------------
def clean_definition(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The domain rules of a definition (the schemas check types and lengths)."""
    data = {key: definition.get(key, "") for key in DEFINITION_KEYS}
    data["name"] = str(data["name"]).strip()
    if not data["name"]:
        raise _invalid("请填写资源名称", "name")
    choices = {
        "format": (ResourceFormat, ResourceFormat.API),
        "update_cycle": (UpdateCycle, UpdateCycle.DAILY),
        "share_type": (ShareType, ShareType.CONDITIONAL),
        "open_type": (OpenType, OpenType.CLOSED),
        "subject_kind": (SubjectKind, SubjectKind.NONE),
    }
    for key, (enum, default) in choices.items():
        data[key] = data[key] or default
        if data[key] not in enum.values:
            raise _invalid("取值不正确", key, data[key])
    for key in ("description", "share_conditions", "no_share_basis", "service"):
        data[key] = str(data[key] or "").strip()
    if data["share_type"] == ShareType.NONE and not data["no_share_basis"]:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR,
            "不予共享的资源须注明法律、行政法规或政策依据",
            {"no_share_basis": ["不予共享时必填"]},
        )
    if data["share_type"] == ShareType.CONDITIONAL and not data["share_conditions"]:
        data["share_conditions"] = "经提供方审核同意"
    return data


def clean_fields(fields: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for spec in fields:
        name = str(spec.get("name", "")).strip()
        if not FIELD_NAME.match(name):
            raise DomainError(
                SharingErrorCode.INVALID_FIELDS, "信息项名称须为小写字母开头的标识符", {"fields": [name]}
            )
        if name in seen:
            raise DomainError(SharingErrorCode.INVALID_FIELDS, "信息项名称重复", {"fields": [name]})
        seen.add(name)
        data_type = spec.get("data_type") or FieldDataType.STRING
        sensitivity = spec.get("sensitivity") or Sensitivity.INTERNAL
        if data_type not in FieldDataType.values or sensitivity not in Sensitivity.values:
            raise DomainError(SharingErrorCode.INVALID_FIELDS, "信息项类型或分级不正确", {"fields": [name]})
        is_personal = bool(spec.get("is_personal")) or sensitivity == Sensitivity.PERSONAL
        cleaned.append(
            {
                "name": name,
                "label": str(spec.get("label") or name).strip()[:100],
                "data_type": data_type,
                "sensitivity": Sensitivity.PERSONAL if is_personal else sensitivity,
                "is_personal": is_personal,
                "description": str(spec.get("description") or "")[:300],
            }
        )
    if not cleaned:
        raise DomainError(SharingErrorCode.INVALID_FIELDS, "资源至少需要一个信息项", {"fields": ["必填"]})
    if len(cleaned) > MAX_FIELDS:
        raise DomainError(
            SharingErrorCode.INVALID_FIELDS, f"信息项不能超过 {MAX_FIELDS} 个", {"fields": ["过多"]}
        )
    return cleaned


def _catalogues(actor: User, provider: Organisation, catalogue_ids: Iterable[UUID]) -> list[Catalogue]:
    wanted = set(catalogue_ids)
    found = list(Catalogue.objects.filter(public_id__in=wanted))
    if len(found) != len(wanted):
        raise _invalid("目录不存在", "catalogue_ids")
    for catalogue in found:
        if catalogue.kind == CatalogueKind.DEPARTMENT and catalogue.organisation_id != provider.pk:
            raise _invalid("资源只能编入本部门的部门目录", "catalogue_ids", catalogue.code)
    return found


def next_resource_code(provider: Organisation) -> str:
    """资源代码: the provider's credit code, a dash and a 5-digit sequence (``…-00001``)."""
    prefix = f"{provider.credit_code}-"
    codes = Resource.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(code[len(prefix) :]) for code in codes if code[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:05d}"


def _write_fields(resource: Resource, fields: list[dict[str, Any]]) -> None:
    resource.fields.all().delete()
    ResourceField.objects.bulk_create(
        [ResourceField(resource=resource, order=index, **spec) for index, spec in enumerate(fields)]
    )


def create_resource(
    *,
    actor: User,
    provider: Organisation,
    definition: Mapping[str, Any],
    fields: Iterable[Mapping[str, Any]],
    catalogue_ids: Iterable[UUID] = (),
) -> Resource:
    """编目: a new resource of ``provider``, as a draft (version 1)."""
    require_official_of(actor, provider, "编制本部门的信息资源")
    data = clean_definition(definition)
    cleaned = clean_fields(fields)
    catalogues = _catalogues(actor, provider, catalogue_ids)
    for attempt in range(3):
        try:
            with transaction.atomic():
                resource = Resource.objects.create(
                    code=next_resource_code(provider), provider=provider, created_by=actor, **data
                )
                resource.catalogues.set(catalogues)
                _write_fields(resource, cleaned)
                audit.record(
                    "sharing.resource_created",
                    actor=actor,
                    obj=resource,
                    detail={"code": resource.code, "name": resource.name, "fields": len(cleaned)},
                )
            return resource
        except IntegrityError:  # two officials took the same sequence number: take the next
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def update_resource(
    resource: Resource,
    *,
    actor: User,
    definition: Mapping[str, Any],
    fields: Iterable[Mapping[str, Any]],
    catalogue_ids: Iterable[UUID] = (),
) -> Resource:
    """修改: a draft is changed in place; a published resource gets its next version as a draft
    (consumers keep the published version until the new one is reviewed and published)."""
    require_official_of(actor, resource.provider, "修改本部门的信息资源")
    data = clean_definition(definition)
    cleaned = clean_fields(fields)
    catalogues = _catalogues(actor, resource.provider, catalogue_ids)
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        if locked.status not in EDITABLE:
            raise Conflict(
                f"资源当前状态为“{locked.get_status_display()}”，不能修改",
                code=SharingErrorCode.INVALID_TRANSITION,
            )
        from_status = locked.status
        if locked.status == ResourceStatus.PUBLISHED:
            locked.version += 1
            locked.status = ResourceStatus.DRAFT
        for key, value in data.items():
            setattr(locked, key, value)
        locked.lock_version += 1
        locked.save(update_fields=[*DEFINITION_KEYS, "version", "status", "lock_version", "updated_at"])
        locked.catalogues.set(catalogues)
        _write_fields(locked, cleaned)
        audit.record(
            "sharing.resource_updated",
            actor=actor,
            obj=locked,
            detail={"from": from_status, "version": locked.version, "fields": len(cleaned)},
        )
    return locked


def retire_resource(resource: Resource, *, actor: User, reason: str) -> Resource:
    """停用: nothing more can be requested; the gateway refuses calls (``active_grant`` is None)."""
    require_official_of(actor, resource.provider, "停用本部门的信息资源")
    if not reason.strip():
        raise DomainError(SharingErrorCode.REASON_REQUIRED, "请填写停用原因", {"reason": ["必填"]})
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        if locked.published_version is None or locked.status == ResourceStatus.RETIRED:
            raise Conflict("只有已发布的资源可以停用", code=SharingErrorCode.INVALID_TRANSITION)
        from_status = locked.status
        locked.status = ResourceStatus.RETIRED
        locked.lock_version += 1
        locked.save(update_fields=["status", "lock_version", "updated_at"])
        audit.record(
            "sharing.resource_retired",
            actor=actor,
            obj=locked,
            detail={"from": from_status, "reason": reason[:300], "at": timezone.now()},
        )
    return locked
