"""发布 Publish, withdraw and schedule items; the scheduler's run (``apply_schedule``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.catalog import cache as catalog_cache
from yiwang.catalog import coding
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import (
    CodeKind,
    ItemStatus,
    Material,
    ServiceItem,
    ServiceItemVersion,
)
from yiwang.catalog.permissions import require_manager
from yiwang.catalog.reads import canonical_item, guide_snapshot
from yiwang.catalog.scenarios import copy_scenarios
from yiwang.catalog.search import refresh_search_fields
from yiwang.catalog.services.checks import check_consistent, check_publishable, validate_item
from yiwang.catalog.services.common import copy_state, locked_item, save_fee_items
from yiwang.catalog.services.validation import REVISION_FIELDS
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError


def publish_item(item: ServiceItem, actor: User | None, *, scheduled: bool = False) -> ServiceItem:
    """发布 approved (or, for the system only, draft; or a withdrawn item again) → published.

    Version + 1, published_at now, an immutable :class:`ServiceItemVersion`, the implementation code
    registered for good, the search index rebuilt.  A revision is published onto the item it revises
    (same public id, same cases) and then removed; ``item`` is then refreshed to that item.
    """
    require_manager(actor, item.region)
    allowed = {ItemStatus.APPROVED, ItemStatus.WITHDRAWN}
    if actor is None:
        allowed.add(ItemStatus.DRAFT)
    with transaction.atomic():
        current = locked_item(item)
        if current.status not in allowed:
            hint = (
                "，请先提交审核并由另一名事项管理员审核通过"
                if current.status in (ItemStatus.DRAFT, ItemStatus.SUBMITTED)
                else ""
            )
            raise Conflict(
                f"事项当前状态为“{current.get_status_display()}”，不能发布{hint}",
                code=CatalogErrorCode.INVALID_TRANSITION,
            )
        validate_item(current)
        check_publishable(current)
        check_consistent(current)
        previous = current.status
        if current.revision_of_id is not None:
            target = locked_item(current.revision_of)  # type: ignore[arg-type]
            apply_revision(target, current)
            current.delete()
        else:
            target = current
        target.status = ItemStatus.PUBLISHED
        target.version += 1
        target.published_at = timezone.now()
        target.publish_at = None
        target.save()
        refresh_search_fields(target)
        coding.register_code(CodeKind.IMPLEMENTATION, target.implementation_code, target.public_id)
        snapshot = guide_snapshot(
            ServiceItem.objects.select_related("implementing_body", "region", "base_item")
            .prefetch_related("materials", "fee_items")
            .get(pk=target.pk)
        )
        ServiceItemVersion.objects.create(
            item=target,
            version=target.version,
            snapshot=snapshot,
            published_at=target.published_at,
            published_by=actor,
            reviewed_by_id=target.reviewed_by_id,
            review_comment=target.review_comment,
        )
        catalog_cache.bump_on_commit()
        audit.record(
            "catalog.item.published",
            actor=actor,
            obj=target,
            detail={
                "version": target.version,
                "from_status": previous,
                "implementation_code": target.implementation_code,
                "scheduled": scheduled,
                "revision": str(current.public_id) if current.pk is None else None,
            },
        )
    copy_state(item, target)
    item.pk = target.pk
    item._state.adding = False
    return item


def apply_revision(target: ServiceItem, revision: ServiceItem) -> None:
    """Copy a revision's content (fields, materials, fees, scenarios) onto the item it revises."""
    for field in REVISION_FIELDS:
        setattr(target, field, getattr(revision, field))
    for field in ("submitted_by_id", "submitted_at", "reviewed_by_id", "reviewed_at", "review_comment"):
        setattr(target, field, getattr(revision, field))
    originals = {material.public_id: material for material in target.materials.all()}
    kept: set[int] = set()
    copy_fields = [
        field.attname
        for field in Material._meta.concrete_fields
        if field.name not in ("id", "public_id", "created_at", "updated_at", "item", "origin_public_id")
    ]
    applied: dict[int, Material] = {}
    for material in revision.materials.all():
        destination = originals.get(material.origin_public_id) or Material(item=target)  # type: ignore[arg-type]
        for attname in copy_fields:
            setattr(destination, attname, getattr(material, attname))
        destination.save()
        kept.add(destination.pk)
        applied[material.pk] = destination
    copy_scenarios(revision, target, applied)
    target.materials.exclude(pk__in=kept).delete()
    save_fee_items(
        target,
        [
            {"name": fee.name, "standard": fee.standard, "legal_basis": fee.legal_basis, "order": fee.order}
            for fee in revision.fee_items.all()
        ],
    )


