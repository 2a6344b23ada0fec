"""Objections (异议) to a 免申即享 grant: the recipient objects with a reason; a manager of the rule's
department upholds it (the grant revoked, or corrected to another amount) or rejects it.  Both the
recipient and the rule's author are told; every step is audited."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts.inbox import post_inbox_message
from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.proactive.actions import may_manage, owns, push_actions
from yiwang.proactive.errors import ProactiveErrorCode
from yiwang.proactive.models import GrantStatus, Objection, ObjectionStatus, Push
from yiwang.proactive.schemas import ProactiveDecisionIn


def file_objection(actor: User, push: Push, reason: str) -> Objection:
    if not owns(actor, push):
        raise DomainError(ProactiveErrorCode.NOT_FOUND, "没有这条主动服务记录", status=404)
    with transaction.atomic():
        push = Push.objects.select_for_update().select_related("rule").get(pk=push.pk)
        if not push.grant_status:
            raise DomainError(ProactiveErrorCode.NOT_A_GRANT, "只有免申即享待遇可以提出异议", status=409)
        if "object" not in push_actions(actor, push):
            raise DomainError(ProactiveErrorCode.OBJECTION_OPEN, "该待遇已有待处理的异议或已撤销", status=409)
        objection = Objection.objects.create(push=push, user=actor, reason=reason.strip())
        audit.record(
            "proactive.objection_filed", actor=actor, obj=objection, detail={"push": str(push.public_id)}
        )
        author_id, rule_name = push.rule.created_by_id, push.rule.name
        link = reverse("proactive:objections")
        transaction.on_commit(
            lambda: post_inbox_message(
                author_id, title=f"主动服务异议：{rule_name}", body=reason[:500], link=link
            )
        )
    return objection


def decide_objection(actor: User, objection: Objection, body: ProactiveDecisionIn) -> Objection:
    if not may_manage(actor, objection.push.rule):
        raise DomainError(ProactiveErrorCode.FORBIDDEN, "该异议不在您的管理范围内", status=403)
    with transaction.atomic():
        push = Push.objects.select_for_update().select_related("rule").get(pk=objection.push_id)
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.status != ObjectionStatus.OPEN:
            raise DomainError(ProactiveErrorCode.INVALID_STATE, "该异议已处理", status=409)
        before = {"grant_status": push.grant_status, "amount_fen": push.amount_fen}
        if body.outcome == ObjectionStatus.UPHELD:
            if body.corrected_amount_fen is None or body.corrected_amount_fen == 0:
                push.grant_status, push.amount_fen = GrantStatus.REVOKED, 0
            else:
                push.grant_status, push.amount_fen = GrantStatus.CORRECTED, body.corrected_amount_fen
            push.save(update_fields=["grant_status", "amount_fen"])
        objection.status = body.outcome
        objection.decided_by = actor
        objection.decided_at = timezone.now()
        objection.decision_note = body.note.strip()
        objection.corrected_amount_fen = (
            body.corrected_amount_fen if body.outcome == ObjectionStatus.UPHELD else None
        )
        objection.save(
            update_fields=["status", "decided_by", "decided_at", "decision_note", "corrected_amount_fen"]
        )
        audit.record(
            "proactive.objection_decided",
            actor=actor,
            obj=objection,
            detail={
                "outcome": body.outcome,
                "before": before,
                "after": {"grant_status": push.grant_status, "amount_fen": push.amount_fen},
            },
        )
        recipient_id, author_id = objection.user_id, push.rule.created_by_id
        title = ("异议成立：" if body.outcome == ObjectionStatus.UPHELD else "异议不成立：") + push.rule.name
        note, link = objection.decision_note, reverse("my_proactive:detail", args=[push.public_id])

        def tell() -> None:
            post_inbox_message(recipient_id, title=title, body=note, link=link)
            if author_id != actor.pk:
                post_inbox_message(author_id, title=title, body=note, link=reverse("proactive:objections"))

        transaction.on_commit(tell)
    return objection
