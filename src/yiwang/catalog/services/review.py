"""审核 Submit a draft for review, and approve or reject it (by a different service manager)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import (
    ItemReview,
    ItemStatus,
    ReviewDecision,
    ServiceItem,
)
from yiwang.catalog.permissions import require_manager
from yiwang.catalog.reads import canonical_item
from yiwang.catalog.services.checks import check_consistent, check_publishable, validate_item
from yiwang.catalog.services.common import copy_state, locked_item
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError, PermissionDenied


def record_review(item: ServiceItem, decision: str, actor: User, comment: str) -> None:
    canonical = canonical_item(item)
    ItemReview.objects.create(
        item_public_id=canonical.public_id,
        item_name=item.name,
        base_version=canonical.version,
        decision=decision,
        comment=comment,
        actor=actor,
    )


def submit_item(item: ServiceItem, actor: User, comment: str = "") -> ServiceItem:
    """提交审核 draft → submitted; the draft must be complete and consistent with its base item."""
    if actor is None:
        raise PermissionDenied("提交审核需要事项管理员", code=CatalogErrorCode.ROLE_REQUIRED)
    require_manager(actor, item.region)
    with transaction.atomic():
        current = locked_item(item)
        if current.status != ItemStatus.DRAFT:
            raise Conflict(
                f"事项当前状态为“{current.get_status_display()}”，不能提交审核",
                code=CatalogErrorCode.INVALID_TRANSITION,
            )
        validate_item(current)
        check_publishable(current)
        check_consistent(current)
        current.status = ItemStatus.SUBMITTED
        current.submitted_by = actor
        current.submitted_at = timezone.now()
        current.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
        record_review(current, ReviewDecision.SUBMITTED, actor, comment.strip()[:2000])
        audit.record(
            "catalog.item.submitted",
            actor=actor,
            obj=canonical_item(current),
            detail={"item": str(current.public_id), "comment": comment.strip()[:500]},
        )
    copy_state(item, current)
    return item


def review_item(item: ServiceItem, actor: User, *, approve: bool, comment: str = "") -> ServiceItem:
    """审核 submitted → approved (通过) or → draft (退回, a comment is required).

    The reviewer must be a service manager covering the item's region other than the submitter.
    """
    if actor is None:
        raise PermissionDenied("审核需要事项管理员", code=CatalogErrorCode.ROLE_REQUIRED)
    require_manager(actor, item.region)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise DomainError(
            CatalogErrorCode.INVALID_ITEM, "退回修改须填写审核意见", {"comment": ["请填写退回理由"]}
        )
    if len(comment) > 2000:
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "审核意见过长", {"comment": ["不超过2000字"]})
    with transaction.atomic():
        current = locked_item(item)
        if current.status != ItemStatus.SUBMITTED:
            raise Conflict(
                f"事项当前状态为“{current.get_status_display()}”，不能审核",
                code=CatalogErrorCode.INVALID_TRANSITION,
            )
        if current.submitted_by_id == actor.pk:
            raise PermissionDenied("不能审核自己提交的事项", code=CatalogErrorCode.SELF_REVIEW)
        if approve:
            check_consistent(current)
        current.status = ItemStatus.APPROVED if approve else ItemStatus.DRAFT
        current.reviewed_by = actor
        current.reviewed_at = timezone.now()
        current.review_comment = comment
        current.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "updated_at"])
        decision = ReviewDecision.APPROVED if approve else ReviewDecision.REJECTED
        record_review(current, decision, actor, comment)
        audit.record(
            f"catalog.item.{decision}",
            actor=actor,
            obj=canonical_item(current),
            detail={"item": str(current.public_id), "comment": comment[:500]},
        )
    copy_state(item, current)
    return item
