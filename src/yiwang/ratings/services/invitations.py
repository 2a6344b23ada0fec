"""邀请评价 The invite service other apps call when they have delivered a service."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from django.db import transaction

from yiwang.accounts.models import User
from yiwang.catalog.models import ServiceItem
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation
from yiwang.ratings.errors import RatingsErrorCode
from yiwang.ratings.models import RatingInvitation, SubjectKind
from yiwang.ratings.services.aggregates import mark_dirty
from yiwang.ratings.tasks import notify_invitation


def new_token() -> str:
    """An unguessable token (256 bits, URL-safe): the only key of the public rating page."""
    return secrets.token_urlsafe(32)


def invite(
    *,
    subject_kind: str,
    subject_id: uuid.UUID,
    subject_label: str,
    organisation: Organisation,
    item: ServiceItem | None,
    region_code: str,
    applicant: User | None,
    phone: str = "",
    served_at: datetime,
) -> RatingInvitation:
    """Invite the applicant to rate the service, once per (subject kind, subject id): a second call
    returns the existing invitation.  Runs in the caller's transaction; the applicant is told by
    in-site message and SMS with the link ``/rate/<token>/`` after commit."""
    if subject_kind not in SubjectKind.values:
        raise DomainError(
            RatingsErrorCode.INVALID_SUBJECT, "未知的评价对象类型", {"subject_kind": [str(subject_kind)]}
        )
    invitation = RatingInvitation(
        subject_kind=subject_kind,
        subject_id=subject_id,
        subject_label=subject_label[:200],
        organisation=organisation,
        item=item,
        region_code=region_code[:12],
        applicant=applicant,
        phone=phone[:11],
        served_at=served_at,
        token=new_token(),
    )
    # Insert first (ON CONFLICT DO NOTHING on the unique pair), then read what is stored: two
    # statements whether the invitation is new or not, no savepoint.
    created = RatingInvitation.objects.bulk_create([invitation], ignore_conflicts=True)
    stored = RatingInvitation.objects.filter(subject_kind=subject_kind, subject_id=subject_id).first()
    if stored is None:  # pragma: no cover - the insert above or a concurrent one wrote it
        return created[0]
    if stored.token == invitation.token:
        mark_dirty([served_at])
        pk = stored.pk
        transaction.on_commit(lambda: notify_invitation.enqueue(pk))
    return stored
