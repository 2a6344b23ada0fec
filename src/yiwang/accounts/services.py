"""Account services: registration with SMS verification, account creation, API tokens.

Every state change goes through here; pages, API and commands stay thin.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts.api_auth import hash_token
from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import (
    THREE_ADMIN_ROLES,
    AccountKind,
    AgentAuthorisation,
    ApiToken,
    AssuranceLevel,
    LegalPerson,
    LoginChannel,
    LoginRecord,
    LoginThrottle,
    NaturalPerson,
    SmsPurpose,
    SmsVerificationCode,
    StaffProfile,
    StaffRole,
    StaffRoleAssignment,
    ThrottleScope,
    User,
    mask_phone,
)
from yiwang.accounts.policy import current_policy
from yiwang.accounts.refusals import record_refusal
from yiwang.accounts.sms import send_sms
from yiwang.core import audit, request_context
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
        elif hmac.compare_digest(latest.code_hash, _code_hash(phone, purpose, code.strip())):
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
    if len(set(roles) & THREE_ADMIN_ROLES) > 1:
        raise DomainError(
            AccountErrorCode.ROLE_SEPARATION,
            "系统管理员、安全管理员、安全审计员三个角色不得由同一人兼任",
            {"roles": list(roles)},
            status=409,
        )
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
        if is_superuser or set(roles) & THREE_ADMIN_ROLES:
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
    """Self-registration (注册): SMS-verified phone + ID number, checked against the population base.

    The account starts anonymous (匿名); the population-base check (人口库比对) raises it to 初级实名
    when the provider confirms the name and ID number — at once if the provider answers at once,
    otherwise when the check task or the user's status page polls the answer.
    """
    from yiwang.accounts import identity

    validate_id_number(id_number)
    phone = validate_phone(phone)
    _check_password(password, User(username=username, display_name=real_name))
    check_verification_code(phone, sms_code, SmsPurpose.REGISTER)
    user = create_natural_person_account(
        username=username,
        password=password,
        real_name=real_name,
        id_number=id_number,
        phone=phone,
        assurance_level=AssuranceLevel.ANONYMOUS,
    )
    identity.start_population_check(user)
    user.refresh_from_db()
    return user


# --- login, lockout with back-off, login history ----------------------------------------------------
def _client_ip() -> str:
    return request_context.current().ip_address or ""


def _lock_seconds(lockouts: int) -> int:
    """Back-off: the base lock, doubled for every lock in a row, capped."""
    policy = current_policy()
    return int(min(policy.lockout_base_seconds * (2 ** max(lockouts, 0)), policy.lockout_max_seconds))


def _retry_after(until: Any) -> int:
    return max(1, int((until - timezone.now()).total_seconds()))


def check_login_allowed(username: str, ip: str | None = None) -> None:
    """Refuse at once while the account or the client IP is locked (no password is even checked)."""
    ip = _client_ip() if ip is None else ip
    now = timezone.now()
    keys = [(ThrottleScope.ACCOUNT, username.strip().lower()[:150])]
    if ip:
        keys.append((ThrottleScope.IP, ip))
    for scope, key in keys:
        row = LoginThrottle.objects.filter(scope=scope, key=key, locked_until__gt=now).first()
        if row is None:
            continue
        retry = _retry_after(row.locked_until)
        record_refusal(
            "auth.login_locked",
            object_type=scope,
            object_id=key if scope == ThrottleScope.IP else key[:100],
            detail={"retry_after": retry},
        )
        minutes = max(1, (retry + 59) // 60)
        if scope == ThrottleScope.ACCOUNT:
            raise DomainError(
                AccountErrorCode.ACCOUNT_LOCKED,
                f"登录失败次数过多，账户已临时锁定，请 {minutes} 分钟后再试，或通过手机号找回账户",
                {"retry_after": retry},
                status=429,
            )
        raise DomainError(
            AccountErrorCode.IP_LOCKED,
            f"该网络地址登录失败次数过多，请 {minutes} 分钟后再试",
            {"retry_after": retry},
            status=429,
        )


def _count_failure(scope: str, key: str, limit: int) -> bool:
    """Count one failure; lock with back-off when the limit is reached.  True when it locked."""
    now = timezone.now()
    with transaction.atomic():
        row, _ = LoginThrottle.objects.select_for_update().get_or_create(scope=scope, key=key)
        row.failures += 1
        row.last_failure_at = now
        locked = row.failures >= limit
        if locked:
            row.locked_until = now + timedelta(seconds=_lock_seconds(row.lockouts))
            row.lockouts += 1
            row.failures = 0
        row.save(update_fields=["failures", "last_failure_at", "locked_until", "lockouts", "updated_at"])
    if locked:
        audit.record(
            "auth.lockout",
            object_type=scope,
            object_id=key[:100],
            detail={
                "until": row.locked_until.isoformat() if row.locked_until else "",
                "lockouts": row.lockouts,
            },
        )
    return locked


def register_login_failure(
    username: str, *, user: User | None = None, channel: str = LoginChannel.PORTAL, reason: str = "password"
) -> bool:
    """登录失败 Count the failure per account and per IP; True when the account is now locked."""
    ip = _client_ip()
    locked = _count_failure(
        ThrottleScope.ACCOUNT, username.strip().lower()[:150], current_policy().lockout_account_failures
    )
    if ip:
        _count_failure(ThrottleScope.IP, ip, current_policy().lockout_ip_failures)
    if user is not None:
        _login_record(user, succeeded=False, channel=channel, reason=reason)
    return locked


def _login_record(user: User, *, succeeded: bool, channel: str, reason: str = "") -> None:
    ctx = request_context.current()
    LoginRecord.objects.create(
        user=user,
        occurred_at=timezone.now(),
        succeeded=succeeded,
        channel=channel,
        ip_address=audit.normalise_ip(ctx.ip_address),
        user_agent=ctx.user_agent[:300],
        reason=reason,
    )


def register_login_success(user: User, *, channel: str = LoginChannel.PORTAL) -> None:
    """登录成功 Clear the account's counter and back-off, and keep the login in the history."""
    LoginThrottle.objects.filter(scope=ThrottleScope.ACCOUNT, key=user.username.lower()[:150]).update(
        failures=0, lockouts=0, locked_until=None, updated_at=timezone.now()
    )
    _login_record(user, succeeded=True, channel=channel)