def withdraw_item(
    item: ServiceItem, actor: User | None, reason: str = "", *, scheduled: bool = False
) -> ServiceItem:
    """撤销发布 published → withdrawn; the portal stops showing it, filed cases keep their snapshot.

    The item's code stays registered to it: no other item may ever take it.
    """
    require_manager(actor, item.region)
    with transaction.atomic():
        current = locked_item(item)
        if current.status != ItemStatus.PUBLISHED:
            raise Conflict(
                f"事项当前状态为“{current.get_status_display()}”，不能撤销",
                code=CatalogErrorCode.INVALID_TRANSITION,
            )
        current.status = ItemStatus.WITHDRAWN
        current.withdraw_at = None
        current.save(update_fields=["status", "withdraw_at", "updated_at"])
        catalog_cache.bump_on_commit()
        audit.record(
            "catalog.item.withdrawn",
            actor=actor,
            obj=current,
            detail={"version": current.version, "reason": reason.strip()[:500], "scheduled": scheduled},
        )
    copy_state(item, current)
    return item


def schedule_item(
    item: ServiceItem,
    actor: User | None,
    *,
    publish_at: datetime | None = None,
    withdraw_at: datetime | None = None,
) -> ServiceItem:
    """定时发布/撤销 Set (or clear, with None) when an approved item goes live and when it is withdrawn.

    ``publish_at`` applies to items not yet published (it takes effect once approved); ``withdraw_at``
    to anything not withdrawn.  Both must lie in the future, and withdrawal after publication.
    """
    require_manager(actor, item.region)
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if publish_at is not None and publish_at <= now:
        errors["publish_at"] = ["定时发布时间须晚于当前时间"]
    if withdraw_at is not None and withdraw_at <= now:
        errors["withdraw_at"] = ["定时撤销时间须晚于当前时间"]
    if publish_at and withdraw_at and withdraw_at <= publish_at:
        errors["withdraw_at"] = ["定时撤销时间须晚于定时发布时间"]
    if errors:
        raise DomainError(CatalogErrorCode.INVALID_SCHEDULE, "定时设置不正确", errors)
    with transaction.atomic():
        current = locked_item(item)
        if publish_at is not None and current.status in (ItemStatus.PUBLISHED, ItemStatus.WITHDRAWN):
            raise Conflict("已发布或已撤销的事项不能设置定时发布", code=CatalogErrorCode.INVALID_SCHEDULE)
        if current.status == ItemStatus.WITHDRAWN and withdraw_at is not None:
            raise Conflict("已撤销的事项不能设置定时撤销", code=CatalogErrorCode.INVALID_SCHEDULE)
        current.publish_at = publish_at
        current.withdraw_at = withdraw_at
        current.save(update_fields=["publish_at", "withdraw_at", "updated_at"])
        audit.record(
            "catalog.item.scheduled",
            actor=actor,
            obj=canonical_item(current),
            detail={
                "item": str(current.public_id),
                "publish_at": publish_at.isoformat() if publish_at else None,
                "withdraw_at": withdraw_at.isoformat() if withdraw_at else None,
            },
        )
    copy_state(item, current)
    return item


def apply_schedule(now: datetime | None = None) -> dict[str, Any]:
    """执行定时 Publish approved items whose ``publish_at`` has come; withdraw published items whose
    ``withdraw_at`` has come.  Idempotent: a second run finds nothing to do.  An item that can no
    longer be published (e.g. its base item changed) is reported and left approved."""
    moment = now or timezone.now()
    result: dict[str, Any] = {"published": 0, "withdrawn": 0, "failed": []}
    due_publish = ServiceItem.objects.filter(status=ItemStatus.APPROVED, publish_at__lte=moment)
    for item in due_publish.select_related("region", "implementing_body").order_by("publish_at", "pk"):
        try:
            publish_item(item, None, scheduled=True)
        except DomainError as exc:
            result["failed"].append(
                {"item": str(item.public_id), "name": item.name, "code": exc.code, "message": exc.message}
            )
        else:
            result["published"] += 1
    due_withdraw = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, withdraw_at__lte=moment)
    for item in due_withdraw.select_related("region", "implementing_body").order_by("withdraw_at", "pk"):
        try:
            withdraw_item(item, None, reason="定时撤销", scheduled=True)
        except DomainError as exc:
            result["failed"].append(
                {"item": str(item.public_id), "name": item.name, "code": exc.code, "message": exc.message}
            )
        else:
            result["withdrawn"] += 1
    return result
