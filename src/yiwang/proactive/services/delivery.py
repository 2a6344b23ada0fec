"""Delivery of new pushes to the recipients' inboxes (after the scan's transaction, idempotent:
only pushes still ``new`` are delivered, each flips to ``sent`` or ``no_account`` once)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.inbox import post_inbox_message
from yiwang.proactive.models import Push, PushStatus, SubjectKind
from yiwang.proactive.subjects import users_by_digest

BATCH = 500


@dataclass
class Delivered:
    sent: int = 0
    no_account: int = 0


def message_of(push: Push) -> tuple[str, str]:
    rule = push.rule
    body = rule.message
    if push.grant_status:
        body = _("%(body)s\n免申即享：%(benefit)s，金额 %(amount).2f 元，依据：%(basis)s") % {
            "body": rule.message,
            "benefit": rule.benefit_name,
            "amount": push.amount_fen / 100,
            "basis": rule.legal_basis,
        }
    return rule.title, body.strip()


def deliver_pending(limit: int | None = None) -> Delivered:
    """Post an inbox message for every ``new`` push whose subject has an account; the others are
    kept as ``no_account`` (shown on /my/proactive/ when the subject logs in)."""
    done = Delivered()
    while limit is None or done.sent + done.no_account < limit:
        batch = list(
            Push.objects.filter(status=PushStatus.NEW)
            .select_related("rule")
            .order_by("pk")[: min(BATCH, limit or BATCH)]
        )
        if not batch:
            break
        people = [p.subject_digest for p in batch if p.subject_kind == SubjectKind.PERSON]
        companies = {
            p.subject_digest: str(p.facts.get("credit_code", ""))
            for p in batch
            if p.subject_kind == SubjectKind.COMPANY and p.facts.get("credit_code")
        }
        accounts = users_by_digest(people, companies)
        now = timezone.now()
        with transaction.atomic():
            sent_ids, missing_ids = [], []
            for push in batch:
                user_id = accounts.get(push.subject_digest)
                if user_id is None:
                    missing_ids.append(push.pk)
                    continue
                title, body = message_of(push)
                link = reverse("my_proactive:detail", args=[push.public_id])
                post_inbox_message(user_id, title=title, body=body, link=link, occurred_at=push.created_at)
                Push.objects.filter(pk=push.pk).update(
                    status=PushStatus.SENT, user_id=user_id, notified_at=now
                )
                sent_ids.append(push.pk)
            Push.objects.filter(pk__in=missing_ids).update(status=PushStatus.NO_ACCOUNT)
        done.sent += len(sent_ids)
        done.no_account += len(missing_ids)
    return done
