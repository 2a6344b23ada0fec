"""事项读取 Queries of the catalogue: one item (any state, or published), its versions and
reviews, field-level diffs and the guide snapshot (办事指南快照).

The only place for read-path choices (``select_related``/``prefetch_related``) of these reads.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation

from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.forms import definition_of
from yiwang.catalog.models import (
    BaseItem,
    HandlingForm,
    ItemReview,
    ItemStatus,
    ItemType,
    OnlineDepthStep,
    ServiceItem,
    ServiceItemVersion,
    ServiceObject,
    SpecialProcedureKind,
)
from yiwang.catalog.scenarios import scenario_definition
from yiwang.catalog.versions import DiffRow, diff_snapshots
from yiwang.core.errors import NotFound
from yiwang.core.keyset import KeysetPage, keyset_page
from yiwang.core.models import Organisation


def get_base_item(public_id: Any) -> BaseItem:
    base = BaseItem.objects.filter(public_id=public_id).first() if is_uuid(public_id) else None
    if base is None:
        raise NotFound("基本目录事项不存在", code=CatalogErrorCode.BASE_ITEM_NOT_FOUND)
    return base


def versions_of(item: ServiceItem) -> QuerySet[ServiceItemVersion]:
    """版本历史 Newest first (for a revision: the versions of the item it revises)."""
    return canonical_item(item).versions.select_related("published_by", "reviewed_by").order_by("-version")


def get_version(item: ServiceItem, number: int) -> ServiceItemVersion:
    version = canonical_item(item).versions.filter(version=number).first()
    if version is None:
        raise NotFound(f"第 {number} 版不存在", code=CatalogErrorCode.VERSION_NOT_FOUND)
    return version


def diff_versions(item: ServiceItem, old: int, new: int) -> list[DiffRow]:
    """两个版本的字段级比对."""
    return diff_snapshots(get_version(item, old).snapshot, get_version(item, new).snapshot)


def diff_with_published(item: ServiceItem) -> list[DiffRow]:
    """草稿与已发布版本的比对: a revision (or re-edited withdrawn item) against its last version."""
    canonical = canonical_item(item)
    latest = canonical.versions.order_by("-version").first()
    if latest is not None:
        published = latest.snapshot
    elif canonical.version > 0:
        published = guide_snapshot(canonical)
    else:
        published = {}
    return diff_snapshots(published, guide_snapshot(item))


def review_history(item: ServiceItem) -> QuerySet[ItemReview]:
    return ItemReview.objects.filter(item_public_id=canonical_item(item).public_id).select_related("actor")


def get_published_item(public_id: Any) -> ServiceItem:
    """The published item with this public id, with body, region and materials; else 404."""
    item = (
        ServiceItem.objects.select_related("implementing_body", "region", "base_item")
        .prefetch_related("materials", "fee_items")
        .filter(public_id=public_id, status=ItemStatus.PUBLISHED)
        .first()
        if is_uuid(public_id)
        else None
    )
    if item is None:
        raise NotFound("事项不存在或未发布", code=CatalogErrorCode.ITEM_NOT_FOUND)
    return item


def published_stamp(public_id: Any) -> tuple[int, int, Any]:
    """``(pk, version, updated_at)`` of the published item with this public id, one indexed row and
    no join: what a cached guide page is keyed by (any save of the item, publishing a revision or
    withdrawing it changes the stamp or ends the match); else 404 like :func:`get_published_item`."""
    row = (
        ServiceItem.objects.filter(public_id=public_id, status=ItemStatus.PUBLISHED)
        .values_list("pk", "version", "updated_at")
        .first()
        if is_uuid(public_id)
        else None
    )
    if row is None:
        raise NotFound("事项不存在或未发布", code=CatalogErrorCode.ITEM_NOT_FOUND)
    return row


def get_item(public_id: Any) -> ServiceItem:
    """Any item (draft, published or withdrawn) with this public id; else 404."""
    item = (
        ServiceItem.objects.select_related("implementing_body", "region", "base_item", "revision_of")
        .filter(public_id=public_id)
        .first()
        if is_uuid(public_id)
        else None
    )
    if item is None:
        raise NotFound("事项不存在", code=CatalogErrorCode.ITEM_NOT_FOUND)
    return item


def is_uuid(value: Any) -> bool:
    if isinstance(value, uuid.UUID):
        return True
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _labelled(codes: Sequence[str], enum: type[Any]) -> list[dict[str, str]]:
    labels = dict(enum.choices)
    return [{"code": str(code), "label": str(labels.get(code, code))} for code in codes]


def guide_snapshot(item: ServiceItem, *, scenarios: bool = True) -> dict[str, Any]:
    """办事指南快照 Everything the guide shows, as a JSON-serialisable dict (labels in Chinese).

    Cases store it to freeze the version an application was filed under; versions store it, so
    ``scenarios`` (情形引导, :func:`yiwang.catalog.scenarios.scenario_definition`) are part of it.
    ``scenarios=False`` leaves them out (the public guide API serves them at ``/scenarios``).
    """
    body = item.implementing_body
    special_labels = dict(SpecialProcedureKind.choices)
    with translation.override("zh-hans"):
        materials = [
            {
                "public_id": str(material.public_id),
                "name": material.name,
                "description": material.description,
                "source": material.source,
                "source_kind": material.source_kind,
                "source_kind_label": str(material.get_source_kind_display()),
                "licence_type_code": material.licence_type_code,
                "shared_resource_code": material.shared_resource_code,
                "shared_fields": list(material.shared_fields or []),
                "licence_legal_basis": material.licence_legal_basis,
                "mandatory": material.mandatory,
                "originals": material.originals,
                "copies": material.copies,
                "material_form": material.material_form,
                "material_form_label": str(material.get_material_form_display()),
                "order": material.order,
                "blank_form_url": material.blank_form.url if material.blank_form else "",
                "sample_url": material.sample.url if material.sample else "",
            }
            for material in item.materials.all()
        ]
        base = item.base_item
        return {
            "public_id": str(item.public_id),
            "name": item.name,
            "base_item": {"code": base.code, "name": base.name} if base is not None else None,
            "base_code": item.base_code,
            "implementation_code": item.implementation_code,
            "version": item.version,
            "status": item.status,
            "published_at": item.published_at.isoformat() if item.published_at else None,
            "item_type": item.item_type,
            "item_type_label": str(item.get_item_type_display()),
            "exercise_level": item.exercise_level,
            "exercise_level_label": str(item.get_exercise_level_display()),
            "implementing_body": {
                "public_id": str(body.public_id),
                "name": body.name,
                "short_name": body.short_name,
                "credit_code": body.credit_code,
                "nature": body.nature,
                "nature_label": str(body.get_nature_display()),
                "address": body.address,
                "phone": body.phone,
                "office_hours": body.office_hours,
            },
            "region": {"code": item.region.code, "name": item.region.name},
            "legal_basis": item.legal_basis,
            "legal_basis_url": item.legal_basis_url,
            "authority_division": item.authority_division,
            "exercise_content": item.exercise_content,
            "jurisdiction": item.jurisdiction,
            "conditions": item.conditions,
            "process_description": item.process_description,
            "joint_bodies": item.joint_bodies,
            "intermediary_services": item.intermediary_services,
            "quantity_limits": item.quantity_limits,
            "special_procedures": [
                {**entry, "kind_label": str(special_labels.get(entry.get("kind"), ""))}
                for entry in item.special_procedures or []
            ],
            "statutory_limit_days": item.statutory_limit_days,
            "committed_limit_days": item.committed_limit_days,
            "limit_note": item.limit_note,
            "fee_required": item.fee_required,
            "fee_description": item.fee_description,
            "fee_basis": item.fee_basis,
            "fee_items": [
                {"name": fee.name, "standard": fee.standard, "legal_basis": fee.legal_basis}
                for fee in item.fee_items.all()
            ],
            "visits_required": item.visits_required,
            "handling_forms": _labelled(item.handling_forms, HandlingForm),
            "online_depth": _labelled(item.online_depth, OnlineDepthStep),
            "is_fully_online": item.is_fully_online,
            "service_objects": _labelled(item.service_objects, ServiceObject),
            "case_kind": item.case_kind,
            "case_kind_label": str(item.get_case_kind_display()),
            "required_assurance_level": item.required_assurance_level,
            "required_assurance_level_label": str(item.get_required_assurance_level_display()),
            "result_name": item.result_name,
            "result_sample_url": item.result_sample.url if item.result_sample else "",
            "tongban_range": item.tongban_range,
            "tongban_range_label": str(item.get_tongban_range_display()),
            "place": item.place,
            "office_hours": item.office_hours,
            "consult_phone": item.consult_phone,
            "supervise_phone": item.supervise_phone,
            "online_apply": item.online_apply,
            "online_url": item.online_url,
            "appointment_supported": item.appointment_supported,
            "online_payment_supported": item.online_payment_supported,
            "express_supported": item.express_supported,
            "form_fields": list(item.form_fields or []),
            "form_definition": definition_of(item.form_definition, item.form_fields),
            "faq": list(item.faq or []),
            "materials": materials,
            **({"scenarios": scenario_definition(item)} if scenarios else {}),
        }


def canonical_item(item: ServiceItem) -> ServiceItem:
    """The item a revision revises (an item that is not a revision is its own canonical item)."""
    return item.revision_of if item.revision_of_id else item  # type: ignore[return-value]


# --- the catalogue manager's item list (事项清单) ----------------------------------------------------
ITEM_LIST_PAGE_SIZE = 50
# Grouped by department (its id: an index range, not a sort of every item by the joined name),
# then name: ``catalog_item_list_idx`` serves it; docs/adr/0012.
ITEM_LIST_ORDER = ("implementing_body_id", "name", "id")
ITEM_LIST_COUNT_CAP = 1000  # totals past it are shown as "1000+"
ITEM_LIST_COLUMNS = (
    "id",
    "public_id",
    "name",
    "implementation_code",
    "implementing_body_id",
    "implementing_body__name",
    "status",
    "version",
    "revision_of_id",
    "publish_at",
    "withdraw_at",
)


@dataclass(frozen=True, slots=True)
class ItemListRow:
    """One printed row of the item list (strings the template prints as they are)."""

    name: str
    url: str
    implementation_code: str
    department: str
    status: str
    status_label: str
    is_revision: bool
    version: int
    publish_at: str
    withdraw_at: str


def filter_items(
    items: QuerySet[ServiceItem],
    *,
    status: str = "",
    department: uuid.UUID | None = None,
    item_type: str = "",
    query: str = "",
) -> QuerySet[ServiceItem]:
    """The item list's filters: status, implementing body, type and a name or code fragment."""
    if status in ItemStatus.values:
        items = items.filter(status=status)
    if department is not None:
        items = items.filter(implementing_body__public_id=department)
    if item_type in ItemType.values:
        items = items.filter(item_type=item_type)
    if query:
        items = items.filter(
            Q(name__icontains=query) | Q(implementation_code__icontains=query) | Q(base_code__icontains=query)
        )
    return items