def login_check(request: object, username: str, password: str, *, channel: str = LoginChannel.PORTAL) -> User:
    """登录校验 Password check behind the lockout: per account and per IP, with back-off."""
    username = username.strip()[:150]
    check_login_allowed(username)
    user = authenticate(request, username=username, password=password)  # type: ignore[arg-type]
    if user is None:
        known = User.objects.filter(username=username).first()
        audit.record("auth.login_failed", object_type="username", object_id=username[:100])
        locked = register_login_failure(username, user=known, channel=channel)
        if locked:
            raise DomainError(
                AccountErrorCode.ACCOUNT_LOCKED,
                "登录失败次数过多，账户已临时锁定，请稍后再试，或通过手机号找回账户",
                status=429,
            )
        raise DomainError(AccountErrorCode.INVALID_CREDENTIALS, "用户名或密码错误", status=401)
    audit.record("auth.login", actor=user, obj=user, detail={"channel": channel})
    register_login_success(user, channel=channel)  # type: ignore[arg-type]
    return user  # type: ignore[return-value]


def login_history(user: User, limit: int = 20) -> list[LoginRecord]:
    return list(user.login_records.all()[:limit])


# --- password, recovery and phone change --------------------------------------------------------
def change_password(user: User, *, old_password: str, new_password: str) -> None:
    """修改密码 The old password is required; the new one must pass the password policy."""
    if not user.check_password(old_password):
        record_refusal(
            "account.password_change_refused",
            actor=user,
            object_type="accounts.User",
            object_id=str(user.public_id),
        )
        raise DomainError(
            AccountErrorCode.INVALID_CREDENTIALS,
            "原密码不正确",
            {"old_password": ["原密码不正确"]},
            status=400,
        )
    _check_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at", "updated_at"])
        audit.record("account.password_changed", actor=user, obj=user)


def send_recovery_code(phone: str) -> None:
    """找回账户 Send a code only if an applicant account has this verified phone (no enumeration)."""
    phone = validate_phone(phone)
    if (
        User.objects.filter(phone=phone, phone_verified_at__isnull=False, is_active=True)
        .exclude(kind=AccountKind.STAFF)
        .exists()
    ):
        send_verification_code(phone, SmsPurpose.RECOVER)
    else:
        audit.record("account.recovery_unknown_phone", object_type="phone", object_id=mask_phone(phone))


