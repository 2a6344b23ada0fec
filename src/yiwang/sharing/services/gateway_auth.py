"""Gateway credentials (调用方凭证): registering a consumer system, and telling which consumer a request
comes from — an OAuth2 client-credentials token of the platform's provider (``POST /o/token/``), or a
signed request.

Signed requests carry ``X-Yiwang-Consumer`` (the consumer's public id), ``X-Yiwang-Timestamp`` (Unix
seconds), ``X-Yiwang-Nonce`` (16–64 of ``A–Z a–z 0–9 _ -``), ``X-Yiwang-Signature`` and optionally
``X-Yiwang-Signature-Method`` (``HMAC-SM3``, the default, or ``SM2``).  The signature is over
:func:`string_to_sign`: method, path, sorted query, SM3 of the body, timestamp and nonce, one per line.
A timestamp more than :func:`window_seconds` away from now is refused, and so is a nonce used before
within the window (one insert into ``GatewayNonce``: exact across workers)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from oauth2_provider.models import get_application_model

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.crypto import hmac_sm3, sm2_verify, sm3_hex
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation
from yiwang.sharing.gateway_errors import GatewayErrorCode
from yiwang.sharing.models import GatewayConsumer, GatewayNonce
from yiwang.sharing.services.permissions import require_official_of

CONSUMER_HEADER = "X-Yiwang-Consumer"
TIMESTAMP_HEADER = "X-Yiwang-Timestamp"
NONCE_HEADER = "X-Yiwang-Nonce"
SIGNATURE_HEADER = "X-Yiwang-Signature"
METHOD_HEADER = "X-Yiwang-Signature-Method"
_NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_UUID = re.compile(r"^[0-9a-fA-F-]{32,36}$")


def window_seconds() -> int:
    """How far a signed request's timestamp may be from now (``YIWANG_GATEWAY_SIGNATURE_WINDOW``)."""
    return int(getattr(settings, "YIWANG_GATEWAY_SIGNATURE_WINDOW", 300))


@dataclass(frozen=True)
class ConsumerSecrets:
    """Shown once, at registration: the OAuth2 client id and secret, and the HMAC key."""

    client_id: str
    client_secret: str
    hmac_secret: str


def register_consumer(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    daily_quota: int | None = None,
    rate_per_minute: int = 600,
    sm2_public_key: str = "",
    client_id: str | None = None,
    client_secret: str | None = None,
    hmac_secret: str | None = None,
) -> tuple[GatewayConsumer, ConsumerSecrets]:
    """登记调用方系统 A data official registers a system of his organisation: a confidential OAuth2
    client with the client-credentials grant, an HMAC-SM3 key, optionally an SM2 public key."""
    require_official_of(actor, organisation, "登记本单位的调用方系统")
    name = (name or "").strip()
    if not name or len(name) > 200 or not 1 <= rate_per_minute <= 100_000:
        raise DomainError(
            GatewayErrorCode.INVALID_INPUT,
            "调用方系统信息不正确",
            {"name": ["必填，至多 200 字"], "rate_per_minute": ["1–100000"]},
        )
    if sm2_public_key and not re.fullmatch(r"(04)?[0-9a-fA-F]{128}", sm2_public_key):
        raise DomainError(
            GatewayErrorCode.INVALID_INPUT, "SM2 公钥格式不正确", {"sm2_public_key": ["十六进制"]}
        )
    Application = get_application_model()
    secret = client_secret or secrets.token_urlsafe(32)
    key = hmac_secret or secrets.token_urlsafe(32)
    with transaction.atomic():
        application = Application(
            name=f"共享网关 {name}"[:255],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
            redirect_uris="",
        )
        if client_id:
            application.client_id = client_id
        application.save()
        consumer = GatewayConsumer.objects.create(
            organisation=organisation,
            name=name,
            application=application,
            hmac_secret=key,
            sm2_public_key=sm2_public_key.lower().removeprefix("04") if sm2_public_key else "",
            daily_quota=daily_quota,
            rate_per_minute=rate_per_minute,
            owner=actor,
        )
        audit.record(
            "sharing.consumer_registered",
            actor=actor,
            obj=consumer,
            detail={"name": name, "client_id": application.client_id},
        )
    return consumer, ConsumerSecrets(application.client_id, secret, key)


def set_consumer_active(consumer: GatewayConsumer, *, active: bool, actor: User) -> GatewayConsumer:
    """停用/启用调用方系统."""
    require_official_of(actor, consumer.organisation, "管理本单位的调用方系统")
    with transaction.atomic():
        consumer = GatewayConsumer.objects.select_for_update().get(pk=consumer.pk)
        consumer.active = active
        consumer.save(update_fields=["active", "updated_at"])
        audit.record("sharing.consumer_active", actor=actor, obj=consumer, detail={"active": active})
    return consumer


# --- who is calling ---------------------------------------------------------------------------------
def canonical_query(query: str) -> str:
    return urlencode(sorted(parse_qsl(query, keep_blank_values=True)))


