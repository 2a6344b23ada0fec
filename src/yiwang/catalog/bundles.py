"""一件事 "One thing" bundles: definition (validated, atomic, audited), the merged form and the
deduplicated material list.

Deduplication (材料只交一次): materials of different member items are the same material when they
have the same e-licence type (``Material.licence_type_code``, or the e-licence a well-known name
denotes, e.g. any "居民身份证…" is the 居民身份证 licence) or the same normalised name.
:func:`bundle_materials` returns one row per distinct material with every member that needs it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from yiwang.accounts.models import User
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import (
    Bundle,
    BundleAudience,
    BundleField,
    BundleFieldMapping,
    BundleMember,
    BundleStatus,
    ItemStatus,
    Material,
    ServiceItem,
)
from yiwang.catalog.permissions import require_service_manager
from yiwang.catalog.reads import is_uuid
from yiwang.core import audit
from yiwang.core.errors import DomainError, NotFound

# Well-known e-licences (电子证照) by the words of a material name: the first pattern found wins.
LICENCE_PATTERNS: tuple[tuple[str, str], ...] = (
    ("临时居民身份证", "临时居民身份证"),
    ("居民身份证", "居民身份证"),
    ("身份证", "居民身份证"),
    ("户口簿", "居民户口簿"),
    ("户口本", "居民户口簿"),
    ("出生医学证明", "出生医学证明"),
    ("结婚证", "结婚证"),
    ("营业执照", "营业执照"),
    ("食品经营许可证", "食品经营许可证"),
    ("社会保障卡", "社会保障卡"),
    ("社保卡", "社会保障卡"),
    ("不动产权证", "不动产权证书"),
    ("房屋租赁合同", "房屋租赁合同备案证明"),
    ("退休证", "退休证"),
)
_STRIP_RE = re.compile(r"[\s（）()【】\[\]“”\"'、，,。.：:；;]+")
_COPY_RE = re.compile(r"(原件|复印件|及复印件|原件及复印件|正副本|正本|副本)$")


def licence_type_of(material: Material) -> str:
    """The e-licence type of a material: its ``licence_type_code``, or the licence its name denotes
    when the name *ends* with a licence's name ("父母双方居民身份证", "营业执照正、副本",
    "营业执照或者其他主体资格证明文件"), not a form about it ("出生医学证明信息登记表")."""
    code = getattr(material, "licence_type_code", "") or ""
    if code:
        return code
    name = normalised_name(material.name).replace("正副本", "")
    candidates = {name, normalised_name(name.split("或", 1)[0])}
    for word, licence in LICENCE_PATTERNS:
        if any(candidate.endswith(word) for candidate in candidates):
            return licence
    return ""


def normalised_name(name: str) -> str:
    """材料名称归一: without spaces, punctuation and "原件/复印件" suffixes."""
    text = _STRIP_RE.sub("", name or "")
    previous = None
    while previous != text:
        previous, text = text, _COPY_RE.sub("", text)
    return text


def material_key(material: Material) -> str:
    licence = licence_type_of(material)
    return f"licence:{licence}" if licence else f"name:{normalised_name(material.name)}"


@dataclass
class BundleMaterial:
    """One material of a bundle, asked once, and the members that need it."""

    key: str
    name: str
    licence_type: str
    mandatory: bool
    originals: int
    copies: int
    description: str
    source: str
    members: list[BundleMember] = field(default_factory=list)
    materials: list[Material] = field(default_factory=list)

    @property
    def shared(self) -> bool:
        return len(self.members) > 1


def bundle_materials(bundle: Bundle) -> list[BundleMaterial]:
    """材料去重 The bundle's materials, each asked once, in member then material order.

    A material is mandatory for the bundle when any member requires it; the originals and copies
    are the largest any member asks for.
    """
    rows: dict[str, BundleMaterial] = {}
    for member in _members(bundle):
        for material in member.item.materials.all():
            key = material_key(material)
            row = rows.get(key)
            if row is None:
                row = rows[key] = BundleMaterial(
                    key=key,
                    name=material.name,
                    licence_type=licence_type_of(material),
                    mandatory=material.mandatory,
                    originals=material.originals,
                    copies=material.copies,
                    description=material.description,
                    source=material.source,
                )
            else:
                row.mandatory = row.mandatory or material.mandatory
                row.originals = max(row.originals, material.originals)
                row.copies = max(row.copies, material.copies)
            if member not in row.members:
                row.members.append(member)
            row.materials.append(material)
    return list(rows.values())


def material_count_without_bundle(bundle: Bundle) -> int:
    """How many materials the members would ask for one by one (for "少交 N 份" figures)."""
    return sum(len(member.item.materials.all()) for member in _members(bundle))


@dataclass
class MergedField:
    field: BundleField
    targets: list[tuple[BundleMember, str]]


@dataclass
class MergedForm:
    """多表合一 The merged form: shared fields, then what each member still asks on its own."""

    fields: list[MergedField]
    remaining: list[tuple[BundleMember, list[dict[str, Any]]]]

    @property
    def field_count_without_bundle(self) -> int:
        mapped = sum(len(f.targets) for f in self.fields)
        return mapped + sum(len(specs) for _, specs in self.remaining)


def merged_form(bundle: Bundle) -> MergedForm:
    members = _members(bundle)
    merged = []
    mapped: set[tuple[int, str]] = set()
    for bundle_field in bundle.fields.all():
        targets = []
        for mapping in bundle_field.mappings.all():
            member = next((m for m in members if m.pk == mapping.member_id), None)
            if member is not None:
                targets.append((member, mapping.item_field))
                mapped.add((member.pk, mapping.item_field))
        merged.append(MergedField(bundle_field, targets))
    remaining = []
    for member in members:
        specs = [
            spec for spec in member.item.form_fields or [] if (member.pk, str(spec.get("name"))) not in mapped
        ]
        if specs:
            remaining.append((member, specs))
    return MergedForm(merged, remaining)


def split_form_data(bundle: Bundle, values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Spread the merged form's values onto each member item's form: ``{item public id: form}``."""
    result: dict[str, dict[str, Any]] = {str(m.item.public_id): {} for m in _members(bundle)}
    for merged in merged_form(bundle).fields:
        if merged.field.name in values:
            for member, item_field in merged.targets:
                result[str(member.item.public_id)][item_field] = values[merged.field.name]
    return result