def recover_account(*, phone: str, sms_code: str, new_password: str) -> User:
    """找回账户 Verified phone + SMS code → a new password; the lockout of the account is lifted."""
    phone = validate_phone(phone)
    check_verification_code(phone, sms_code, SmsPurpose.RECOVER)
    user = (
        User.objects.filter(phone=phone, phone_verified_at__isnull=False, is_active=True)
        .exclude(kind=AccountKind.STAFF)
        .first()
    )
    if user is None:  # the code was sent, so this only happens if the account changed meanwhile
        raise DomainError(AccountErrorCode.RECOVERY_FAILED, "未找到与该手机号绑定的账户", status=404)
    _check_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at", "updated_at"])
        LoginThrottle.objects.filter(scope=ThrottleScope.ACCOUNT, key=user.username.lower()).update(
            failures=0, lockouts=0, locked_until=None
        )
        audit.record("account.recovered", actor=user, obj=user)
        _login_record(user, succeeded=True, channel=LoginChannel.RECOVERY, reason="password_reset")
    return user


def send_phone_change_code(user: User, new_phone: str) -> None:
    """更换手机号 (1/2): a code to the new number, which must not belong to another account."""
    new_phone = validate_phone(new_phone)
    _check_new_phone(user, new_phone)
    send_verification_code(new_phone, SmsPurpose.CHANGE_PHONE)


def _check_new_phone(user: User, new_phone: str) -> None:
    if new_phone == user.phone:
        raise DomainError(
            AccountErrorCode.SAME_PHONE, "新手机号与当前手机号相同", {"new_phone": ["与当前相同"]}
        )
    if (
        user.kind != AccountKind.STAFF
        and User.objects.filter(phone=new_phone).exclude(kind=AccountKind.STAFF).exclude(pk=user.pk).exists()
    ):
        raise DomainError(
            AccountErrorCode.PHONE_TAKEN, "该手机号已绑定其他账户", {"new_phone": ["已被使用"]}, status=409
        )


def change_phone(user: User, *, password: str, new_phone: str, sms_code: str) -> User:
    """更换手机号 (2/2): password + the code sent to the new number; the old number is told."""
    new_phone = validate_phone(new_phone)
    if not user.check_password(password):
        record_refusal(
            "account.phone_change_refused",
            actor=user,
            object_type="accounts.User",
            object_id=str(user.public_id),
        )
        raise DomainError(
            AccountErrorCode.INVALID_CREDENTIALS, "登录密码不正确", {"password": ["登录密码不正确"]}
        )
    _check_new_phone(user, new_phone)
    check_verification_code(new_phone, sms_code, SmsPurpose.CHANGE_PHONE)
    old_phone = user.phone
    with transaction.atomic():
        user.phone = new_phone
        user.phone_verified_at = timezone.now()
        user.save(update_fields=["phone", "phone_verified_at", "updated_at"])
        audit.record(
            "account.phone_changed",
            actor=user,
            obj=user,
            detail={"old": mask_phone(old_phone), "new": mask_phone(new_phone)},
        )
        if old_phone:
            message = (
                f"【{settings.YIWANG_PLATFORM_NAME}】您的账户已将绑定手机号更换为 {mask_phone(new_phone)}。"
                "如非本人操作，请立即联系客服。"
            )
            transaction.on_commit(lambda: send_sms(old_phone, message))
    return user


# --- assurance levels (实名认证等级) -----------------------------------------------------------------
def effective_assurance_level(user: Any) -> int:
    """The level the account has now: 高级 (advanced) holds only for a while after a face check."""
    if not getattr(user, "is_authenticated", False):
        return AssuranceLevel.ANONYMOUS
    level = int(user.assurance_level)
    if user.advanced_until and user.advanced_until > timezone.now():
        level = max(level, AssuranceLevel.ADVANCED)
    return level


def upgrade_url(required_level: int, next_url: str = "") -> str:
    url = reverse("portal:upgrade") + f"?level={int(required_level)}"
    if next_url:
        url += "&" + urlencode({"next": next_url})
    return url


