"""Account services: registration with SMS verification, account creation, API tokens.

Every state change goes through here; pages, API and commands stay thin.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.accounts.api_auth import hash_token
from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import (
    AccountKind,
    ApiToken,
    AssuranceLevel,
    LegalPerson,
    NaturalPerson,
    SmsPurpose,
    SmsVerificationCode,
    StaffProfile,
    StaffRole,
    StaffRoleAssignment,
    User,
)
from yiwang.accounts.sms import send_sms
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.core.identifiers import validate_credit_code, validate_id_number, validate_phone
from yiwang.core.models import Organisation

SMS_MIN_INTERVAL_SECONDS = 60
SMS_MAX_PER_HOUR = 5
SMS_MAX_ATTEMPTS = 5
API_TOKEN_LIFETIME = timedelta(days=30)


def _code_hash(phone: str, purpose: str, code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{phone}:{purpose}:{code}".encode(), hashlib.sha256
    ).hexdigest()


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise DomainError(
            AccountErrorCode.WEAK_PASSWORD, "密码不符合要求", {"password": list(exc.messages)}
        ) from exc


# --- SMS verification codes ----------------------------------------------------------------------
def send_verification_code(phone: str, purpose: str = SmsPurpose.REGISTER) -> None:
    """Send a 6-digit code; at most one a minute and five an hour per phone."""
    phone = validate_phone(phone)
    now = timezone.now()
    with transaction.atomic():
        recent = SmsVerificationCode.objects.filter(phone=phone, created_at__gte=now - timedelta(hours=1))
        if recent.filter(created_at__gte=now - timedelta(seconds=SMS_MIN_INTERVAL_SECONDS)).exists():
            raise DomainError(
                AccountErrorCode.SMS_RATE_LIMITED,
                "验证码发送过于频繁，请 60 秒后再试",
                {"phone": ["请稍后再试"]},
                status=429,
            )
        if recent.count() >= SMS_MAX_PER_HOUR:
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
            code_hash=_code_hash(phone, purpose, code),
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
    """Consume a code: right, unexpired and unused, or a clear error.  Five wrong tries burn it."""
    now = timezone.now()
    with transaction.atomic():
        latest = (
            SmsVerificationCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        error_fields = {"sms_code": ["验证码不正确或已失效"]}
        if latest is None:
            raise DomainError(
                AccountErrorCode.SMS_CODE_INVALID, "验证码不正确或已使用，请重新获取", error_fields
            )
        if latest.expires_at <= now:
            raise DomainError(AccountErrorCode.SMS_CODE_EXPIRED, "验证码已过期，请重新获取", error_fields)
        if latest.attempts >= SMS_MAX_ATTEMPTS:
            raise DomainError(
                AccountErrorCode.SMS_CODE_INVALID, "验证码错误次数过多，请重新获取", error_fields
            )
        if hmac.compare_digest(latest.code_hash, _code_hash(phone, purpose, code.strip())):
            latest.used_at = now
            latest.save(update_fields=["used_at", "updated_at"])
            return
        # Count the failed attempt in this (committed) transaction, then refuse outside it.
        latest.attempts += 1
        latest.save(update_fields=["attempts", "updated_at"])
    raise DomainError(AccountErrorCode.SMS_CODE_INVALID, "验证码不正确", error_fields)


# --- account creation ----------------------------------------------------------------------------
def _create_user(
    *, username: str, password: str, kind: str, phone: str, display_name: str, assurance_level: int
) -> User:
    if User.objects.filter(username=username).exists():
        raise DomainError(
            AccountErrorCode.USERNAME_TAKEN, "用户名已被使用", {"username": ["用户名已被使用"]}, status=409
        )
    if (
        phone
        and kind != AccountKind.STAFF
        and User.objects.filter(phone=phone).exclude(kind=AccountKind.STAFF).exists()
    ):
        raise DomainError(
            AccountErrorCode.PHONE_TAKEN, "手机号已注册", {"phone": ["手机号已注册"]}, status=409
        )
    user = User(
        username=username,
        kind=kind,
        phone=phone,
        display_name=display_name,
        assurance_level=assurance_level,
        phone_verified_at=timezone.now() if phone else None,
    )
    _check_password(password, user)
    user.set_password(password)
    user.save()
    return user


def create_natural_person_account(
    *,
    username: str,
    password: str,
    real_name: str,
    id_number: str,
    phone: str,
    assurance_level: int = AssuranceLevel.PRIMARY,
    actor: User | None = None,
) -> User:
    """Create a natural-person account (自然人) with a verified real name."""
    id_info = validate_id_number(id_number)
    phone = validate_phone(phone)
    real_name = real_name.strip()
    if not real_name:
        raise DomainError("validation_error", "请填写真实姓名", {"real_name": ["必填"]})
    try:
        with transaction.atomic():
            if NaturalPerson.objects.filter(id_number=id_info.normalized).exists():
                raise DomainError(
                    AccountErrorCode.ID_NUMBER_TAKEN,
                    "该身份证号已注册",
                    {"id_number": ["该身份证号已注册"]},
                    status=409,
                )
            user = _create_user(
                username=username,
                password=password,
                kind=AccountKind.NATURAL,
                phone=phone,
                display_name=real_name,
                assurance_level=assurance_level,
            )
            NaturalPerson.objects.create(user=user, real_name=real_name, id_number=id_info.normalized)
            audit.record(
                "account.natural_created", actor=actor, obj=user, detail={"assurance_level": assurance_level}
            )
    except IntegrityError as exc:  # a concurrent registration took the same username/phone/ID
        raise DomainError(AccountErrorCode.USERNAME_TAKEN, "账户信息已被注册", status=409) from exc
    return user


def create_legal_person_account(
    *,
    username: str,
    password: str,
    name: str,
    credit_code: str,
    legal_representative: NaturalPerson,
    phone: str,
    assurance_level: int = AssuranceLevel.PRIMARY,
    actor: User | None = None,
) -> User:
    """Create a legal-person account (法人) bound to its legal representative."""
    code = validate_credit_code(credit_code).normalized
    phone = validate_phone(phone)
    with transaction.atomic():
        if LegalPerson.objects.filter(credit_code=code).exists():
            raise DomainError(
                AccountErrorCode.CREDIT_CODE_TAKEN,
                "该统一社会信用代码已注册",
                {"credit_code": ["已注册"]},
                status=409,
            )
        user = _create_user(
            username=username,
            password=password,
            kind=AccountKind.LEGAL,
            phone=phone,
            display_name=name,
            assurance_level=assurance_level,
        )
        LegalPerson.objects.create(
            user=user, name=name, credit_code=code, legal_representative=legal_representative
        )
        audit.record("account.legal_created", actor=actor, obj=user, detail={"credit_code": code})
    return user


def create_staff_account(
    *,
    username: str,
    password: str,
    real_name: str,
    organisation: Organisation,
    roles: Sequence[str],
    phone: str = "",
    is_superuser: bool = False,
    actor: User | None = None,
) -> User:
    """Create a staff account (工作人员) in an organisation with the given roles."""
    unknown = [role for role in roles if role not in StaffRole.values]
    if unknown:
        raise DomainError("validation_error", f"未知角色：{', '.join(unknown)}", {"roles": unknown})
    if phone:
        phone = validate_phone(phone)
    with transaction.atomic():
        user = _create_user(
            username=username,
            password=password,
            kind=AccountKind.STAFF,
            phone=phone,
            display_name=real_name,
            assurance_level=AssuranceLevel.INTERMEDIATE,
        )
        if is_superuser or StaffRole.ADMIN in roles:
            user.is_staff = True
            user.is_superuser = is_superuser
            user.save(update_fields=["is_staff", "is_superuser", "updated_at"])
        profile = StaffProfile.objects.create(user=user, organisation=organisation, real_name=real_name)
        StaffRoleAssignment.objects.bulk_create(
            [StaffRoleAssignment(staff=profile, role=role) for role in roles]
        )
        audit.record(
            "account.staff_created",
            actor=actor,
            obj=user,
            detail={"organisation": organisation.name, "roles": list(roles)},
        )
    return user


def register_natural_person(
    *, username: str, password: str, real_name: str, id_number: str, phone: str, sms_code: str
) -> User:
    """Self-registration (注册): SMS-verified phone + ID number → primary assurance level (初级实名)."""
    validate_id_number(id_number)
    phone = validate_phone(phone)
    check_verification_code(phone, sms_code, SmsPurpose.REGISTER)
    return create_natural_person_account(
        username=username,
        password=password,
        real_name=real_name,
        id_number=id_number,
        phone=phone,
        assurance_level=AssuranceLevel.PRIMARY,
    )


# --- login and API tokens ------------------------------------------------------------------------
def login_check(request: object, username: str, password: str) -> User:
    user = authenticate(request, username=username, password=password)  # type: ignore[arg-type]
    if user is None:
        audit.record("auth.login_failed", object_type="username", object_id=username[:100])
        raise DomainError(AccountErrorCode.INVALID_CREDENTIALS, "用户名或密码错误", status=401)
    audit.record("auth.login", actor=user, obj=user)
    return user  # type: ignore[return-value]


def issue_api_token(user: User, name: str = "api") -> str:
    """Return a new bearer token; only its hash is stored, so it is shown once."""
    token = "yw_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.create(
            user=user,
            name=name,
            token_hash=hash_token(token),
            prefix=token[:8],
            expires_at=timezone.now() + API_TOKEN_LIFETIME,
        )
        audit.record("auth.token_issued", actor=user, obj=user, detail={"name": name})
    return token


def revoke_api_token(user: User, token: str) -> None:
    with transaction.atomic():
        ApiToken.objects.filter(user=user, token_hash=hash_token(token), revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit.record("auth.token_revoked", actor=user, obj=user)


def applicant_identity(user: User) -> tuple[str, str, str]:
    """(name, id type, id number) of the person or company an applicant account belongs to."""
    if user.kind == AccountKind.LEGAL and hasattr(user, "legal_person"):
        return user.legal_person.name, "统一社会信用代码", user.legal_person.credit_code
    if hasattr(user, "natural_person"):
        return user.natural_person.real_name, "居民身份证", user.natural_person.id_number
    return user.display_name or user.username, "", ""


def staff_roles(user: User) -> set[str]:
    if user.kind != AccountKind.STAFF or not hasattr(user, "staff_profile"):
        return set()
    return {assignment.role for assignment in user.staff_profile.roles.all()}