def item_list_total(items: QuerySet[ServiceItem]) -> str:
    """The list's total as printed: exact up to :data:`ITEM_LIST_COUNT_CAP`, then "1000+" (one
    bounded ``COUNT``: a province's 100,000 items are not counted on every page)."""
    total = items.order_by().values("id")[: ITEM_LIST_COUNT_CAP + 1].count()
    return f"{ITEM_LIST_COUNT_CAP}+" if total > ITEM_LIST_COUNT_CAP else str(total)


def item_list_departments(region_prefix: str) -> list[tuple[str, str]]:
    """The departments of the region that implement at least one item (the list's filter), by name:
    a semi-join on the items' department index instead of a ``DISTINCT`` over every item."""
    has_items = ServiceItem.objects.filter(implementing_body=OuterRef("pk"))
    return [
        (str(public_id), name)
        for public_id, name in Organisation.objects.filter(
            Exists(has_items), region__full_code__startswith=region_prefix
        )
        .order_by("name")
        .values_list("public_id", "name")
    ]


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def item_list_page(
    items: QuerySet[ServiceItem],
    cursor: str | None,
    url_of: Callable[[uuid.UUID], str],
    *,
    size: int = ITEM_LIST_PAGE_SIZE,
) -> tuple[KeysetPage, list[ItemListRow]]:
    """One keyset page of the (filtered) ``items`` by department, name, id — one query of column
    values, no model instances — and its printed rows (``url_of``: an item's page)."""
    page = keyset_page(items.values(*ITEM_LIST_COLUMNS), ITEM_LIST_ORDER, cursor, size=size)
    labels = dict(ItemStatus.choices)
    rows = [
        ItemListRow(
            name=value["name"],
            url=url_of(value["public_id"]),
            implementation_code=value["implementation_code"],
            department=value["implementing_body__name"],
            status=value["status"],
            status_label=str(labels.get(value["status"], value["status"])),
            is_revision=value["revision_of_id"] is not None,
            version=value["version"],
            publish_at=_local(value["publish_at"]),
            withdraw_at=_local(value["withdraw_at"]),
        )
        for value in page.rows
    ]
    return page, rows
