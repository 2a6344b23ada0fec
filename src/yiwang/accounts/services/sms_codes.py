"""SMS verification codes (短信验证码): sending with rate limits, checking with a bounded number of tries."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import SmsPurpose, SmsVerificationCode, mask_phone
from yiwang.accounts.refusals import record_refusal
from yiwang.accounts.sms import send_sms
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.core.identifiers import validate_phone

SMS_MIN_INTERVAL_SECONDS = 60
SMS_MAX_PER_HOUR = 5
SMS_MAX_ATTEMPTS = 5


def code_hash(phone: str, purpose: str, code: str) -> str:
    """The keyed hash stored instead of the code."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{phone}:{purpose}:{code}".encode(), hashlib.sha256
    ).hexdigest()


def send_verification_code(phone: str, purpose: str = SmsPurpose.REGISTER) -> None:
    """Send a 6-digit code; at most one a minute and five an hour per phone."""
    phone = validate_phone(phone)
    now = timezone.now()
    with transaction.atomic():
        recent = SmsVerificationCode.objects.filter(phone=phone, created_at__gte=now - timedelta(hours=1))
        if recent.filter(created_at__gte=now - timedelta(seconds=SMS_MIN_INTERVAL_SECONDS)).exists():
            record_refusal("sms.rate_limited", object_type="phone", object_id=mask_phone(phone))
            raise DomainError(
                AccountErrorCode.SMS_RATE_LIMITED,
                "验证码发送过于频繁，请 60 秒后再试",
                {"phone": ["请稍后再试"]},
                status=429,
            )
        if recent.count() >= SMS_MAX_PER_HOUR:
            record_refusal("sms.rate_limited", object_type="phone", object_id=mask_phone(phone))
            raise DomainError(
                AccountErrorCode.SMS_RATE_LIMITED,
                "该手机号一小时内获取验证码次数已达上限",
                {"phone": ["请稍后再试"]},
                status=429,
            )
        code = f"{secrets.randbelow(1_000_000):06d}"
        SmsVerificationCode.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash=code_hash(phone, purpose, code),
            expires_at=now + timedelta(seconds=settings.YIWANG_SMS_CODE_TTL_SECONDS),
        )
        audit.record(
            "sms.code_sent",
            object_type="phone",
            object_id=phone[:3] + "****" + phone[-4:],
            detail={"purpose": purpose},
        )
        message = (
            f"【{settings.YIWANG_PLATFORM_NAME}】您的验证码为 {code}，5 分钟内有效。如非本人操作请忽略。"
        )
        transaction.on_commit(lambda: send_sms(phone, message))


def check_verification_code(phone: str, code: str, purpose: str = SmsPurpose.REGISTER) -> None:
    """Consume a code: right, unexpired and unused, or a clear error.  Five wrong tries burn it.

    Every refusal is audited (forged, expired or reused codes); the failed attempt is counted in
    its own committed transaction and the error is raised outside it.
    """
    now = timezone.now()
    error: DomainError | None = None
    error_fields = {"sms_code": ["验证码不正确或已失效"]}
    with transaction.atomic():
        latest = (
            SmsVerificationCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if latest is None:
            error = DomainError(
                AccountErrorCode.SMS_CODE_INVALID, "验证码不正确或已使用，请重新获取", error_fields
            )
        elif latest.expires_at <= now:
            error = DomainError(AccountErrorCode.SMS_CODE_EXPIRED, "验证码已过期，请重新获取", error_fields)
        elif latest.attempts >= SMS_MAX_ATTEMPTS:
            error = DomainError(
                AccountErrorCode.SMS_CODE_INVALID, "验证码错误次数过多，请重新获取", error_fields
            )
        elif hmac.compare_digest(latest.code_hash, code_hash(phone, purpose, code.strip())):
            latest.used_at = now
            latest.save(update_fields=["used_at", "updated_at"])
            return
        else:
            latest.attempts += 1
            latest.save(update_fields=["attempts", "updated_at"])
            error = DomainError(AccountErrorCode.SMS_CODE_INVALID, "验证码不正确", error_fields)
    record_refusal(
        "sms.code_refused",
        object_type="phone",
        object_id=mask_phone(phone),
        detail={"purpose": purpose, "code": error.code},
    )
    raise error
