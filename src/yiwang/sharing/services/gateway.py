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
from django.db.models import F, Q
from django.utils import timezone

from yiwang.accounts.reads import applicant_user_id
from yiwang.core import ratelimit
from yiwang.core.errors import DomainError
from yiwang.core.identifiers import IdentifierError, validate_credit_code, validate_id_number
from yiwang.core.personal_data import Read, Reader, record_reads
from yiwang.core.protected import protected_digest
from yiwang.sharing.call_reads import CallTarget, call_target, published_field_map
from yiwang.sharing.errors import SharingErrorCode
from yiwang.sharing.gateway_errors import GatewayErrorCode
from yiwang.sharing.models import (
    CallChannel,
    CallResult,
    GatewayCall,
    GatewayConsumer,
    GatewayUsage,
    PrefillConsent,
    ResourceStatus,
    Sensitivity,
    ShareType,
    SubjectKind,
)
from yiwang.sharing.providers import provider_for

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
    consent: PrefillConsent | None = None
    target: CallTarget | None = None
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
    consent: PrefillConsent | None = None,
) -> GatewayAnswer:
    """Serve one call through every check, and log it.  Refusals raise :class:`GatewayRefusal`
    (logged before raising: call it outside a transaction that a refusal would roll back).

    ``consent``: the subject's own :class:`PrefillConsent` (表单预填 before filing) stands in for the
    case number of a call for personal fields — only when it covers the resource, has not lapsed and
    was given by the subject's account; the call is logged with it."""
    ctx = _Context(
        consumer=consumer,
        resource_code=str(resource_code or "")[:40],
        subject=str(subject or "").strip()[:40],
        fields=[str(name)[:64] for name in (fields or [])][: MAX_FIELDS + 1],
        purpose=str(purpose or "").strip()[:300],
        case_number=str(case_number or "").strip()[:64],
        channel=channel,
        consent=consent,
    )
    try:
        return _serve(ctx)
    except GatewayRefusal as refusal:
        if refusal.call is not None:  # counted and logged already (a subject not found)
            raise
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
    day = timezone.localdate()
    target = call_target(ctx.resource_code, consumer.organisation_id, day)
    if target is None or target.published_version is None or target.status == ResourceStatus.RETIRED:
        raise GatewayRefusal(SharingErrorCode.NOT_FOUND, "未找到该资源或资源未发布", status=404)
    ctx.target = target
    if not consumer.active:
        raise GatewayRefusal(GatewayErrorCode.CONSUMER_INACTIVE, "该调用方系统已停用", status=403)
    published = published_field_map(target)
    allowed = _allowed_fields(consumer, target, published)
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
    consented = ctx.consent is not None and ctx.consent.covers(ctx.resource_code)
    if ctx.personal and not ctx.case_number and not consented:
        raise GatewayRefusal(
            GatewayErrorCode.CASE_NUMBER_REQUIRED,
            "调用个人信息须提供办件编号或本人授权",
            {"case_number": ["必填"]},
            status=400,
        )
    ctx.subject = _check_subject(target.subject_kind, ctx.subject)
    if ctx.personal:  # the subject's account, for his 个人信息查阅记录 (only personal data is recorded)
        ctx.subject_user_id = applicant_user_id(target.subject_kind, ctx.subject)
        if not ctx.case_number and ctx.consent is not None and ctx.subject_user_id != ctx.consent.user_id:
            raise GatewayRefusal(
                GatewayErrorCode.CASE_NUMBER_REQUIRED,
                "授权人不是数据主体",
                {"consent": ["授权人不是数据主体"]},
                status=403,
            )
    _take_rate(consumer)
    data = _ask_provider(target, ctx)
    if data is None:
        refusal = GatewayRefusal(GatewayErrorCode.SUBJECT_NOT_FOUND, "查无此记录", status=404)
        refusal.call = _count_and_log(ctx, day, CallResult.NOT_FOUND, status=404, error_code=refusal.code)
        raise refusal
    answer = {name: data[name] for name in asked if name in data}
    if "licences" in data and not answer:
        answer = data
    call = _count_and_log(ctx, day, CallResult.OK, status=200)
    return GatewayAnswer(call=call, data=answer)


def _is_personal(definition: dict[str, Any]) -> bool:
    return bool(definition.get("is_personal")) or definition.get("sensitivity") == Sensitivity.PERSONAL


