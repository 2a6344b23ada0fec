"""Share links (亮证): the holder shows a licence to a third party for 1 h, 1 day or 7 days."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError, NotFound
from yiwang.core.public_url import public_url
from yiwang.licences.errors import LicenceErrorCode
from yiwang.licences.models import (
    Licence,
    LicenceShare,
    LicenceShareView,
    LicenceStatus,
)
from yiwang.licences.services.records import (
    effective_status,
)
from yiwang.licences.services.wallet import licence_for_holder

SHARE_EXPIRY = {"1h": timedelta(hours=1), "1d": timedelta(days=1), "7d": timedelta(days=7)}


# --- share links (亮证) ----------------------------------------------------------------------------
def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_share(licence: Licence, *, user: User, expiry: str) -> tuple[LicenceShare, str]:
    """A share link valid for 1 h, 1 day or 7 days; returns the share and the one-time-shown token."""
    if expiry not in SHARE_EXPIRY:
        raise DomainError(
            LicenceErrorCode.INVALID_EXPIRY, "有效期应为 1 小时、1 天或 7 天", {"expiry": [expiry]}
        )
    licence_for_holder(user, licence.public_id)
    if effective_status(licence) != LicenceStatus.VALID:
        raise Conflict("证照当前不是有效状态，不能分享", code=LicenceErrorCode.NOT_CURRENT)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        share = LicenceShare.objects.create(
            licence=licence,
            token_hash=token_hash(token),
            created_by=user,
            expires_at=timezone.now() + SHARE_EXPIRY[expiry],
        )
        audit.record(
            "licence.share_created",
            actor=user,
            obj=licence,
            detail={"share": str(share.public_id), "expiry": expiry},
        )
    return share, token


def revoke_share(share: LicenceShare, *, user: User) -> LicenceShare:
    licence_for_holder(user, share.licence.public_id)
    with transaction.atomic():
        updated = LicenceShare.objects.filter(pk=share.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), updated_at=timezone.now()
        )
        if updated:
            audit.record(
                "licence.share_revoked", actor=user, obj=share.licence, detail={"share": str(share.public_id)}
            )
    share.refresh_from_db()
    return share


def share_url(token: str) -> str:
    return public_url(f"/licences/shared/{token}/")


def open_share(token: str, *, ip_address: str | None = None, user_agent: str = "") -> LicenceShare:
    """A third party opens a share link: refused when expired or revoked; every view is logged."""
    share = (
        LicenceShare.objects.select_related("licence__licence_type", "licence__issuer")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if share is None:
        raise NotFound("分享链接不存在", code=LicenceErrorCode.NOT_FOUND)
    now = timezone.now()
    if share.revoked_at is not None:
        audit.record(
            "licence.share_refused",
            obj=share.licence,
            detail={"share": str(share.public_id), "reason": "revoked"},
        )
        raise DomainError(LicenceErrorCode.SHARE_REVOKED, "持证人已撤销该分享链接", status=410)
    if share.expires_at <= now:
        audit.record(
            "licence.share_refused",
            obj=share.licence,
            detail={"share": str(share.public_id), "reason": "expired"},
        )
        raise DomainError(LicenceErrorCode.SHARE_EXPIRED, "分享链接已过期", status=410)
    with transaction.atomic():
        LicenceShareView.objects.create(
            share=share, viewed_at=now, ip_address=audit.normalise_ip(ip_address), user_agent=user_agent[:300]
        )
        LicenceShare.objects.filter(pk=share.pk).update(view_count=share.view_count + 1)
        audit.record(
            "licence.share_viewed",
            obj=share.licence,
            detail={"share": str(share.public_id), "ip": ip_address or ""},
        )
    return share