def string_to_sign(method: str, path: str, query: str, body: bytes, timestamp: str, nonce: str) -> bytes:
    lines = [method.upper(), path, canonical_query(query), sm3_hex(body), timestamp, nonce]
    return "\n".join(lines).encode()


def sign_hmac(
    secret: str, method: str, path: str, query: str, body: bytes, timestamp: str, nonce: str
) -> str:
    """The ``X-Yiwang-Signature`` a client sends (HMAC-SM3, hex)."""
    return hmac_sm3(secret.encode(), string_to_sign(method, path, query, body, timestamp, nonce)).hex()


def signed_headers(
    consumer_id: str, secret: str, method: str, path: str, body: bytes, query: str = ""
) -> dict[str, str]:
    """Every header of an HMAC-signed request (clients, the demo consumer, tests)."""
    timestamp, nonce = str(int(time.time())), secrets.token_urlsafe(18)
    return {
        CONSUMER_HEADER: consumer_id,
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: sign_hmac(secret, method, path, query, body, timestamp, nonce),
    }


def _refuse(code: GatewayErrorCode, message: str) -> DomainError:
    return DomainError(code, message, status=401)


def consumer_from_token(token: str) -> GatewayConsumer:
    """The consumer whose OAuth2 application holds this unexpired access token — one statement
    (a token of an application that is no registered consumer is as good as none)."""
    checksum = hashlib.sha256(token.encode()).hexdigest()
    consumer = (
        GatewayConsumer.objects.filter(application__accesstoken__token_checksum=checksum)
        .annotate(token_expires=F("application__accesstoken__expires"))
        .first()
    )
    if consumer is None or consumer.token_expires is None or timezone.now() >= consumer.token_expires:
        raise _refuse(
            GatewayErrorCode.UNAUTHENTICATED, "访问令牌无效或已过期，或该系统未登记为共享网关调用方"
        )
    return consumer


def consumer_from_signature(
    headers: Any, method: str, path: str, query: str, body: bytes, *, now: float | None = None
) -> GatewayConsumer:
    consumer_id = str(headers.get(CONSUMER_HEADER, ""))
    timestamp = str(headers.get(TIMESTAMP_HEADER, ""))
    nonce = str(headers.get(NONCE_HEADER, ""))
    signature = str(headers.get(SIGNATURE_HEADER, "")).strip().lower()
    algorithm = str(headers.get(METHOD_HEADER, "HMAC-SM3")).upper()
    if (
        not _UUID.match(consumer_id)
        or not _NONCE.match(nonce)
        or not timestamp.isdigit()
        or len(timestamp) > 12
    ):
        raise _refuse(GatewayErrorCode.UNAUTHENTICATED, "签名请求头不完整或格式不正确")
    consumer = (
        GatewayConsumer.objects.select_related("organisation", "owner").filter(public_id=consumer_id).first()
    )
    if consumer is None:
        raise _refuse(GatewayErrorCode.SIGNATURE_INVALID, "签名验证失败")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > window_seconds():
        raise _refuse(GatewayErrorCode.CLOCK_SKEW, "请求时间戳超出允许的时间偏差")
    data = string_to_sign(method, path, query, body, timestamp, nonce)
    if algorithm == "SM2":
        valid = bool(consumer.sm2_public_key) and _sm2_ok(consumer.sm2_public_key, signature, data)
    elif algorithm == "HMAC-SM3":
        expected = hmac_sm3(consumer.hmac_secret.encode(), data).hex() if consumer.hmac_secret else ""
        valid = bool(expected) and hmac.compare_digest(expected, signature)
    else:
        valid = False
    if not valid:
        raise _refuse(GatewayErrorCode.SIGNATURE_INVALID, "签名验证失败")
    try:
        with transaction.atomic():
            GatewayNonce.objects.create(consumer=consumer, nonce=nonce, at=timezone.now())
    except IntegrityError:
        raise _refuse(GatewayErrorCode.NONCE_REPLAYED, "该随机数已使用过（重放请求）") from None
    return consumer


def _sm2_ok(public_key: str, signature: str, data: bytes) -> bool:
    try:
        return sm2_verify(public_key, signature, data)
    except (ValueError, TypeError, IndexError):
        return False


def purge_nonces() -> int:
    """Forget nonces older than twice the window (a replay of them is refused by the timestamp)."""
    cutoff = timezone.now() - timedelta(seconds=2 * window_seconds())
    deleted, _ = GatewayNonce.objects.filter(at__lt=cutoff).delete()
    return deleted


def authenticate(headers: Any, method: str, path: str, query: str, body: bytes) -> GatewayConsumer:
    """The consumer a request comes from (bearer token first, else the signature) or a 401."""
    authorization = str(headers.get("Authorization", ""))
    if authorization.lower().startswith("bearer "):
        return consumer_from_token(authorization[7:].strip())
    if headers.get(SIGNATURE_HEADER):
        return consumer_from_signature(headers, method, path, query, body)
    raise _refuse(GatewayErrorCode.UNAUTHENTICATED, "请提供访问令牌或请求签名")
