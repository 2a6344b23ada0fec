"""Notifications (办件通知): the background jobs that tell an applicant about his case or bundle.

The services enqueue them after commit (:func:`yiwang.cases.transitions.notify_applicant`); they sit
below every service module so that any of them can notify without an import cycle.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django_tasks import task

from yiwang.accounts.inbox import TITLE_MAX, post_inbox_message
from yiwang.accounts.models import InboxMessage, User
from yiwang.accounts.sms import send_sms
from yiwang.cases.models import BundleApplication, Case, CaseEventType

MESSAGES = {
    CaseEventType.APPLIED: "您的“{item}”申请已提交，办件编号 {number}。",
    CaseEventType.CORRECTION_REQUESTED: "您的“{item}”申请需要补正材料，请登录查看一次性告知书并在期限内补正。办件编号 {number}。",
    CaseEventType.CORRECTION_SUPPLIED: "您的“{item}”补正材料已提交，办件编号 {number}。",
    CaseEventType.ACCEPTED: "您的“{item}”申请已受理，承诺办结日期 {due}。办件编号 {number}。",
    CaseEventType.NOT_ACCEPTED: "您的“{item}”申请不予受理，请登录查看通知书。办件编号 {number}。",
    CaseEventType.COMPLETED: "您的“{item}”已办结（{outcome}），请登录查看结果文书。办件编号 {number}。",
    CaseEventType.WITHDRAWN: "您的“{item}”申请已撤回。办件编号 {number}。",
    CaseEventType.DISPATCHED: "您的“{item}”办理结果已寄出，快递单号 {tracking}。办件编号 {number}。",
    CaseEventType.DELIVERED: "您的“{item}”办理结果已送达（{delivery}）。办件编号 {number}。",
    CaseEventType.CORRECTION_TIMED_OUT: "您的“{item}”申请逾期未补正，不予受理，请登录查看通知书。办件编号 {number}。",
    CaseEventType.GAP_ACCEPTED: "您的“{item}”申请已容缺受理，请在 {gap_deadline} 前补齐容缺材料。办件编号 {number}。",
    CaseEventType.GAP_SUPPLIED: "您的“{item}”容缺材料已补齐。办件编号 {number}。",
    CaseEventType.EXTENSION_APPROVED: "您的“{item}”办理期限经批准延长，法定办结日期 {statutory_due}。办件编号 {number}。",
    CaseEventType.SPECIAL_PROCEDURE_STARTED: "您的“{item}”进入特别程序，所需时间不计入办理时限。办件编号 {number}。",
    CaseEventType.SPECIAL_PROCEDURE_ENDED: "您的“{item}”特别程序已结束，承诺办结日期 {due}。办件编号 {number}。",
    CaseEventType.APPROVAL_REVOKED: "经核查，您在“{item}”中作出的承诺与实际不符，已撤销该许可，请登录查看。办件编号 {number}。",
    CaseEventType.TERMINATED: "您的“{item}”办件已终止办理，请登录查看原因。办件编号 {number}。",
    CaseEventType.DEADLINE_RECOMPUTED: "国务院已公布节假日安排，您的“{item}”承诺办结日期重新计算为 {due}。办件编号 {number}。",
}


def deliver_once(
    user: User, *, title: str, body: str, link: str, occurred_at: datetime | None, phone: str
) -> bool:
    """Post the in-site message and send the SMS, once: a task the worker runs again after a crash
    (``yiwang.core.task_worker``) finds the message it posted and sends nothing more.  Message and
    SMS (the outbox backend writes a row) commit together; a real SMS gateway is called inside the
    transaction, so a crash between its call and the commit may send that SMS twice, never zero times.
    """
    with transaction.atomic():
        title = title[:TITLE_MAX]
        already = InboxMessage.objects.filter(
            user=user, title=title, body=body, link=link, occurred_at=occurred_at
        ).exists()
        if already:
            return False
        post_inbox_message(user, title=title, body=body, link=link, occurred_at=occurred_at)
        if phone:
            send_sms(phone, body)
    return True


@task()
def notify_applicant(case_id: int, event_type: str) -> None:
    """Tell the applicant by SMS (outbox in the demo) and by an in-site message."""
    case = Case.objects.select_related("item", "applicant").get(pk=case_id)
    template = MESSAGES.get(event_type)  # type: ignore[call-overload]
    if template is None:
        return
    body = template.format(
        item=case.item.name,
        number=case.number,
        due=case.due_date.isoformat() if case.due_date else "",
        outcome=case.get_outcome_display() or "",
        delivery=case.get_delivery_method_display(),
        gap_deadline=case.gap_deadline.isoformat() if case.gap_deadline else "",
        statutory_due=case.statutory_due_date.isoformat() if case.statutory_due_date else "",
        tracking=getattr(getattr(case, "delivery", None), "tracking_number", "")
        if "{tracking}" in template
        else "",
    )
    deliver_once(
        case.applicant,
        title=f"办件通知：{case.item.name}",
        body=body,
        link=f"/my/cases/{case.public_id}/",
        # the time of the event, not of this (possibly late) delivery
        occurred_at=case.events.filter(event_type=event_type)
        .order_by("-sequence")
        .values_list("occurred_at", flat=True)
        .first(),
        phone=case.applicant_phone,
    )


BUNDLE_MESSAGE = "您申请的“{bundle}”一件事已全部办结（{status}），请登录查看办理结果告知书。"


@task()
def notify_bundle(application_id: int) -> None:
    """一件事办结 One message for the whole bundle when its last sub-case has ended."""
    application = BundleApplication.objects.select_related("bundle", "applicant").get(pk=application_id)
    body = BUNDLE_MESSAGE.format(bundle=application.bundle.name, status=application.get_status_display())
    deliver_once(
        application.applicant,
        title=f"一件事办结：{application.bundle.name}",
        body=body,
        link=f"/my/bundles/{application.public_id}/",
        occurred_at=application.completed_at,
        phone=application.applicant.phone,
    )
