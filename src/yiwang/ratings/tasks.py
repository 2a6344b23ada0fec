"""Tasks of ratings: telling applicants (invitation, reply) and supervisors (overdue rectifications)
after commit, by in-site message and SMS (``cases.notifications.deliver_once``: once per message)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from yiwang.accounts.sms import send_sms
from yiwang.cases.notifications import deliver_once
from yiwang.core.public_url import public_url
from yiwang.ratings.models import RatingInvitation, Rectification
from yiwang.ratings.recipients import department_staff, supervisors_of

WORKBENCH_LINK = "/workbench/ratings/"


def rating_link(token: str) -> str:
    """The absolute link of the public rating page (in SMS and messages)."""
    return public_url(f"/rate/{token}/")


@task()
def notify_invitation(invitation_id: int) -> None:
    """Ask the applicant to rate the service (once: ``notified_at`` marks it done)."""
    invitation = (
        RatingInvitation.objects.select_related("applicant")
        .filter(pk=invitation_id, notified_at__isnull=True)
        .first()
    )
    if invitation is None:
        return
    link = rating_link(invitation.token)
    body = f"您的“{invitation.subject_label}”已办结，请对本次服务进行评价：{link}"
    phone = invitation.phone or (invitation.applicant.phone if invitation.applicant else "")
    if invitation.applicant is not None:
        deliver_once(
            invitation.applicant,
            title="请对本次政务服务进行评价",
            body=body,
            link=f"/rate/{invitation.token}/",
            occurred_at=invitation.served_at,
            phone=phone,
        )
    elif phone:
        send_sms(phone, body)
    RatingInvitation.objects.filter(pk=invitation.pk).update(notified_at=timezone.now())


@task()
def notify_reply(rectification_id: int) -> None:
    """Tell the applicant the department's reply to the bad review."""
    rect = Rectification.objects.select_related("invitation__applicant").get(pk=rectification_id)
    invitation = rect.invitation
    body = f"您对“{invitation.subject_label}”的评价已收到答复：{rect.reply_text[:200]}"
    phone = invitation.phone or (invitation.applicant.phone if invitation.applicant else "")
    if invitation.applicant is not None:
        deliver_once(
            invitation.applicant,
            title="差评整改答复",
            body=body,
            link=f"/rate/{invitation.token}/",
            occurred_at=rect.replied_at,
            phone=phone,
        )
    elif phone:
        send_sms(phone, body)


@task()
def notify_overdue(rectification_id: int, stage: str) -> None:
    """Tell the supervisors of the department's region that a rectification is overdue."""
    rect = Rectification.objects.select_related("department__region", "invitation").get(pk=rectification_id)
    what = "回访核实" if stage == "callback" else "整改反馈"
    body = f"{rect.department.name}对“{rect.invitation.subject_label}”的差评{what}已逾期，请督办。"
    for user in supervisors_of(rect.department):
        deliver_once(
            user,
            title=f"差评{what}逾期",
            body=body,
            link=f"{WORKBENCH_LINK}{rect.public_id}/",
            occurred_at=rect.escalated_at,
            phone="",
        )


@task()
def notify_department(rectification_id: int) -> None:
    """Tell the department's staff a bad review needs a call back."""
    rect = Rectification.objects.select_related("department", "invitation").get(pk=rectification_id)
    body = (
        f"“{rect.invitation.subject_label}”收到差评，请于 {rect.callback_due:%Y-%m-%d} 前回访核实，"
        f"{rect.rectify_due:%Y-%m-%d} 前完成整改反馈。"
    )
    for user in department_staff(rect.department):
        deliver_once(
            user,
            title="差评整改任务",
            body=body,
            link=f"{WORKBENCH_LINK}{rect.public_id}/",
            occurred_at=rect.created_at,
            phone="",
        )
