"""Share requests (共享申请): a consumer's data official asks for fields of a published resource;
the provider approves, narrows or refuses within the due date (working days).

- 无条件共享 and no personal or sensitive field asked: granted at once, no review;
- 有条件共享 (or personal/sensitive fields of an unconditional resource): pending until decided;
- 不予共享: recorded as refused, with the provider's legal basis as the reason."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.calendar import add_working_days
from yiwang.core.errors import Conflict, DomainError
from yiwang.sharing.errors import SharingErrorCode
from yiwang.sharing.models import (
    RequestStatus,
    Resource,
    ResourceStatus,
    ResourceVersion,
    Sensitivity,
    ShareRequest,
    ShareType,
)
from yiwang.sharing.services.grants import open_grant
from yiwang.sharing.services.notify import notify_officials, notify_users
from yiwang.sharing.services.permissions import (
    official_organisation_id,
    require_data_official,
    require_official_of,
)

#: Fields of these sensitivities always need the provider's review, whatever the share type.
REVIEWED_SENSITIVITIES = {Sensitivity.SENSITIVE, Sensitivity.PERSONAL}
DECISIONS = ("approve", "narrow", "refuse")


def decision_days() -> int:
    """答复时限: working days the provider has to answer (setting ``YIWANG_SHARING_DECISION_DAYS``)."""
    return int(getattr(settings, "YIWANG_SHARING_DECISION_DAYS", 10))


def max_period_days() -> int:
    """The longest period a request may ask for (setting ``YIWANG_SHARING_MAX_PERIOD_DAYS``)."""
    return int(getattr(settings, "YIWANG_SHARING_MAX_PERIOD_DAYS", 3 * 366))


def due_at_for(submitted: datetime) -> datetime:
    """The end (23:59:59 local) of the N-th working day after the day of submission."""
    due = add_working_days(timezone.localdate(submitted), decision_days())
    return timezone.make_aware(datetime.combine(due, time(23, 59, 59)))


def published_fields(resource: Resource) -> list[dict[str, Any]]:
    """The fields of the resource's published version (what consumers may ask for)."""
    if resource.published_version is None:
        return []
    version = ResourceVersion.objects.filter(resource=resource, number=resource.published_version).first()
    return list(version.snapshot.get("fields", [])) if version else []


def _check_fields(asked: Iterable[str], available: Iterable[str]) -> list[str]:
    names = list(dict.fromkeys(str(name) for name in asked))
    unknown = sorted(set(names) - set(available))
    if not names or unknown:
        raise DomainError(
            SharingErrorCode.INVALID_FIELDS,
            "请选择资源中存在的信息项" if unknown else "请至少选择一个信息项",
            {"fields": unknown or ["必填"]},
        )
    return names


def _check_period(start: date, end: date, today: date) -> None:
    if end < start:
        raise DomainError(
            SharingErrorCode.INVALID_PERIOD, "使用期限的结束日期早于开始日期", {"period_end": [str(end)]}
        )
    if end < today:
        raise DomainError(SharingErrorCode.INVALID_PERIOD, "使用期限已经结束", {"period_end": [str(end)]})
    if start < today - timedelta(days=1) or (end - start).days > max_period_days():
        raise DomainError(
            SharingErrorCode.INVALID_PERIOD,
            f"使用期限须从今天起算，且不超过 {max_period_days()} 天",
            {"period_start": [str(start)], "period_end": [str(end)]},
        )


def request_resource(
    *,
    actor: User,
    resource: Resource,
    fields: Iterable[str],
    purpose: str,
    legal_basis: str,
    period_start: date,
    period_end: date,
) -> ShareRequest:
    """申请共享: for the actor's organisation (the consumer)."""
    require_data_official(actor)
    consumer_id = official_organisation_id(actor)
    assert consumer_id is not None
    if consumer_id == resource.provider_id:
        raise DomainError(
            SharingErrorCode.OWN_RESOURCE, "本部门的资源无需申请共享", {"resource": [resource.code]}
        )
    if resource.published_version is None or resource.status == ResourceStatus.RETIRED:
        raise Conflict("该资源尚未发布或已停用", code=SharingErrorCode.NOT_PUBLISHED)
    if not purpose.strip() or not legal_basis.strip():
        raise DomainError(
            SharingErrorCode.REASON_REQUIRED,
            "请填写用途和依据",
            {
                key: ["必填"]
                for key, value in (("purpose", purpose), ("legal_basis", legal_basis))
                if not value.strip()
            },
        )
    available = published_fields(resource)
    names = _check_fields(fields, [f["name"] for f in available])
    now = timezone.now()
    _check_period(period_start, period_end, timezone.localdate(now))
    reviewed = {
        f["name"] for f in available if f.get("is_personal") or f.get("sensitivity") in REVIEWED_SENSITIVITIES
    }
    link = "/workbench/sharing/requests/{}/"
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        share_request = ShareRequest(
            consumer_id=consumer_id,
            requester=actor,
            resource=locked,
            resource_version=locked.published_version or 0,
            fields=names,
            purpose=purpose.strip(),
            legal_basis=legal_basis.strip(),
            period_start=period_start,
            period_end=period_end,
        )
        if locked.share_type == ShareType.NONE:
            share_request.status = RequestStatus.REFUSED
            share_request.decided_at = now
            share_request.decision_note = f"不予共享。依据：{locked.no_share_basis}"
            share_request.save()
            audit.record(
                "sharing.request_refused",
                actor=actor,
                obj=share_request,
                detail={"basis": locked.no_share_basis[:300]},
            )
            return share_request
        if locked.share_type == ShareType.UNCONDITIONAL and not set(names) & reviewed:
            share_request.status = RequestStatus.APPROVED
            share_request.decided_at = now
            share_request.decision_note = "无条件共享，自动授权"
            share_request.granted_fields = names
            share_request.granted_until = period_end
            share_request.save()
            audit.record(
                "sharing.request_created",
                actor=actor,
                obj=share_request,
                detail={"fields": names, "auto": True},
            )
            open_grant(share_request, fields=names, valid_until=period_end, actor=None)
            notify_officials(
                locked.provider_id,
                title=f"“{locked.name}”已向新的使用方无条件共享",
                link=link.format(share_request.public_id),
            )
            return share_request
        share_request.due_at = due_at_for(now)
        share_request.save()
        audit.record(
            "sharing.request_created",
            actor=actor,
            obj=share_request,
            detail={"fields": names, "due_at": share_request.due_at},
        )
        notify_officials(
            locked.provider_id,
            title=f"收到对“{locked.name}”的共享申请",
            body=f"请于 {timezone.localtime(share_request.due_at):%Y-%m-%d} 前答复。",
            link=link.format(share_request.public_id),
        )
    return share_request


