"""授权调取共享数据预填 The applicant's explicit consent to a prefill from his personal shared data.

Before filing there is no case number, the gateway's legal basis for a call for personal fields; the
applicant's own consent (the apply page's "授权调取共享数据预填" button, or the API's consent variant)
takes its place: recorded with the purpose and the resources, audited, valid for a short while, and
named on every gateway call it allowed (``GatewayCall.consent``), so 我的数据被谁使用 shows why.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import AccountKind, User
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.sharing.errors import SharingErrorCode
from yiwang.sharing.models import PrefillConsent

#: How long a consent lets the platform prefill (the applicant fills in the form meanwhile).
CONSENT_MINUTES = 30


def grant_prefill_consent(
    user: User, *, purpose: str, resource_codes: Sequence[str] = (), item_ref: str = ""
) -> PrefillConsent:
    """Record the applicant's consent (only an applicant's own account may give it)."""
    if not getattr(user, "is_authenticated", False) or user.kind == AccountKind.STAFF:
        raise DomainError(SharingErrorCode.ROLE_REQUIRED, "只有申请人本人可以授权", status=403)
    purpose = str(purpose or "").strip()[:300]
    if not purpose:
        raise DomainError(SharingErrorCode.INVALID_FIELDS, "请说明授权用途", {"purpose": ["必填"]})
    now = timezone.now()
    with transaction.atomic():
        consent = PrefillConsent.objects.create(
            user=user,
            purpose=purpose,
            resource_codes=sorted({str(code)[:40] for code in resource_codes if code})[:50],
            item_ref=str(item_ref)[:64],
            granted_at=now,
            expires_at=now + timedelta(minutes=CONSENT_MINUTES),
        )
        audit.record(
            "sharing.prefill_consent.granted",
            actor=user,
            obj=consent,
            detail={
                "purpose": consent.purpose,
                "resources": consent.resource_codes,
                "item": consent.item_ref,
            },
        )
    return consent


def current_prefill_consent(user: User, *, item_ref: str) -> PrefillConsent | None:
    """The applicant's consent for this item that has not lapsed (newest first), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        PrefillConsent.objects.filter(user=user, item_ref=str(item_ref)[:64], expires_at__gt=timezone.now())
        .order_by("-granted_at")
        .first()
    )
