"""Password change, account recovery (找回账户) and phone change (更换手机号)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import AccountKind, LoginChannel, SmsPurpose, User, mask_phone
from yiwang.accounts.refusals import record_refusal
from yiwang.accounts.services.login import clear_account_lockout, record_login
from yiwang.accounts.services.registration import validate_new_password
from yiwang.accounts.services.sms_codes import check_verification_code, send_verification_code
from yiwang.accounts.sms import send_sms
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.core.identifiers import validate_phone


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
    validate_new_password(new_password, user)
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
    validate_new_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at", "updated_at"])
        clear_account_lockout(user)
        audit.record("account.recovered", actor=user, obj=user)
        record_login(user, succeeded=True, channel=LoginChannel.RECOVERY, reason="password_reset")
    return user


def send_phone_change_code(user: User, new_phone: str) -> None:
    """更换手机号 (1/2): a code to the new number, which must not belong to another account."""
    new_phone = validate_phone(new_phone)
    check_new_phone(user, new_phone)
    send_verification_code(new_phone, SmsPurpose.CHANGE_PHONE)


def check_new_phone(user: User, new_phone: str) -> None:
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
    check_new_phone(user, new_phone)
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
