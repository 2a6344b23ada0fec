"""Login (登录): lockout with back-off per account and per IP, the login history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import LoginChannel, LoginRecord, LoginThrottle, ThrottleScope, User
from yiwang.accounts.policy import current_policy
from yiwang.accounts.refusals import record_refusal
from yiwang.core import audit, request_context
from yiwang.core.errors import DomainError


def client_ip() -> str:
    """The IP address of the request being served ("" outside a request)."""
    return request_context.current().ip_address or ""


def lock_seconds(lockouts: int) -> int:
    """Back-off: the base lock, doubled for every lock in a row, capped."""
    policy = current_policy()
    return int(min(policy.lockout_base_seconds * (2 ** max(lockouts, 0)), policy.lockout_max_seconds))


def retry_after(until: Any) -> int:
    return max(1, int((until - timezone.now()).total_seconds()))


def check_login_allowed(username: str, ip: str | None = None) -> None:
    """Refuse at once while the account or the client IP is locked (no password is even checked)."""
    ip = client_ip() if ip is None else ip
    now = timezone.now()
    keys = [(ThrottleScope.ACCOUNT, username.strip().lower()[:150])]
    if ip:
        keys.append((ThrottleScope.IP, ip))
    for scope, key in keys:
        row = LoginThrottle.objects.filter(scope=scope, key=key, locked_until__gt=now).first()
        if row is None:
            continue
        retry = retry_after(row.locked_until)
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


def count_login_failure(scope: str, key: str, limit: int) -> bool:
    """Count one failure; lock with back-off when the limit is reached.  True when it locked."""
    now = timezone.now()
    with transaction.atomic():
        row, _ = LoginThrottle.objects.select_for_update().get_or_create(scope=scope, key=key)
        row.failures += 1
        row.last_failure_at = now
        locked = row.failures >= limit
        if locked:
            row.locked_until = now + timedelta(seconds=lock_seconds(row.lockouts))
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
    ip = client_ip()
    locked = count_login_failure(
        ThrottleScope.ACCOUNT, username.strip().lower()[:150], current_policy().lockout_account_failures
    )
    if ip:
        count_login_failure(ThrottleScope.IP, ip, current_policy().lockout_ip_failures)
    if user is not None:
        record_login(user, succeeded=False, channel=channel, reason=reason)
    return locked


def record_login(user: User, *, succeeded: bool, channel: str, reason: str = "") -> None:
    """Keep one login (or failed login) in the user's history."""
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


def clear_account_lockout(user: User) -> None:
    """Lift the account's failure counter and back-off (after a login or an account recovery)."""
    LoginThrottle.objects.filter(scope=ThrottleScope.ACCOUNT, key=user.username.lower()[:150]).update(
        failures=0, lockouts=0, locked_until=None, updated_at=timezone.now()
    )


def register_login_success(user: User, *, channel: str = LoginChannel.PORTAL) -> None:
    """登录成功 Clear the account's counter and back-off, and keep the login in the history."""
    clear_account_lockout(user)
    record_login(user, succeeded=True, channel=channel)


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