def require_assurance(
    user: User, required_level: int, *, action: str, obj: Any = None, next_url: str = ""
) -> None:
    """等级校验 Refuse (403 ``assurance_too_low``) with where to upgrade when the level is too low."""
    current = effective_assurance_level(user)
    if current >= required_level:
        return
    needed = AssuranceLevel(required_level).label
    record_refusal(
        "auth.assurance_too_low",
        actor=user,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(getattr(obj, "public_id", "") or "") if obj is not None else "",
        detail={"action": action, "required": int(required_level), "current": current},
    )
    raise DomainError(
        AccountErrorCode.ASSURANCE_TOO_LOW,
        f"该事项需要“{needed}”及以上认证等级，请先提升认证等级（到窗口核验，或在线进行银行卡、人脸核验）",
        {
            "assurance_level": [str(current)],
            "required_level": int(required_level),
            "upgrade_url": upgrade_url(required_level, next_url),
        },
        status=403,
    )


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
    from yiwang.accounts.staff import roles_of

    return roles_of(user)


# --- legal persons and their agents (法人、代办授权) -------------------------------------------------
def register_company(
    representative: User,
    *,
    username: str,
    password: str,
    name: str,
    credit_code: str,
    phone: str,
    sms_code: str,
) -> User:
    """法人注册 A verified natural person registers the company he legally represents.

    The representative must have at least 初级实名 (checked against the population base); the
    company starts at the representative's level, at most 中级实名.
    """
    person = getattr(representative, "natural_person", None)
    if person is None or representative.kind != AccountKind.NATURAL:
        raise DomainError(
            AccountErrorCode.NOT_LEGAL_REPRESENTATIVE, "只有自然人账户可以作为法定代表人注册企业", status=403
        )
    if effective_assurance_level(representative) < AssuranceLevel.PRIMARY:
        record_refusal("account.company_refused", actor=representative, detail={"reason": "level"})
        raise DomainError(
            AccountErrorCode.REPRESENTATIVE_NOT_VERIFIED,
            "法定代表人须先完成实名认证（初级及以上）",
            {"upgrade_url": upgrade_url(AssuranceLevel.PRIMARY)},
            status=403,
        )
    phone = validate_phone(phone)
    check_verification_code(phone, sms_code, SmsPurpose.REGISTER)
    return create_legal_person_account(
        username=username,
        password=password,
        name=name,
        credit_code=credit_code,
        legal_representative=person,
        phone=phone,
        assurance_level=min(int(representative.assurance_level), AssuranceLevel.INTERMEDIATE),
        actor=representative,
    )


def companies_managed_by(user: User) -> list[LegalPerson]:
    """The companies whose agents the user may manage: his own (legal account) or those he represents."""
    if not getattr(user, "is_authenticated", False):
        return []
    if user.kind == AccountKind.LEGAL and hasattr(user, "legal_person"):
        return [user.legal_person]
    person = getattr(user, "natural_person", None)
    if person is None:
        return []
    return list(LegalPerson.objects.filter(legal_representative=person).select_related("user"))


def _require_manager(actor: User, company: LegalPerson) -> None:
    if company.pk not in {c.pk for c in companies_managed_by(actor)}:
        record_refusal(
            "agent.manage_refused",
            actor=actor,
            object_type="accounts.LegalPerson",
            object_id=company.credit_code,
        )
        raise DomainError(
            AccountErrorCode.NOT_LEGAL_REPRESENTATIVE,
            "只有企业本身或其法定代表人可以管理代办授权",
            status=403,
        )