def _lock_pending(share_request: ShareRequest, what: str) -> ShareRequest:
    locked = ShareRequest.objects.select_for_update().select_related("resource").get(pk=share_request.pk)
    if locked.status != RequestStatus.PENDING:
        raise Conflict(
            f"申请当前状态为“{locked.get_status_display()}”，不能{what}",
            code=SharingErrorCode.INVALID_TRANSITION,
        )
    return locked


def decide_request(
    share_request: ShareRequest,
    *,
    actor: User,
    decision: str,
    note: str = "",
    fields: Iterable[str] | None = None,
    period_end: date | None = None,
    quota_per_day: int | None = None,
) -> ShareRequest:
    """答复: ``approve`` (as asked), ``narrow`` (fewer fields and/or a shorter period) or
    ``refuse`` (a reason is required).  Approving or narrowing opens the grant."""
    resource = share_request.resource
    require_official_of(actor, resource.provider, "答复对本部门资源的共享申请")
    if decision not in DECISIONS:
        raise DomainError(
            SharingErrorCode.INVALID_TRANSITION,
            "答复只能是同意、部分同意或不予同意",
            {"decision": [decision]},
        )
    if decision == "refuse" and not note.strip():
        raise DomainError(SharingErrorCode.REASON_REQUIRED, "不予同意须说明理由", {"note": ["必填"]})
    granted = list(share_request.fields)
    until = share_request.period_end
    if decision == "narrow":
        granted = _check_fields(fields if fields is not None else granted, share_request.fields)
        until = period_end or until
        if until > share_request.period_end or until < share_request.period_start:
            raise DomainError(
                SharingErrorCode.NARROWING_INVALID,
                "缩短后的期限须在申请期限之内",
                {"period_end": [str(until)]},
            )
        if len(granted) == len(share_request.fields) and until == share_request.period_end:
            raise DomainError(
                SharingErrorCode.NARROWING_INVALID, "部分同意须减少信息项或缩短期限", {"fields": ["未缩小"]}
            )
    now = timezone.now()
    with transaction.atomic():
        Resource.objects.select_for_update().filter(pk=resource.pk).first()
        locked = _lock_pending(share_request, "答复")
        locked.status = {
            "approve": RequestStatus.APPROVED,
            "narrow": RequestStatus.NARROWED,
            "refuse": RequestStatus.REFUSED,
        }[decision]
        locked.decided_by = actor
        locked.decided_at = now
        locked.decision_note = note
        update = ["status", "decided_by", "decided_at", "decision_note", "lock_version", "updated_at"]
        if decision != "refuse":
            locked.granted_fields = granted
            locked.granted_until = until
            update += ["granted_fields", "granted_until"]
        locked.lock_version += 1
        locked.save(update_fields=update)
        audit.record(
            f"sharing.request_{locked.status}",
            actor=actor,
            obj=locked,
            detail={
                "fields": granted,
                "until": until,
                "note": note[:300],
                "late": bool(locked.due_at and now > locked.due_at),
            },
        )
        if decision != "refuse":
            open_grant(locked, fields=granted, valid_until=until, actor=actor, quota_per_day=quota_per_day)
        notify_users(
            [locked.requester_id],
            title=f"对“{resource.name}”的共享申请：{locked.get_status_display()}",
            body=note,
            link=f"/workbench/sharing/requests/{locked.public_id}/",
        )
    return locked


def withdraw_request(share_request: ShareRequest, *, actor: User) -> ShareRequest:
    """撤回: the consumer withdraws a pending request."""
    require_official_of(actor, share_request.consumer, "撤回本部门的共享申请")
    with transaction.atomic():
        locked = _lock_pending(share_request, "撤回")
        locked.status = RequestStatus.WITHDRAWN
        locked.lock_version += 1
        locked.save(update_fields=["status", "lock_version", "updated_at"])
        audit.record("sharing.request_withdrawn", actor=actor, obj=locked)
        notify_officials(
            locked.resource.provider_id,
            title=f"对“{locked.resource.name}”的共享申请已撤回",
            link=f"/workbench/sharing/requests/{locked.public_id}/",
        )
    return locked
