"""The gateway call (共享网关调用): one consumer asks one resource about one subject.

:func:`call_resource` is the one path every call takes — the HTTP API and the platform's own callers
alike: find the resource, the consumer's grant (or an unconditional resource), refuse fields outside
it (listing them), require a purpose and, for personal fields, a case number, take the per-minute
rate and the daily quotas, ask the provider (:mod:`yiwang.sharing.providers`) and answer only the
granted fields.  Every call is logged in ``GatewayCall`` — refusals and errors too — with the subject
as a digest; personal data served to anyone also lands in the subject's 个人信息查阅记录
(``core.PersonalDataAccess``) when he has an account."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from yiwang.accounts.reads import find_applicant
from yiwang.core import ratelimit
from yiwang.core.errors import DomainError
from yiwang.core.identifiers import IdentifierError, validate_credit_code, validate_id_number
from yiwang.core.personal_data import Read, Reader, record_reads
from yiwang.core.protected import protected_digest
from yiwang.sharing.errors import SharingErrorCode
from yiwang.sharing.gateway_errors import GatewayErrorCode
from yiwang.sharing.models import (
    CallChannel,
    CallResult,
    GatewayCall,
    GatewayConsumer,
    GatewayUsage,
    Grant,
    Resource,
    ResourceStatus,
    Sensitivity,
    ShareType,
    SubjectKind,
)
from yiwang.sharing.providers import provider_for
from yiwang.sharing.reads import active_grant
from yiwang.sharing.services.requests import published_fields

logger = logging.getLogger("yiwang.sharing.gateway")

MAX_FIELDS = 100
UNCONDITIONAL_SENSITIVITIES = {Sensitivity.PUBLIC, Sensitivity.INTERNAL}


class GatewayRefusal(DomainError):
    """A refused or failed call, already logged (``call``); ``retry_after`` seconds for a 429."""

    def __init__(
        self,
        code: str,
        message: str,
        fields: dict[str, Any] | None = None,
        *,
        status: int,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(code, message, fields, status=status)
        self.retry_after = retry_after
        self.call: GatewayCall | None = None


@dataclass
class GatewayAnswer:
    """A served call: the granted ``data`` (None: no such record), the log row."""

    call: GatewayCall
    data: dict[str, Any] | None


@dataclass
class _Context:
    consumer: GatewayConsumer | None
    resource_code: str
    subject: str
    fields: list[str]
    purpose: str
    case_number: str
    channel: str
    started: float = field(default_factory=time.perf_counter)
    resource: Resource | None = None
    personal: list[str] = field(default_factory=list)
    subject_user_id: int | None = None


# --- the call ----------------------------------------------------------------------------------------
def call_resource(
    consumer: GatewayConsumer,
    resource_code: str,
    subject: str,
    fields: list[str] | None,
    purpose: str,
    case_number: str = "",
    *,
    channel: str = CallChannel.INTERNAL,
) -> GatewayAnswer:
    """Serve one call through every check, and log it.  Refusals raise :class:`GatewayRefusal`
    (logged before raising: call it outside a transaction that a refusal would roll back)."""
    ctx = _Context(
        consumer=consumer,
        resource_code=str(resource_code or "")[:40],
        subject=str(subject or "").strip()[:40],
        fields=[str(name)[:64] for name in (fields or [])][: MAX_FIELDS + 1],
        purpose=str(purpose or "").strip()[:300],
        case_number=str(case_number or "").strip()[:64],
        channel=channel,
    )
    try:
        return _serve(ctx)
    except GatewayRefusal as refusal:
        result = CallResult.ERROR if refusal.status >= 500 else CallResult.REFUSED
        if refusal.code == GatewayErrorCode.SUBJECT_NOT_FOUND:
            result = CallResult.NOT_FOUND
        refusal.call = log_call(ctx, result, status=refusal.status, error_code=refusal.code)
        raise


def refuse_unauthenticated(
    error: DomainError, resource_code: str, channel: str = CallChannel.API
) -> GatewayCall:
    """Log a call whose credentials failed (no consumer known)."""
    ctx = _Context(None, str(resource_code)[:40], "", [], "", "", channel)
    return log_call(ctx, CallResult.REFUSED, status=error.status, error_code=error.code)


def _serve(ctx: _Context) -> GatewayAnswer:
    consumer = ctx.consumer
    assert consumer is not None
    resource = Resource.objects.select_related("provider").filter(code=ctx.resource_code).first()
    if resource is None or resource.published_version is None or resource.status == ResourceStatus.RETIRED:
        raise GatewayRefusal(SharingErrorCode.NOT_FOUND, "未找到该资源或资源未发布", status=404)
    ctx.resource = resource
    if not consumer.active:
        raise GatewayRefusal(GatewayErrorCode.CONSUMER_INACTIVE, "该调用方系统已停用", status=403)
    published = {f["name"]: f for f in published_fields(resource)}
    grant, allowed = _allowed_fields(consumer, resource, published)
    asked = list(dict.fromkeys(ctx.fields)) or sorted(allowed)
    if len(asked) > MAX_FIELDS:
        raise GatewayRefusal(
            GatewayErrorCode.FIELDS_NOT_GRANTED, "信息项过多", {"fields": ["至多 100 项"]}, status=400
        )
    outside = [name for name in asked if name not in allowed]
    if outside:
        raise GatewayRefusal(
            GatewayErrorCode.FIELDS_NOT_GRANTED,
            f"以下信息项不在授权范围内：{'、'.join(outside[:20])}",
            {"fields": outside[:MAX_FIELDS]},
            status=403,
        )
    ctx.fields = asked
    ctx.personal = [name for name in asked if _is_personal(published.get(name, {}))]
    if not ctx.purpose:
        raise GatewayRefusal(
            GatewayErrorCode.PURPOSE_REQUIRED, "请说明调用目的", {"purpose": ["必填"]}, status=400
        )
    if ctx.personal and not ctx.case_number:
        raise GatewayRefusal(
            GatewayErrorCode.CASE_NUMBER_REQUIRED,
            "调用个人信息须提供办件编号",
            {"case_number": ["必填"]},
            status=400,
        )
    ctx.subject = _check_subject(resource.subject_kind, ctx.subject)
    ctx.subject_user_id = _subject_user_id(resource.subject_kind, ctx.subject)
    _take_rate(consumer)
    _take_quota(consumer, resource, grant)
    data = _ask_provider(resource, ctx)
    if data is None:
        raise GatewayRefusal(GatewayErrorCode.SUBJECT_NOT_FOUND, "查无此记录", status=404)
    answer = {name: data[name] for name in asked if name in data}
    if "licences" in data and not answer:
        answer = data
    call = log_call(ctx, CallResult.OK, status=200)
    if ctx.personal and ctx.subject_user_id is not None:
        _record_personal_read(consumer, resource, ctx)
    return GatewayAnswer(call=call, data=answer)


def _is_personal(definition: dict[str, Any]) -> bool:
    return bool(definition.get("is_personal")) or definition.get("sensitivity") == Sensitivity.PERSONAL


def _allowed_fields(
    consumer: GatewayConsumer, resource: Resource, published: dict[str, dict[str, Any]]
) -> tuple[Grant | None, set[str]]:
    """The consumer's grant and the field names it allows; an unconditional resource without a grant
    allows its public and internal fields; the provider reads its own resource in full."""
    if consumer.organisation_id == resource.provider_id:
        return None, set(published)
    if resource.share_type == ShareType.NONE:
        raise GatewayRefusal(SharingErrorCode.NOT_SHARED, "该资源不予共享", status=403)
    grant = active_grant(consumer.organisation_id, resource.pk)
    if grant is not None:
        return grant, {name for name in grant.fields if name in published}
    if resource.share_type == ShareType.UNCONDITIONAL:
        return None, {
            name
            for name, definition in published.items()
            if definition.get("sensitivity") in UNCONDITIONAL_SENSITIVITIES and not _is_personal(definition)
        }
    raise GatewayRefusal(GatewayErrorCode.NO_GRANT, "没有该资源的有效授权，请先提出共享申请", status=403)


def _check_subject(kind: str, subject: str) -> str:
    try:
        if kind == SubjectKind.PERSON:
            return validate_id_number(subject).normalized
        if kind == SubjectKind.COMPANY:
            return validate_credit_code(subject).normalized
    except IdentifierError as exc:
        raise GatewayRefusal(
            GatewayErrorCode.SUBJECT_INVALID, exc.message, {"subject": [exc.message]}, status=400
        ) from None
    if not subject or len(subject) > 40:
        raise GatewayRefusal(
            GatewayErrorCode.SUBJECT_INVALID, "请提供查询对象", {"subject": ["必填"]}, status=400
        )
    return subject


def _subject_user_id(kind: str, subject: str) -> int | None:
    if kind not in (SubjectKind.PERSON, SubjectKind.COMPANY):
        return None
    user = find_applicant(subject)
    return user.pk if user is not None else None


def _take_rate(consumer: GatewayConsumer) -> None:
    wait = ratelimit.hit("gateway", f"consumer:{consumer.pk}", ratelimit.Limit(consumer.rate_per_minute, 60))
    if wait:
        raise GatewayRefusal(
            GatewayErrorCode.RATE_LIMITED,
            "调用过于频繁，请稍后再试",
            {"retry_after": wait},
            status=429,
            retry_after=wait,
        )


def _seconds_to_midnight(now: datetime) -> int:
    local = timezone.localtime(now)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, math.ceil((midnight - local).total_seconds()))


def _take_one(consumer: GatewayConsumer, resource: Resource | None, day: date, limit: int | None) -> bool:
    """Count one call on the (consumer, resource or total, day) counter unless it is at ``limit``."""
    rows = GatewayUsage.objects.filter(consumer=consumer, resource=resource, day=day)
    if limit is not None:
        rows = rows.filter(count__lt=limit)
    if rows.update(count=F("count") + 1):
        return True
    if limit is not None and limit <= 0:
        return False
    try:
        with transaction.atomic():
            GatewayUsage.objects.create(consumer=consumer, resource=resource, day=day, count=1)
        return True
    except IntegrityError:  # it exists (at the limit, or created meanwhile): try once more
        again = GatewayUsage.objects.filter(consumer=consumer, resource=resource, day=day)
        if limit is not None:
            again = again.filter(count__lt=limit)
        return bool(again.update(count=F("count") + 1))


def _take_quota(consumer: GatewayConsumer, resource: Resource, grant: Grant | None) -> None:
    now = timezone.now()
    day = timezone.localdate(now)
    grant_limit = grant.quota_per_day if grant is not None else None
    with transaction.atomic():
        ok = _take_one(consumer, None, day, consumer.daily_quota)
        ok = ok and _take_one(consumer, resource, day, grant_limit)
        if not ok:
            transaction.set_rollback(True)
    if not ok:
        wait = _seconds_to_midnight(now)
        raise GatewayRefusal(
            GatewayErrorCode.QUOTA_EXCEEDED,
            "已达今日调用上限",
            {"retry_after": wait},
            status=429,
            retry_after=wait,
        )


def _ask_provider(resource: Resource, ctx: _Context) -> dict[str, Any] | None:
    provider = provider_for(resource.service)
    if provider is None:
        raise GatewayRefusal(GatewayErrorCode.NO_PROVIDER, "该资源暂无可用的服务", status=503)
    try:
        return provider(ctx.subject, ctx.fields)
    except DomainError as exc:
        raise GatewayRefusal(
            GatewayErrorCode.PROVIDER_ERROR, exc.message, {"provider": [exc.code]}, status=502
        ) from None
    except Exception:
        logger.exception("gateway provider %s failed", resource.service)
        raise GatewayRefusal(GatewayErrorCode.PROVIDER_ERROR, "数据提供方服务异常", status=502) from None


def _record_personal_read(consumer: GatewayConsumer, resource: Resource, ctx: _Context) -> None:
    assert ctx.subject_user_id is not None
    reader = Reader(
        user=consumer.owner,
        name=consumer.name,
        role="共享网关调用",
        organisation_id=consumer.organisation_id,
    )
    read = Read(
        subject_id=ctx.subject_user_id,
        object_type="sharing.resource",
        object_id=resource.code,
        object_label=ctx.case_number or resource.name,
        fields=tuple(ctx.personal),
    )
    record_reads(reader, [read], purpose=ctx.purpose)


# --- the log -----------------------------------------------------------------------------------------
def subject_digest(subject: str) -> str:
    """The digest a subject is logged under (the bases' change log uses the same)."""
    return protected_digest(subject, "code") if subject else ""


def log_call(ctx: _Context, result: str, *, status: int, error_code: str = "") -> GatewayCall:
    duration = max(0, round((time.perf_counter() - ctx.started) * 1000))
    consumer = ctx.consumer
    return GatewayCall.objects.create(
        consumer=consumer,
        organisation_id=consumer.organisation_id if consumer is not None else None,
        resource=ctx.resource,
        resource_code=ctx.resource_code,
        fields=ctx.fields[:MAX_FIELDS],
        subject_digest=subject_digest(ctx.subject),
        subject_user_id=ctx.subject_user_id,
        purpose=ctx.purpose,
        case_number=ctx.case_number,
        channel=ctx.channel,
        result=result,
        status=status,
        error_code=str(error_code)[:60],
        duration_ms=min(duration, 2**31 - 1),
    )