def grant_agent_authorisation(
    actor: User,
    *,
    company: LegalPerson,
    agent_id_number: str,
    agent_name: str,
    valid_until: Any,
    all_items: bool = False,
    item_public_ids: Sequence[Any] = (),
) -> AgentAuthorisation:
    """代办授权 The company (or its legal representative) authorises a registered natural person."""
    from yiwang.catalog.models import ServiceItem

    _require_manager(actor, company)
    id_info = validate_id_number(agent_id_number)
    agent = NaturalPerson.objects.filter(id_number=id_info.normalized).select_related("user").first()
    if agent is None or agent.real_name != agent_name.strip():
        raise DomainError(
            AccountErrorCode.AGENT_INVALID,
            "代办人须是已注册的自然人，且姓名与身份证号一致",
            {"agent_id_number": ["未找到该代办人或姓名不一致"]},
        )
    if effective_assurance_level(agent.user) < AssuranceLevel.PRIMARY:
        raise DomainError(
            AccountErrorCode.AGENT_INVALID, "代办人须先完成实名认证", {"agent_id_number": ["代办人未实名"]}
        )
    if valid_until <= timezone.now():
        raise DomainError("validation_error", "授权有效期须晚于当前时间", {"valid_until": ["须晚于当前时间"]})
    items: list[ServiceItem] = []
    if not all_items:
        wanted = {str(pid) for pid in item_public_ids if str(pid).strip()}
        if not wanted:
            raise DomainError("validation_error", "请选择授权事项，或授权全部事项", {"items": ["至少一项"]})
        try:
            items = list(ServiceItem.objects.filter(public_id__in=wanted))
        except (ValueError, DjangoValidationError) as exc:
            raise DomainError("validation_error", "事项编号不正确", {"items": ["事项编号不正确"]}) from exc
        if len(items) != len(wanted):
            raise DomainError("validation_error", "部分授权事项不存在", {"items": ["部分事项不存在"]})
    with transaction.atomic():
        authorisation = AgentAuthorisation.objects.create(
            company=company, agent=agent, all_items=all_items, valid_until=valid_until, granted_by=actor
        )
        if items:
            authorisation.items.set(items)
        audit.record(
            "agent.authorised",
            actor=actor,
            obj=authorisation,
            detail={
                "company": company.credit_code,
                "agent": str(agent.user.public_id),
                "all_items": all_items,
                "items": [str(i.public_id) for i in items],
                "valid_until": valid_until.isoformat(),
            },
        )
    return authorisation


def revoke_agent_authorisation(actor: User, authorisation: AgentAuthorisation) -> AgentAuthorisation:
    """撤销代办授权 Effective at once, for every channel and every connected system."""
    _require_manager(actor, authorisation.company)
    with transaction.atomic():
        locked = AgentAuthorisation.objects.select_for_update().get(pk=authorisation.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at", "updated_at"])
            audit.record(
                "agent.revoked", actor=actor, obj=locked, detail={"company": locked.company.credit_code}
            )
    return locked


def _active_authorisations(agent: User, company: LegalPerson) -> QuerySet[AgentAuthorisation]:
    return AgentAuthorisation.objects.filter(
        company=company,
        agent__user=agent,
        revoked_at__isnull=True,
        valid_until__gt=timezone.now(),
    )


def check_agent_may_act(
    agent: User, company: User | LegalPerson, item: Any = None
) -> AgentAuthorisation | None:
    """代办校验 May ``agent`` act in ``company``'s name (for ``item``, if given)?

    The legal representative may always act (returns ``None``); an agent needs an authorisation
    that is neither revoked nor expired and covers the item (returns it).  Anything else is refused
    with ``agent_not_authorised`` (403) and an audit record.
    """
    legal = company.legal_person if isinstance(company, User) else company
    person = getattr(agent, "natural_person", None)
    if person is not None and legal.legal_representative_id == person.pk:
        return None
    for authorisation in _active_authorisations(agent, legal).prefetch_related("items"):
        if item is None or authorisation.all_items:
            return authorisation
        allowed = {i.pk for i in authorisation.items.all()}
        if item.pk in allowed or (getattr(item, "revision_of_id", None) in allowed):
            return authorisation
    record_refusal(
        "agent.refused",
        actor=agent,
        object_type="accounts.LegalPerson",
        object_id=legal.credit_code,
        detail={"item": str(getattr(item, "public_id", "")) if item is not None else ""},
    )
    raise DomainError(
        AccountErrorCode.AGENT_NOT_AUTHORISED,
        f"您没有以“{legal.name}”名义办理该事项的有效授权（可能未授权、已过期或已撤销）",
        {"company": [legal.credit_code]},
        status=403,
    )


def companies_for_agent(user: User) -> list[LegalPerson]:
    """The companies a natural person may act for now: as legal representative or as agent."""
    person = getattr(user, "natural_person", None)
    if person is None or user.kind != AccountKind.NATURAL:
        return []
    represented = list(LegalPerson.objects.filter(legal_representative=person))
    authorised = LegalPerson.objects.filter(
        agent_authorisations__agent=person,
        agent_authorisations__revoked_at__isnull=True,
        agent_authorisations__valid_until__gt=timezone.now(),
    ).distinct()
    seen = {c.pk for c in represented}
    return represented + [c for c in authorised if c.pk not in seen]
