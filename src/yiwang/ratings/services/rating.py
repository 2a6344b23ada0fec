"""评价 Rating a service (once) and the one follow-up (追评); 默认好评 for invitations left unrated."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError, PermissionDenied
from yiwang.ratings.errors import RatingsErrorCode
from yiwang.ratings.models import (
    BAD_LEVELS,
    COMMENT_MAX,
    InvitationStatus,
    Rating,
    RatingChannel,
    RatingInvitation,
    RatingReason,
    ReasonKind,
    RectificationRule,
)
from yiwang.ratings.services.aggregates import mark_dirty
from yiwang.ratings.services.rectifications import open_rectification

DEFAULT_LEVEL = 5
MAX_REASONS = 10


def _reasons(level: int, codes: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(c for c in codes if c))[:MAX_REASONS]
    kind = ReasonKind.BAD if level in BAD_LEVELS else ReasonKind.GOOD
    known = set(
        RatingReason.objects.filter(code__in=wanted, kind=kind, active=True).values_list("code", flat=True)
    )
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise DomainError(
            RatingsErrorCode.INVALID_REASON, "评价原因不在标准列表中或与评价等级不符", {"reasons": unknown}
        )
    return wanted


def _check_actor(invitation: RatingInvitation, actor: Any) -> Any:
    """A logged-in rater must be the applicant; the token holder rates without logging in."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if invitation.applicant_id is not None and actor.pk != invitation.applicant_id:
        raise PermissionDenied("只有服务对象本人可以评价", code=RatingsErrorCode.FORBIDDEN)
    return actor


def rate(
    invitation: RatingInvitation,
    *,
    level: int,
    channel: str,
    reasons: Iterable[str] = (),
    comment: str = "",
    actor: Any = None,
) -> Rating:
    """Rate the service once; a bad rating (1–2) opens a rectification for the department."""
    if level not in (1, 2, 3, 4, 5):
        raise DomainError(RatingsErrorCode.INVALID_LEVEL, "评价等级应为 1–5", {"level": [str(level)]})
    if channel not in RatingChannel.values:
        raise DomainError(RatingsErrorCode.INVALID_LEVEL, "评价渠道无效", {"channel": [str(channel)]})
    codes = _reasons(level, reasons)
    comment = (comment or "").strip()[:COMMENT_MAX]
    with transaction.atomic():
        inv = RatingInvitation.objects.select_for_update().get(pk=invitation.pk)
        rater = _check_actor(inv, actor)
        if inv.status != InvitationStatus.PENDING:
            raise Conflict(
                "该服务已评价", code=RatingsErrorCode.ALREADY_RATED, fields={"status": [inv.status]}
            )
        now = timezone.now()
        rating = Rating.objects.create(
            invitation=inv,
            level=level,
            channel=channel,
            reasons=codes,
            comment=comment,
            rated_by=rater,
            rated_at=now,
        )
        inv.status = InvitationStatus.RATED
        inv.level = level
        inv.save(update_fields=["status", "level", "updated_at"])
        mark_dirty([inv.served_at])
        audit.record(
            "ratings.rating.given",
            actor=rater,
            obj=rating,
            detail={"invitation": str(inv.public_id), "level": level, "channel": channel, "reasons": codes},
        )
        if level in BAD_LEVELS:
            open_rectification(rating, inv)
    return rating


def follow_up(invitation: RatingInvitation, *, comment: str, actor: Any = None) -> Rating:
    """The one follow-up (追评) after the rating."""
    comment = (comment or "").strip()[:COMMENT_MAX]
    if not comment:
        raise DomainError(RatingsErrorCode.TEXT_REQUIRED, "请填写追评内容", {"comment": ["必填"]})
    with transaction.atomic():
        inv = RatingInvitation.objects.select_for_update().get(pk=invitation.pk)
        rater = _check_actor(inv, actor)
        rating = Rating.objects.select_for_update().filter(invitation=inv).first()
        if rating is None:
            raise Conflict("尚未评价，不能追评", code=RatingsErrorCode.NOT_RATED)
        if rating.followup_at is not None:
            raise Conflict("已追评过，每项服务只能追评一次", code=RatingsErrorCode.FOLLOWUP_DONE)
        rating.followup_comment = comment
        rating.followup_at = timezone.now()
        rating.save(update_fields=["followup_comment", "followup_at", "updated_at"])
        audit.record("ratings.rating.followed_up", actor=rater, obj=rating, detail={"length": len(comment)})
    return rating


def give_default_ratings(now: datetime | None = None, *, batch: int = 1000) -> int:
    """默认好评: invitations still unrated after the rule's period (natural days from the service)
    get a default level-5 rating marked ``is_default``.  Idempotent (only pending invitations)."""
    now = now or timezone.now()
    rules = sorted(RectificationRule.objects.all(), key=lambda r: -len(r.region_code))
    shortest = min((r.default_after_days for r in rules), default=15)
    given = 0
    last_pk = 0
    while True:
        candidates = list(
            RatingInvitation.objects.filter(
                status=InvitationStatus.PENDING, served_at__lt=now - timedelta(days=shortest), pk__gt=last_pk
            )
            .order_by("pk")
            .values_list("pk", "region_code", "served_at")[:batch]
        )
        if not candidates:
            return given
        last_pk = candidates[-1][0]
        due = [pk for pk, code, served in candidates if served < now - timedelta(days=_period(rules, code))]
        given += _default_batch(due, now)


def _period(rules: list[RectificationRule], region_code: str) -> int:
    for rule in rules:  # longest prefix first
        if region_code.startswith(rule.region_code):
            return rule.default_after_days
    return 15


def _default_batch(pks: list[int], now: datetime) -> int:
    if not pks:
        return 0
    with transaction.atomic():
        locked = list(
            RatingInvitation.objects.select_for_update()
            .filter(pk__in=pks, status=InvitationStatus.PENDING)
            .order_by("pk")
            .values_list("pk", "served_at")
        )
        mark_dirty(served for _, served in locked)
        Rating.objects.bulk_create(
            [
                Rating(
                    invitation_id=pk,
                    level=DEFAULT_LEVEL,
                    channel=RatingChannel.PC,
                    is_default=True,
                    rated_at=now,
                )
                for pk, _ in locked
            ]
        )
        RatingInvitation.objects.filter(pk__in=[pk for pk, _ in locked]).update(
            status=InvitationStatus.DEFAULTED, level=DEFAULT_LEVEL, is_default=True, updated_at=now
        )
        audit.record(
            "ratings.rating.defaulted", object_type="ratings.RatingInvitation", detail={"count": len(locked)}
        )
    return len(locked)
