"""实施清单草稿 Drafts of implementation items: create, edit, attach files, start or discard a revision."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import (
    BaseItem,
    FeeItem,
    ItemStatus,
    Material,
    ServiceItem,
    ServiceItemVersion,
)
from yiwang.catalog.permissions import require_manager
from yiwang.catalog.reads import guide_snapshot
from yiwang.catalog.scenarios import copy_scenarios
from yiwang.catalog.search import refresh_search_fields
from yiwang.catalog.services.base_items import resolve_base_item
from yiwang.catalog.services.checks import check_code_frozen, validate_item
from yiwang.catalog.services.common import copy_state, locked_item, save_fee_items, save_materials
from yiwang.catalog.services.validation import apply_fields, clean_fee_items, clean_materials
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError
from yiwang.core.models import Organisation, Region


def create_item(
    *,
    actor: User | None,
    implementing_body: Organisation,
    region: Region | None = None,
    base_item: BaseItem | None = None,
    materials: Sequence[Mapping[str, Any]] = (),
    fee_items: Sequence[Mapping[str, Any]] = (),
    **fields: Any,
) -> ServiceItem:
    """新建事项草稿 Create a draft implementation item (实施清单) derived from a base item.

    ``fields`` are the editable item fields (see :data:`EDITABLE_FIELDS`); name, base code, type and
    legal basis default to the base item's.  The implementation code is derived from the body's
    credit code, the level and the base code, and may not be a code ever issued to another item.
    """
    item_region = region or implementing_body.region
    require_manager(actor, item_region)
    cleaned_materials = clean_materials(materials)
    cleaned_fees = clean_fee_items(fee_items)
    with transaction.atomic():
        base = resolve_base_item(actor, base_item, fields, item_region)
        item = ServiceItem(
            implementing_body=implementing_body, region=item_region, status=ItemStatus.DRAFT, base_item=base
        )
        apply_fields(item, fields)
        validate_item(item)
        item.save()
        save_materials(item, cleaned_materials)
        save_fee_items(item, cleaned_fees)
        refresh_search_fields(item)
        audit.record(
            "catalog.item.created",
            actor=actor,
            obj=item,
            detail={
                "name": item.name,
                "implementation_code": item.implementation_code,
                "base_code": base.code,
            },
        )
    return item


def update_item(
    item: ServiceItem,
    *,
    actor: User | None,
    materials: Sequence[Mapping[str, Any]] | None = None,
    fee_items: Sequence[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> ServiceItem:
    """修改事项 Edit a draft (or a withdrawn item, which becomes a draft again).

    ``materials``/``fee_items`` (when given) replace the lists.  Submitted and approved items are
    under review and not editable; a published item is edited through :func:`start_revision`.
    """
    require_manager(actor, item.region)
    cleaned_materials = clean_materials(materials) if materials is not None else None
    cleaned_fees = clean_fee_items(fee_items) if fee_items is not None else None
    with transaction.atomic():
        current = locked_item(item)
        if current.status == ItemStatus.PUBLISHED:
            raise Conflict("已发布的事项不能修改，请新建修订稿", code=CatalogErrorCode.ITEM_NOT_EDITABLE)
        if current.status in (ItemStatus.SUBMITTED, ItemStatus.APPROVED):
            raise Conflict(
                f"事项处于“{current.get_status_display()}”状态，不能修改",
                code=CatalogErrorCode.ITEM_NOT_EDITABLE,
            )
        check_code_frozen(current, fields)
        previous = current.status
        apply_fields(current, fields)
        validate_item(current)
        if previous == ItemStatus.WITHDRAWN:
            current.status = ItemStatus.DRAFT
        current.save()
        if cleaned_materials is not None:
            save_materials(current, cleaned_materials)
        if cleaned_fees is not None:
            save_fee_items(current, cleaned_fees)
        refresh_search_fields(current)
        audit.record(
            "catalog.item.updated",
            actor=actor,
            obj=current,
            detail={
                "fields": sorted(fields),
                "materials_replaced": cleaned_materials is not None,
                "fee_items_replaced": cleaned_fees is not None,
            },
        )
    copy_state(item, current)
    return item


def set_item_file(
    item: ServiceItem, *, actor: User | None, field: str, upload: Any, material: Any = None
) -> None:
    """上传样表/样本 Attach a blank form or sample to a material, or the result sample to the item."""
    require_manager(actor, item.region)
    if item.status not in (ItemStatus.DRAFT, ItemStatus.WITHDRAWN):
        raise Conflict("只能在草稿中上传文件", code=CatalogErrorCode.ITEM_NOT_EDITABLE)
    if upload is None or getattr(upload, "size", 0) > 10 * 1024 * 1024:
        raise DomainError(
            CatalogErrorCode.INVALID_ITEM, "文件为空或超过10MB", {field: ["文件为空或超过10MB"]}
        )
    with transaction.atomic():
        if material is None:
            if field != "result_sample":
                raise DomainError(CatalogErrorCode.UNKNOWN_FIELD, "未知文件字段", {field: ["不可上传"]})
            item.result_sample.save(upload.name, upload, save=False)
            item.save(update_fields=["result_sample", "updated_at"])
        else:
            if field not in ("blank_form", "sample") or material.item_id != item.pk:
                raise DomainError(CatalogErrorCode.UNKNOWN_FIELD, "未知文件字段", {field: ["不可上传"]})
            getattr(material, field).save(upload.name, upload, save=False)
            material.save(update_fields=[field, "updated_at"])
        audit.record("catalog.item.file_attached", actor=actor, obj=item, detail={"field": field})


def start_revision(item: ServiceItem, actor: User | None) -> ServiceItem:
    """新建修订稿 Make an editable draft copy of a published item (its materials, fees, FAQ and
    scenarios too).

    The published item stays on every channel until the revision is approved and published.
    """
    require_manager(actor, item.region)
    with transaction.atomic():
        current = locked_item(item)
        if current.status != ItemStatus.PUBLISHED or current.revision_of_id is not None:
            raise Conflict("只有已发布的事项可以新建修订稿", code=CatalogErrorCode.INVALID_TRANSITION)
        existing = ServiceItem.objects.filter(revision_of=current).first()
        if existing is not None:
            raise Conflict(
                "该事项已有修订稿，请继续编辑该修订稿",
                code=CatalogErrorCode.REVISION_EXISTS,
                fields={"revision": [str(existing.public_id)]},
            )
        ensure_version_recorded(current)
        revision = ServiceItem(revision_of=current)
        for field in ServiceItem._meta.concrete_fields:
            if field.name in ("id", "public_id", "created_at", "updated_at", "revision_of"):
                continue
            setattr(revision, field.attname, getattr(current, field.attname))
        revision.status = ItemStatus.DRAFT
        revision.application_count = 0
        for field_name in ("publish_at", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at"):
            setattr(revision, field_name, None)
        revision.review_comment = ""
        revision.save()
        Material.objects.bulk_create(
            [
                Material(
                    item=revision,
                    origin_public_id=material.public_id,
                    **{
                        field.attname: getattr(material, field.attname)
                        for field in Material._meta.concrete_fields
                        if field.name
                        not in ("id", "public_id", "created_at", "updated_at", "item", "origin_public_id")
                    },
                )
                for material in current.materials.all()
            ]
        )
        copies = {material.origin_public_id: material for material in revision.materials.all()}
        copy_scenarios(
            current,
            revision,
            {material.pk: copies[material.public_id] for material in current.materials.all()},
        )
        FeeItem.objects.bulk_create(
            [
                FeeItem(
                    item=revision,
                    name=fee.name,
                    standard=fee.standard,
                    legal_basis=fee.legal_basis,
                    order=fee.order,
                )
                for fee in current.fee_items.all()
            ]
        )
        audit.record(
            "catalog.item.revision_started",
            actor=actor,
            obj=current,
            detail={"revision": str(revision.public_id), "base_version": current.version},
        )
    return revision


def discard_revision(item: ServiceItem, actor: User | None) -> None:
    """放弃修订稿 Delete a revision draft that was not submitted; the published item is unchanged."""
    require_manager(actor, item.region)
    with transaction.atomic():
        current = locked_item(item)
        if current.revision_of_id is None or current.status != ItemStatus.DRAFT:
            raise Conflict("只能放弃未提交的修订稿", code=CatalogErrorCode.INVALID_TRANSITION)
        canonical = current.revision_of
        current.delete()
        audit.record("catalog.item.revision_discarded", actor=actor, obj=canonical, detail={})


def ensure_version_recorded(item: ServiceItem) -> None:
    """Backfill the version row of a published item created before versions were recorded."""
    if (
        item.version > 0
        and item.status == ItemStatus.PUBLISHED
        and not item.versions.filter(version=item.version).exists()
    ):
        full = (
            ServiceItem.objects.select_related("implementing_body", "region", "base_item")
            .prefetch_related("materials", "fee_items")
            .get(pk=item.pk)
        )
        ServiceItemVersion.objects.create(
            item=item,
            version=item.version,
            snapshot=guide_snapshot(full),
            published_at=item.published_at or timezone.now(),
        )


def increment_popularity(item: ServiceItem) -> None:
    """Count one more application for ranking (a counter, not audited)."""
    ServiceItem.objects.filter(pk=item.pk).update(application_count=F("application_count") + 1)


def set_item_process(item: ServiceItem, *, process_key: str) -> tuple[ServiceItem, str]:
    """流程绑定 Record which process (its key) the item's new cases run.

    Returns the locked item and the key it had before.  The workflow app decides who may do it and
    audits it (:func:`yiwang.workflow.services.assign_process`); this only writes the catalogue's row.
    """
    with transaction.atomic():
        locked = ServiceItem.objects.select_for_update().get(pk=item.pk)
        previous = locked.process_key or ""
        locked.process_key = process_key
        locked.save(update_fields=["process_key", "updated_at"])
    return locked, previous
