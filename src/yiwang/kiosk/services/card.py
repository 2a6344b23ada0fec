"""刷身份证登录 Verifying a signed ID-card read from the kiosk's local reader bridge.

The bridge (docs/kiosk.md; the simulator is ``scripts/card_reader_sim.py``) reads the card and signs
the fields ``{device, id_number, issued_at, nonce, name}`` with the kiosk's reader secret:

    message   = JSON of the five fields, keys sorted, separators (",", ":"), UTF-8, no ASCII escaping
    signature = hex(HMAC-SM3(key = secret as UTF-8, message))

The server accepts a read only when the signature verifies with the secret of the kiosk the browser
is bound to, ``issued_at`` (epoch seconds) lies within 60 seconds of now, and the nonce was never
used on that kiosk before.
"""

from __future__ import annotations

import hmac
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.accounts.models import AccountKind, User
from yiwang.accounts.reads import find_applicant
from yiwang.core import audit
from yiwang.core.crypto import hmac_sm3
from yiwang.core.errors import DomainError
from yiwang.core.identifiers import IdentifierError, validate_id_number
from yiwang.kiosk.errors import KioskErrorCode
from yiwang.kiosk.models import KioskCardNonce, KioskDevice
from yiwang.kiosk.services.devices import reader_secret

FRESH_SECONDS = 60
NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SIGNATURE_RE = re.compile(r"^[0-9a-f]{64}$")
FIELDS = ("device", "id_number", "issued_at", "name", "nonce")


@dataclass(frozen=True)
class CardRead:
    """A verified card read: the person on the card and, if he has one, his account."""

    name: str
    id_number: str
    user: User | None


def canonical_message(fields: dict[str, Any]) -> bytes:
    """The bytes the reader signs (the same rule as in the simulator and docs/kiosk.md)."""
    body = {name: fields[name] for name in FIELDS}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign_card(secret: str, fields: dict[str, Any]) -> str:
    return hmac_sm3(secret.encode("utf-8"), canonical_message(fields)).hex()


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(KioskErrorCode.CARD_INVALID, "读卡数据不完整，请重新放置身份证", {field: [message]})


def parse_card(card: Any) -> dict[str, Any]:
    """The five fields of a card read, checked for shape (bad input → 400, never 500)."""
    if not isinstance(card, dict):
        raise _invalid("card", "必须是对象")
    name, id_number, nonce, device = (card.get(k) for k in ("name", "id_number", "nonce", "device"))
    issued_at = card.get("issued_at")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 50:
        raise _invalid("name", "姓名缺失或过长")
    if not isinstance(id_number, str) or len(id_number) != 18:
        raise _invalid("id_number", "应为 18 位")
    if not isinstance(nonce, str) or not NONCE_RE.match(nonce):
        raise _invalid("nonce", "应为 16–64 位字母数字")
    if not isinstance(device, str) or len(device) > 64:
        raise _invalid("device", "设备标识不正确")
    if isinstance(issued_at, bool) or not isinstance(issued_at, int) or not 0 < issued_at < 2**40:
        raise _invalid("issued_at", "应为整数秒")
    return {"name": name, "id_number": id_number, "nonce": nonce, "device": device, "issued_at": issued_at}


def verify_card(device: KioskDevice, card: Any, signature: Any) -> CardRead:
    """Check a signed card read made on ``device`` and find the person's account.

    Refusals: malformed (400), wrong device or signature (403), stale (403), used before (409)."""
    fields = parse_card(card)
    if not isinstance(signature, str) or not SIGNATURE_RE.match(signature):
        raise _invalid("signature", "应为 64 位十六进制")
    expected = sign_card(reader_secret(device), fields)
    if fields["device"] != str(device.public_id) or not hmac.compare_digest(expected, signature):
        audit.record("kiosk.card_refused", obj=device, detail={"reason": "signature"})
        raise DomainError(KioskErrorCode.CARD_SIGNATURE, "读卡器签名无效，请联系工作人员", status=403)
    now = timezone.now()
    if abs(now.timestamp() - fields["issued_at"]) > FRESH_SECONDS:
        raise DomainError(KioskErrorCode.CARD_STALE, "读卡已超时，请重新放置身份证", status=403)
    try:
        number = validate_id_number(fields["id_number"].upper()).normalized
    except IdentifierError as exc:
        raise _invalid("id_number", str(exc)) from exc
    try:
        with transaction.atomic():
            KioskCardNonce.objects.filter(
                device=device, used_at__lt=now - timedelta(seconds=10 * FRESH_SECONDS)
            ).delete()
            KioskCardNonce.objects.create(device=device, nonce=fields["nonce"], used_at=now)
    except IntegrityError as exc:
        audit.record("kiosk.card_refused", obj=device, detail={"reason": "replayed"})
        raise DomainError(
            KioskErrorCode.CARD_REPLAYED, "该次读卡已使用，请重新放置身份证", status=409
        ) from exc
    name = fields["name"].strip()
    user = find_applicant(number)
    if user is not None and (
        user.kind != AccountKind.NATURAL
        or not user.is_active
        or getattr(getattr(user, "natural_person", None), "real_name", None) != name
    ):
        user = None  # a name that differs from the record: treated as an unknown visitor
    return CardRead(name=name, id_number=number, user=user)
