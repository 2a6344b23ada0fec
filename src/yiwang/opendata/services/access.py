"""Bulk-access keys and downloads (下载与配额).

A registered user asks for an open-data key: it is shown once, kept as its SHA-256 (the secret has
256 bits, so no salt or slow hash is needed) and found again by its prefix.  Each key has a daily
quota (``YIWANG_OPENDATA_KEY_DAILY_QUOTA``, default 1000).  Anonymous downloads are allowed but
limited per address (``YIWANG_OPENDATA_ANON_PER_HOUR``, default 60), counted in the cache.  Every
download counts on its distribution and its dataset."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.errors import Conflict, CoreErrorCode, DomainError, NotFound
from yiwang.opendata.errors import OpendataErrorCode
from yiwang.opendata.models import Dataset, Distribution, KeyUsage, OpenDataKey

KEY_PREFIX = "yod_"
MAX_KEYS = 5


def key_daily_quota() -> int:
    return int(getattr(settings, "YIWANG_OPENDATA_KEY_DAILY_QUOTA", 1000))


def anonymous_per_hour() -> int:
    return int(getattr(settings, "YIWANG_OPENDATA_ANON_PER_HOUR", 60))


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    key: OpenDataKey
    secret: str  # shown once, never stored


def issue_key(*, actor: User, name: str) -> IssuedKey:
    """申请密钥 A key for a registered, active user (at most MAX_KEYS active at once)."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise DomainError(CoreErrorCode.NOT_AUTHENTICATED, "请先登录", status=401)
    name = name.strip()
    if not name:
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, "请填写密钥用途", {"name": ["必填"]})
    prefix = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).first()  # one issue at a time per user
        if OpenDataKey.objects.filter(user=actor, revoked_at__isnull=True).count() >= MAX_KEYS:
            raise Conflict(f"每个用户最多持有 {MAX_KEYS} 个有效密钥", code=OpendataErrorCode.TOO_MANY_KEYS)
        key = OpenDataKey.objects.create(
            user=actor,
            name=name[:100],
            prefix=prefix,
            key_hash=hash_key(secret),
            daily_quota=key_daily_quota(),
        )
        audit.record("opendata.key_issued", actor=actor, obj=key, detail={"prefix": prefix, "name": key.name})
    return IssuedKey(key=key, secret=secret)


def revoke_key(key: OpenDataKey, *, actor: User) -> OpenDataKey:
    """吊销 By its holder; a revoked key is refused at once."""
    if key.user_id != actor.pk:
        raise NotFound("未找到", code=OpendataErrorCode.NOT_FOUND)
    with transaction.atomic():
        locked = OpenDataKey.objects.select_for_update().get(pk=key.pk)
        if locked.revoked_at is not None:
            raise Conflict("密钥已吊销", code=OpendataErrorCode.INVALID_TRANSITION)
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit.record("opendata.key_revoked", actor=actor, obj=locked, detail={"prefix": locked.prefix})
    return locked


def authenticate_key(secret: str) -> OpenDataKey:
    """The active key ``secret`` names, or 401 ``opendata_key_invalid``."""
    invalid = DomainError(OpendataErrorCode.KEY_INVALID, "开放数据密钥无效或已吊销", status=401)
    secret = (secret or "").strip()
    parts = secret[len(KEY_PREFIX) :].split("_", 1) if secret.startswith(KEY_PREFIX) else []
    if len(parts) != 2 or len(secret) > 100:
        raise invalid
    key = OpenDataKey.objects.filter(prefix=parts[0]).first()
    if key is None or key.revoked_at is not None or not hmac.compare_digest(key.key_hash, hash_key(secret)):
        raise invalid
    return key


def _charge_key(key: OpenDataKey) -> None:
    today = timezone.localdate()
    with transaction.atomic():
        usage, _ = KeyUsage.objects.get_or_create(key=key, day=today)
        usage = KeyUsage.objects.select_for_update().get(pk=usage.pk)
        if usage.count >= key.daily_quota:
            raise DomainError(
                OpendataErrorCode.QUOTA_EXCEEDED,
                f"该密钥今日下载次数已用完（{key.daily_quota} 次）",
                {"quota": [str(key.daily_quota)]},
                status=429,
            )
        KeyUsage.objects.filter(pk=usage.pk).update(count=F("count") + 1)
        OpenDataKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())


def _charge_address(address: str | None) -> None:
    limit = anonymous_per_hour()
    window = int(time.time() // 3600)
    cache_key = f"opendata:anon:{address or 'unknown'}:{window}"
    cache.add(cache_key, 0, timeout=3600)
    try:
        used = cache.incr(cache_key)
    except ValueError:
        cache.set(cache_key, 1, timeout=3600)
        used = 1
    if used > limit:
        retry = 3600 - int(time.time()) % 3600
        raise DomainError(
            OpendataErrorCode.RATE_LIMITED,
            "匿名下载过于频繁，请稍后再试或申请开放数据密钥",
            {"retry_after": max(retry, 1)},
            status=429,
        )


def record_download(distribution: Distribution, *, key: OpenDataKey | None, address: str | None) -> None:
    """Charge the key (or the address) and count the download on the distribution and its dataset."""
    if key is not None:
        _charge_key(key)
    else:
        _charge_address(address)
    with transaction.atomic():
        Distribution.objects.filter(pk=distribution.pk).update(download_count=F("download_count") + 1)
        Dataset.objects.filter(pk=distribution.dataset_id).update(download_count=F("download_count") + 1)


def usage_today(key: OpenDataKey) -> int:
    row = KeyUsage.objects.filter(key=key, day=timezone.localdate()).first()
    return row.count if row else 0