def _allowed_fields(
    consumer: GatewayConsumer, target: CallTarget, published: dict[str, dict[str, Any]]
) -> set[str]:
    """The field names the consumer may read: its grant's; an unconditional resource without a grant
    allows its public and internal fields; the provider reads its own resource in full."""
    if consumer.organisation_id == target.provider_id:
        return set(published)
    if target.share_type == ShareType.NONE:
        raise GatewayRefusal(SharingErrorCode.NOT_SHARED, "该资源不予共享", status=403)
    if target.grant_id is not None:
        return {name for name in target.grant_fields if name in published}
    if target.share_type == ShareType.UNCONDITIONAL:
        return {
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


def _take_one(consumer: GatewayConsumer, resource_id: int | None, day: date, limit: int | None) -> bool:
    """Count one call on the (consumer, resource or total, day) counter unless it is at ``limit``."""
    which = Q(resource__isnull=True) if resource_id is None else Q(resource_id=resource_id)
    rows = GatewayUsage.objects.filter(which, consumer=consumer, day=day)
    if limit is not None:
        rows = rows.filter(count__lt=limit)
    if rows.update(count=F("count") + 1):
        return True
    if limit is not None and limit <= 0:
        return False
    try:
        with transaction.atomic():
            GatewayUsage.objects.create(consumer=consumer, resource_id=resource_id, day=day, count=1)
        return True
    except IntegrityError:  # it exists (at the limit, or created meanwhile): try once more
        again = GatewayUsage.objects.filter(which, consumer=consumer, day=day)
        if limit is not None:
            again = again.filter(count__lt=limit)
        return bool(again.update(count=F("count") + 1))


class _SlowCount(Exception):
    """The one-statement count did not take both counters: a counter is missing or at its limit."""


def _take_both(consumer: GatewayConsumer, resource_id: int, day: date, grant_limit: int | None) -> bool:
    """Count the call on the consumer's total and per-resource counters of ``day`` in one ``UPDATE``,
    each only under its limit; True when both were taken."""
    total = Q(resource__isnull=True)
    if consumer.daily_quota is not None:
        total &= Q(count__lt=consumer.daily_quota)
    per_resource = Q(resource_id=resource_id)
    if grant_limit is not None:
        per_resource &= Q(count__lt=grant_limit)
    rows = GatewayUsage.objects.filter(total | per_resource, consumer=consumer, day=day)
    return rows.update(count=F("count") + 1) == 2


def _take_quota(consumer: GatewayConsumer, resource_id: int, day: date, grant_limit: int | None) -> None:
    """The careful path: create a missing counter, take each under its limit, or refuse (429)."""
    with transaction.atomic():
        ok = _take_one(consumer, None, day, consumer.daily_quota)
        ok = ok and _take_one(consumer, resource_id, day, grant_limit)
        if not ok:
            transaction.set_rollback(True)
    if not ok:
        wait = _seconds_to_midnight(timezone.now())
        raise GatewayRefusal(
            GatewayErrorCode.QUOTA_EXCEEDED,
            "已达今日调用上限",
            {"retry_after": wait},
            status=429,
            retry_after=wait,
        )


def _count_and_log(
    ctx: _Context, day: date, result: str, *, status: int, error_code: str = ""
) -> GatewayCall:
    """Take the daily quotas, log the call and record the subject's personal-data read — one
    transaction (one ``UPDATE`` and the inserts) on the usual path; the careful path when a counter
    is missing (the first call of the day) or full (then the call is refused and logged as such)."""
    consumer, target = ctx.consumer, ctx.target
    assert consumer is not None and target is not None
    try:
        with transaction.atomic():
            if not _take_both(consumer, target.id, day, target.grant_quota):
                raise _SlowCount
            return _log_served(ctx, result, status, error_code)
    except _SlowCount:
        pass
    _take_quota(consumer, target.id, day, target.grant_quota)
    with transaction.atomic():
        return _log_served(ctx, result, status, error_code)


def _log_served(ctx: _Context, result: str, status: int, error_code: str) -> GatewayCall:
    call = log_call(ctx, result, status=status, error_code=error_code)
    if result == CallResult.OK and ctx.personal and ctx.subject_user_id is not None:
        _record_personal_read(ctx)
    return call


def _ask_provider(target: CallTarget, ctx: _Context) -> dict[str, Any] | None:
    provider = provider_for(target.service)
    if provider is None:
        raise GatewayRefusal(GatewayErrorCode.NO_PROVIDER, "该资源暂无可用的服务", status=503)
    try:
        return provider(ctx.subject, ctx.fields)
    except DomainError as exc:
        raise GatewayRefusal(
            GatewayErrorCode.PROVIDER_ERROR, exc.message, {"provider": [exc.code]}, status=502
        ) from None
    except Exception:
        logger.exception("gateway provider %s failed", target.service)
        raise GatewayRefusal(GatewayErrorCode.PROVIDER_ERROR, "数据提供方服务异常", status=502) from None


def _record_personal_read(ctx: _Context) -> None:
    consumer, target = ctx.consumer, ctx.target
    assert consumer is not None and target is not None and ctx.subject_user_id is not None
    reader = Reader(
        user=consumer.owner,
        name=consumer.name,
        role="共享网关调用",
        organisation_id=consumer.organisation_id,
    )
    read = Read(
        subject_id=ctx.subject_user_id,
        object_type="sharing.resource",
        object_id=target.code,
        object_label=ctx.case_number or target.name,
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
        resource_id=ctx.target.id if ctx.target is not None else None,
        resource_code=ctx.resource_code,
        fields=ctx.fields[:MAX_FIELDS],
        subject_digest=subject_digest(ctx.subject),
        subject_user_id=ctx.subject_user_id,
        purpose=ctx.purpose,
        case_number=ctx.case_number,
        consent=ctx.consent if not ctx.case_number else None,
        channel=ctx.channel,
        result=result,
        status=status,
        error_code=str(error_code)[:60],
        duration_ms=min(duration, 2**31 - 1),
    )