# --- reading -------------------------------------------------------------------------------------
def _members(bundle: Bundle) -> list[BundleMember]:
    return list(bundle.members.all())


def bundle_queryset(published_only: bool = True) -> QuerySet[Bundle]:
    """Bundles with everything the guide shows, prefetched (a fixed number of queries)."""
    members = BundleMember.objects.select_related("item__implementing_body").prefetch_related(
        "item__materials"
    )
    if published_only:
        members = members.filter(item__status=ItemStatus.PUBLISHED)
    bundles = Bundle.objects.prefetch_related(
        Prefetch("members", queryset=members.order_by("order", "pk")),
        Prefetch("fields", queryset=BundleField.objects.prefetch_related("mappings").order_by("order", "pk")),
    )
    if published_only:
        bundles = bundles.filter(status=BundleStatus.PUBLISHED)
    return bundles.order_by("order", "name")


def list_bundles(audience: str | None = None) -> list[Bundle]:
    """一件事列表 Published bundles (optionally of one audience) with their members."""
    bundles = bundle_queryset()
    if audience:
        if audience not in BundleAudience.values:
            return []
        bundles = bundles.filter(audience=audience)
    return list(bundles)


def get_published_bundle(public_id: Any) -> Bundle:
    bundle = bundle_queryset().filter(public_id=public_id).first() if is_uuid(public_id) else None
    if bundle is None:
        raise NotFound("该“一件事”不存在或未发布", code=CatalogErrorCode.BUNDLE_NOT_FOUND)
    return bundle


