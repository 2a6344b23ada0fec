"""Grants (授权): given by an approved request (or at once for unconditional resources), revoked by
either side, expired by the scheduler (:func:`expire_grants`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError
from yiwang.sharing.errors import SharingErrorCode
from yiwang.sharing.models import Grant, GrantStatus, RequestStatus, Resource, ShareRequest
from yiwang.sharing.services.notify import notify_officials, notify_users
from yiwang.sharing.services.permissions import is_official_of, require_data_official


def open_grant(
    share_request: ShareRequest,
    *,
    fields: list[str],
    valid_until: date,
    actor: User | None,
    quota_per_day: int | None = None,
) -> Grant:
    """The grant an approved request gives (called inside the deciding transaction)."""
    grant = Grant.objects.create(
        consumer_id=share_request.consumer_id,
        resource_id=share_request.resource_id,
        fields=fields,
        purpose=share_request.purpose,
        legal_basis=share_request.legal_basis,
        valid_from=share_request.period_start,
        valid_until=valid_until,
        from_request=share_request,
        quota_per_day=quota_per_day,
        granted_by=actor,
    )
    audit.record(
        "sharing.grant_opened",
        actor=actor,
        obj=grant,
        detail={
            "request": str(share_request.public_id),
            "fields": fields,
            "valid_from": grant.valid_from,
            "valid_until": valid_until,
            "quota_per_day": quota_per_day,
        },
    )
    return grant


def may_revoke(user: object, grant: Grant, provider_id: int) -> bool:
    return grant.status == GrantStatus.ACTIVE and (
        is_official_of(user, provider_id) or is_official_of(user, grant.consumer_id)
    )


def revoke_grant(grant: Grant, *, actor: User, reason: str) -> Grant:
    """撤销: the provider withdraws the grant, or the consumer gives it up; a reason is required."""
    require_data_official(actor)
    resource = Resource.objects.only("pk", "provider_id", "name").get(pk=grant.resource_id)
    if not (is_official_of(actor, resource.provider_id) or is_official_of(actor, grant.consumer_id)):
        raise DomainError(
            SharingErrorCode.NOT_PROVIDER, "只有提供方或使用方的数据专员可以撤销授权", status=403
        )
    if not reason.strip():
        raise DomainError(SharingErrorCode.REASON_REQUIRED, "请填写撤销原因", {"reason": ["必填"]})
    with transaction.atomic():
        locked = Grant.objects.select_for_update().get(pk=grant.pk)
        if locked.status != GrantStatus.ACTIVE:
            raise Conflict("只有有效的授权可以撤销", code=SharingErrorCode.INVALID_TRANSITION)
        locked.status = GrantStatus.REVOKED
        locked.revoked_by = actor
        locked.revoked_at = timezone.now()
        locked.revoke_reason = reason
        locked.save(update_fields=["status", "revoked_by", "revoked_at", "revoke_reason", "updated_at"])
        audit.record("sharing.grant_revoked", actor=actor, obj=locked, detail={"reason": reason[:300]})
        other = grant.consumer_id if is_official_of(actor, resource.provider_id) else resource.provider_id
        notify_officials(
            other,
            title=f"“{resource.name}”的共享授权已撤销",
            body=reason,
            link="/workbench/sharing/grants/",
        )
    return locked


@dataclass(frozen=True)
class ExpiryReport:
    grants: int
    requests: int


def expire_grants(now: datetime | None = None) -> ExpiryReport:
    """到期处理 (the scheduler's job, daily): active grants whose last day has passed become
    ``expired``; pending requests whose asked period has ended unanswered become ``expired``."""
    today = timezone.localdate(now or timezone.now())
    grant_ids = list(
        Grant.objects.filter(status=GrantStatus.ACTIVE, valid_until__lt=today).values_list("pk", flat=True)
    )
    request_ids = list(
        ShareRequest.objects.filter(status=RequestStatus.PENDING, period_end__lt=today).values_list(
            "pk", flat=True
        )
    )
    expired_grants = expired_requests = 0
    for pk in grant_ids:
        with transaction.atomic():
            grant = Grant.objects.select_for_update().select_related("resource").get(pk=pk)
            if grant.status != GrantStatus.ACTIVE or grant.valid_until >= today:
                continue
            grant.status = GrantStatus.EXPIRED
            grant.save(update_fields=["status", "updated_at"])
            audit.record("sharing.grant_expired", obj=grant, detail={"valid_until": grant.valid_until})
            notify_officials(
                grant.consumer_id,
                title=f"“{grant.resource.name}”的共享授权已到期",
                link="/workbench/sharing/grants/",
            )
            expired_grants += 1
    for pk in request_ids:
        with transaction.atomic():
            share_request = ShareRequest.objects.select_for_update().select_related("resource").get(pk=pk)
            if share_request.status != RequestStatus.PENDING or share_request.period_end >= today:
                continue
            share_request.status = RequestStatus.EXPIRED
            share_request.save(update_fields=["status", "updated_at"])
            audit.record(
                "sharing.request_expired", obj=share_request, detail={"period_end": share_request.period_end}
            )
            notify_users(
                [share_request.requester_id],
                title=f"对“{share_request.resource.name}”的共享申请已过期",
                link=f"/workbench/sharing/requests/{share_request.public_id}/",
            )
            expired_requests += 1
    return ExpiryReport(grants=expired_grants, requests=expired_requests)
