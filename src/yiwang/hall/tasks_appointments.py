"""Tasks of appointments: telling the person after commit (in-site message + SMS): bookings,
changes, reminders and no-show blocks."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from yiwang.accounts.sms import send_sms
from yiwang.cases.notifications import deliver_once
from yiwang.hall.models import Appointment, BookingBlock

MINE = "/my/appointments/"

MESSAGES = {
    "booked": "您已预约{when}在{hall}（{address}）办理“{item}”，预约号 {code}，请按时到厅签到。",
    "rescheduled": "您的预约 {code} 已改为{when}，地点：{hall}（{address}）。",
    "cancelled": "您在{hall}的预约 {code}（{when}）已取消。",
    "reminder": "提醒：您预约了{when}在{hall}（{address}）办理“{item}”，预约号 {code}。",
}
BLOCK_MESSAGES = {
    "created": "因 30 天内多次预约未到，您的网上预约自即日起暂停至 {ends_on}，可在“我的预约”中申诉，"
    "或通过窗口、12345 热线预约。",
    "lifted": "您的失约申诉已通过，网上预约已恢复。",
    "upheld": "您的失约申诉未通过，网上预约限制至 {ends_on}。",
}


def _when(appointment: Appointment) -> str:
    starts = timezone.localtime(appointment.slot.starts_at)
    ends = timezone.localtime(appointment.slot.ends_at)
    return f"{starts:%Y-%m-%d %H:%M}–{ends:%H:%M}"


@task()
def notify_appointment(appointment_id: int, kind: str) -> None:
    """Tell the person about the booking (account inbox + SMS to the booking's phone)."""
    appointment = Appointment.objects.select_related("slot", "hall", "item", "applicant").get(
        pk=appointment_id
    )
    template = MESSAGES.get(kind)
    if template is None:
        return
    body = template.format(
        when=_when(appointment),
        hall=appointment.hall.name,
        address=appointment.address or appointment.hall.address,
        item=appointment.item.name,
        code=appointment.code,
    )
    if appointment.applicant is not None:
        deliver_once(
            appointment.applicant,
            title=f"预约 {appointment.code}",
            body=body,
            link=f"{MINE}{appointment.public_id}/",
            occurred_at=appointment.updated_at,
            phone=appointment.phone,
        )
    elif appointment.phone:
        send_sms(appointment.phone, body)


@task()
def notify_block(block_id: int, kind: str, phone: str = "") -> None:
    block = BookingBlock.objects.select_related("applicant").get(pk=block_id)
    template = BLOCK_MESSAGES.get(kind)
    if template is None:
        return
    body = template.format(ends_on=block.ends_on.isoformat())
    if block.applicant is not None:
        deliver_once(
            block.applicant,
            title="网上预约限制",
            body=body,
            link=MINE,
            occurred_at=block.updated_at,
            phone=phone,
        )
    elif phone:
        send_sms(phone, body)