def bundle_dict(bundle: Bundle, *, detail: bool = False) -> dict[str, Any]:
    """The public JSON of a bundle (the API and the export)."""
    members = _members(bundle)
    data: dict[str, Any] = {
        "public_id": bundle.public_id,
        "code": bundle.code,
        "name": bundle.name,
        "audience": bundle.audience,
        "audience_label": str(bundle.get_audience_display()),
        "event": bundle.event,
        "description": bundle.description,
        "lead_department": bundle.lead_department,
        "committed_limit_days": bundle.committed_limit_days,
        "visits_required": bundle.visits_required,
        "members": [
            {
                "public_id": member.item.public_id,
                "name": member.item.name,
                "implementation_code": member.item.implementation_code,
                "department": member.item.implementing_body.name,
                "optional": member.optional,
            }
            for member in members
        ],
    }
    if detail:
        form = merged_form(bundle)
        data["fields"] = [
            {
                "name": merged.field.name,
                "label": merged.field.label,
                "type": merged.field.type,
                "required": merged.field.required,
                "choices": list(merged.field.choices or []),
                "help_text": merged.field.help_text,
                "maps_to": [
                    {"item_public_id": member.item.public_id, "item_name": member.item.name, "field": name}
                    for member, name in merged.targets
                ],
            }
            for merged in form.fields
        ]
        data["member_fields"] = [
            {"item_public_id": member.item.public_id, "item_name": member.item.name, "fields": specs}
            for member, specs in form.remaining
        ]
        data["materials"] = [
            {
                "name": row.name,
                "licence_type": row.licence_type,
                "mandatory": row.mandatory,
                "originals": row.originals,
                "copies": row.copies,
                "description": row.description,
                "source": row.source,
                "needed_by": [member.item.name for member in row.members],
            }
            for row in bundle_materials(bundle)
        ]
        data["materials_without_bundle"] = material_count_without_bundle(bundle)
    return data


# --- definition (state change) -------------------------------------------------------------------
class MappingSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: str = Field(min_length=1, description="成员事项实施编码")
    field: str = Field(min_length=1, max_length=50)


class FieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,49}$")
    label: str = Field(min_length=1, max_length=100)
    type: Literal["text", "textarea", "date", "number", "select"] = "text"
    required: bool = False
    choices: list[str] = Field(default_factory=list)
    help_text: str = Field(default="", max_length=300)
    maps_to: list[MappingSpec] = Field(default_factory=list)


class MemberSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: str = Field(min_length=1, description="实施编码")
    optional: bool = False


class BundleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,39}$")
    name: str = Field(min_length=1, max_length=100)
    audience: Literal["person", "business"]
    event: str = Field(min_length=1, max_length=100)
    description: str = ""
    lead_department: str = Field(default="", max_length=100)
    committed_limit_days: int = Field(default=0, ge=0, le=365)
    visits_required: int = Field(default=0, ge=0, le=10)
    order: int = Field(default=0, ge=0, le=999)
    members: list[MemberSpec] = Field(min_length=2, max_length=30)
    fields: list[FieldSpec] = Field(default_factory=list)


def _pydantic_fields(exc: PydanticValidationError) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in exc.errors():
        fields.setdefault(".".join(str(p) for p in error["loc"]) or "__all__", []).append(str(error["msg"]))
    return fields


