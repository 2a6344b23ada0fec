"""Review and publication (审核发布): a submitted resource is approved by a catalogue reviewer of
another organisation (never by its provider) and published as an immutable version, or returned
to its provider with a note."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError
from yiwang.sharing.errors import SharingErrorCode
from yiwang.sharing.models import Resource, ResourceStatus, ResourceVersion
from yiwang.sharing.services.catalogue import DEFINITION_KEYS
from yiwang.sharing.services.notify import notify_officials
from yiwang.sharing.services.permissions import (
    is_catalogue_reviewer,
    is_official_of,
    require_data_official,
    require_official_of,
)


def _lock(resource: Resource, allowed: set[str], what: str) -> Resource:
    locked = Resource.objects.select_for_update().select_related("provider").get(pk=resource.pk)
    if locked.status not in allowed:
        raise Conflict(
            f"资源当前状态为“{locked.get_status_display()}”，不能{what}",
            code=SharingErrorCode.INVALID_TRANSITION,
        )
    return locked


def submit_resource(resource: Resource, *, actor: User) -> Resource:
    """提交审核: the provider's data official sends the draft to the catalogue reviewers."""
    require_official_of(actor, resource.provider, "提交本部门的信息资源")
    with transaction.atomic():
        locked = _lock(resource, {ResourceStatus.DRAFT}, "提交审核")
        if not locked.fields.exists():
            raise DomainError(SharingErrorCode.INVALID_FIELDS, "资源至少需要一个信息项", {"fields": ["必填"]})
        locked.status = ResourceStatus.IN_REVIEW
        locked.submitted_by = actor
        locked.submitted_at = timezone.now()
        locked.lock_version += 1
        locked.save(update_fields=["status", "submitted_by", "submitted_at", "lock_version", "updated_at"])
        audit.record(
            "sharing.resource_submitted", actor=actor, obj=locked, detail={"version": locked.version}
        )
    return locked


def snapshot_of(resource: Resource) -> dict[str, Any]:
    """The published definition: what a version keeps and the gateway and requests read."""
    return {
        "code": resource.code,
        "provider": resource.provider.credit_code,
        **{key: getattr(resource, key) for key in DEFINITION_KEYS},
        "catalogues": sorted(resource.catalogues.values_list("code", flat=True)),
        "fields": [
            {
                "name": f.name,
                "label": f.label,
                "data_type": f.data_type,
                "sensitivity": f.sensitivity,
                "is_personal": f.is_personal,
                "description": f.description,
            }
            for f in resource.fields.order_by("order", "pk")
        ],
    }


def review_resource(resource: Resource, *, actor: User, approve: bool, note: str = "") -> Resource:
    """审核: approve (→ published, a new :class:`ResourceVersion`) or return to draft (note required)."""
    require_data_official(actor)
    if actor.pk in (resource.submitted_by_id, resource.created_by_id) or is_official_of(
        actor, resource.provider_id
    ):
        raise DomainError(SharingErrorCode.SELF_REVIEW, "不能审核本部门或本人提交的资源", status=403)
    if not is_catalogue_reviewer(actor, resource.provider_id):
        raise DomainError(SharingErrorCode.NOT_REVIEWER, "只有目录管理部门的数据专员可以审核资源", status=403)
    if not approve and not note.strip():
        raise DomainError(SharingErrorCode.REASON_REQUIRED, "退回时须填写审核意见", {"note": ["必填"]})
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(resource, {ResourceStatus.IN_REVIEW}, "审核")
        locked.reviewed_by = actor
        locked.reviewed_at = now
        locked.review_note = note
        locked.lock_version += 1
        fields = ["status", "reviewed_by", "reviewed_at", "review_note", "lock_version", "updated_at"]
        if approve:
            ResourceVersion.objects.create(
                resource=locked,
                number=locked.version,
                snapshot=snapshot_of(locked),
                published_at=now,
                published_by=actor,
            )
            locked.status = ResourceStatus.PUBLISHED
            locked.published_version = locked.version
            locked.published_at = now
            fields += ["published_version", "published_at"]
        else:
            locked.status = ResourceStatus.DRAFT
        locked.save(update_fields=fields)
        audit.record(
            "sharing.resource_published" if approve else "sharing.resource_returned",
            actor=actor,
            obj=locked,
            detail={"version": locked.version, "note": note[:300]},
        )
        notify_officials(
            locked.provider_id,
            title=(f"信息资源“{locked.name}”已审核发布" if approve else f"信息资源“{locked.name}”被退回修改"),
            body=note,
            link=f"/workbench/sharing/resources/{locked.public_id}/",
        )
    return locked