def save_bundle(spec: Mapping[str, Any], *, actor: User | None, publish: bool = False) -> Bundle:
    """定义一件事 Create or replace (by ``code``) a bundle: members by implementation code, merged
    fields with their mappings onto member form fields.  Every member must be a live item and every
    mapping must name a field of that member's form.  ``publish`` publishes it at once.
    """
    require_service_manager(actor)
    try:
        data = BundleSpec.model_validate(spec)
    except PydanticValidationError as exc:
        raise DomainError(
            CatalogErrorCode.INVALID_BUNDLE, "“一件事”定义不正确", _pydantic_fields(exc)
        ) from exc
    errors: dict[str, list[str]] = {}
    codes = [member.item for member in data.members]
    items = {
        item.implementation_code: item
        for item in ServiceItem.objects.filter(implementation_code__in=codes, revision_of__isnull=True)
    }
    if len(codes) != len(set(codes)):
        errors["members"] = ["成员事项重复"]
    for index, code in enumerate(codes):
        if code not in items:
            errors[f"members.{index}"] = [f"实施编码 {code} 的事项不存在"]
    names = [f.name for f in data.fields]
    if len(names) != len(set(names)):
        errors["fields"] = ["字段名重复"]
    used: set[tuple[str, str]] = set()
    for f_index, bundle_field in enumerate(data.fields):
        if bundle_field.type == "select" and not bundle_field.choices:
            errors[f"fields.{f_index}"] = ["下拉字段需要可选项"]
        for m_index, mapping in enumerate(bundle_field.maps_to):
            where = f"fields.{f_index}.maps_to.{m_index}"
            item = items.get(mapping.item)
            if mapping.item not in codes:
                errors[where] = [f"{mapping.item} 不是成员事项"]
            elif item is not None and mapping.field not in {
                str(s.get("name")) for s in item.form_fields or []
            }:
                errors[where] = [f"事项“{item.name}”的申请表没有字段 {mapping.field}"]
            elif (mapping.item, mapping.field) in used:
                errors[where] = ["该成员字段已映射到另一个合并字段"]
            used.add((mapping.item, mapping.field))
    if errors:
        raise DomainError(CatalogErrorCode.INVALID_BUNDLE, "“一件事”定义不正确", errors)
    with transaction.atomic():
        bundle, created = Bundle.objects.select_for_update().get_or_create(
            code=data.code,
            defaults={"name": data.name, "audience": data.audience, "event": data.event},
        )
        for attr in (
            "name",
            "audience",
            "event",
            "description",
            "lead_department",
            "committed_limit_days",
            "visits_required",
            "order",
        ):
            setattr(bundle, attr, getattr(data, attr))
        if publish:
            bundle.status = BundleStatus.PUBLISHED
        bundle.save()
        bundle.fields.all().delete()
        bundle.members.all().delete()
        members = {}
        for order, member_spec in enumerate(data.members, start=1):
            members[member_spec.item] = BundleMember.objects.create(
                bundle=bundle, item=items[member_spec.item], order=order, optional=member_spec.optional
            )
        for order, field_spec in enumerate(data.fields, start=1):
            created_field = BundleField.objects.create(
                bundle=bundle,
                name=field_spec.name,
                label=field_spec.label,
                type=field_spec.type,
                required=field_spec.required,
                choices=field_spec.choices,
                help_text=field_spec.help_text,
                order=order,
            )
            BundleFieldMapping.objects.bulk_create(
                [
                    BundleFieldMapping(field=created_field, member=members[m.item], item_field=m.field)
                    for m in field_spec.maps_to
                ]
            )
        audit.record(
            "catalog.bundle.created" if created else "catalog.bundle.updated",
            actor=actor,
            obj=bundle,
            detail={"code": bundle.code, "members": codes, "fields": names, "status": bundle.status},
        )
    return bundle


def set_bundle_status(bundle: Bundle, status: str, *, actor: User | None) -> Bundle:
    """发布/撤销一件事 draft|withdrawn → published, published → withdrawn."""
    require_service_manager(actor)
    if status not in (BundleStatus.PUBLISHED, BundleStatus.WITHDRAWN):
        raise DomainError(CatalogErrorCode.INVALID_TRANSITION, "状态不正确", {"status": [status]})
    with transaction.atomic():
        locked = Bundle.objects.select_for_update().get(pk=bundle.pk)
        if locked.status == status:
            raise DomainError(CatalogErrorCode.INVALID_TRANSITION, "状态未变化", status=409)
        previous, locked.status = locked.status, status
        locked.save(update_fields=["status", "updated_at"])
        audit.record(
            "catalog.bundle.status", actor=actor, obj=locked, detail={"from": previous, "to": status}
        )
    bundle.status = status
    return bundle


__all__ = [
    "BundleMaterial",
    "MergedForm",
    "bundle_dict",
    "bundle_materials",
    "get_published_bundle",
    "licence_type_of",
    "list_bundles",
    "merged_form",
    "save_bundle",
    "set_bundle_status",
    "split_form_data",
]
