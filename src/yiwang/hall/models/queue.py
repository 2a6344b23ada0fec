"""排队叫号 Queue tickets, per-day numbering counters and the call/announcement events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import TimeStampedModel
from yiwang.core.protected import DigestField, ProtectedCharField
from yiwang.hall.models.appointments import Appointment
from yiwang.hall.models.halls import BusinessCategory, Hall, Window


class TicketPriority(models.IntegerChoices):
    """优先级 Higher is called first; within a priority, the earlier ticket first."""

    NORMAL = 0, _("普通")
    APPOINTMENT = 1, _("预约")
    GREEN = 2, _("绿色通道")


class GreenReason(models.TextChoices):
    """特殊群体绿色通道"""

    NONE = "", _("无")
    ELDERLY = "elderly", _("老年人")
    DISABLED = "disabled", _("残疾人")
    PREGNANT = "pregnant", _("孕妇")
    OTHER = "other", _("其他特殊群体")


class TicketSource(models.TextChoices):
    KIOSK = "kiosk", _("自助取号机")
    APPOINTMENT = "appointment", _("预约签到")
    MOBILE = "mobile", _("移动端")
    WINDOW = "window", _("窗口/导服台")


class QueueStatus(models.TextChoices):
    """排队号状态 waiting → called → serving → done; skipped (过号) may be called again; a transfer
    ends the ticket and opens its continuation in the other category or window."""

    WAITING = "waiting", _("等候中")
    CALLED = "called", _("已叫号")
    SERVING = "serving", _("办理中")
    DONE = "done", _("已完成")
    SKIPPED = "skipped", _("过号")
    TRANSFERRED = "transferred", _("已转移")
    CANCELLED = "cancelled", _("已取消")


class QueueCounter(models.Model):
    """取号计数 The last sequence number issued per (category, day); advanced by UPDATE … RETURNING."""

    category = models.ForeignKey(BusinessCategory, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "day"], name="hall_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category_id}@{self.day}: {self.last}"


class QueueTicket(TimeStampedModel):
    """排队号 One ticket of one day in one category (e.g. A023)."""

    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="tickets")
    category = models.ForeignKey(BusinessCategory, on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(max_length=8, help_text=_("排队号，如 A023"))
    priority = models.PositiveSmallIntegerField(choices=TicketPriority.choices, default=TicketPriority.NORMAL)
    green_reason = models.CharField(max_length=10, choices=GreenReason.choices, blank=True, default="")
    source = models.CharField(max_length=12, choices=TicketSource.choices)
    status = models.CharField(max_length=12, choices=QueueStatus.choices, default=QueueStatus.WAITING)
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    id_number = ProtectedCharField(max_length=18, blank=True)
    id_number_digest = DigestField(source="id_number", canonical="id_number", db_index=True)
    phone = ProtectedCharField(max_length=11, blank=True)
    target_window = models.ForeignKey(
        Window,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("转到指定窗口时只由该窗口叫号"),
    )
    window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    transferred_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="continuations"
    )
    issued_at = models.DateTimeField()
    called_at = models.DateTimeField(null=True, blank=True)
    call_count = models.PositiveSmallIntegerField(default=0)
    service_started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    case_public_ids = models.JSONField(default=list, blank=True, help_text=_("本次服务登记或出件的办件"))
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["day", "category", "sequence"]
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        constraints = [
            models.UniqueConstraint(fields=["category", "day", "sequence"], name="hall_ticket_unique"),
        ]
        indexes = [
            # the call-next query: waiting tickets of a hall/day by priority, then issue order, then id
            # (ties): in its order to the last column, so the pick reads one entry instead of sorting
            models.Index(
                fields=["hall", "day", "status", "-priority", "issued_at", "id"], name="hall_ticket_next_pick"
            ),
            models.Index(fields=["window", "status"], name="hall_ticket_window"),
            models.Index(fields=["applicant", "day"], name="hall_ticket_applicant"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.number}"


class QueueEventKind(models.TextChoices):
    ISSUED = "issued", _("取号")
    CALLED = "called", _("叫号")
    RECALLED = "recalled", _("重呼")
    SKIPPED = "skipped", _("过号")
    STARTED = "started", _("开始办理")
    FINISHED = "finished", _("办理完成")
    TRANSFERRED = "transferred", _("转移")
    CANCELLED = "cancelled", _("取消")


class QueueEvent(models.Model):
    """叫号记录 Every step of a ticket; ``announcement`` is the text for the hall's speech system and
    the queue screen (``请A023号到05号窗口办理``)."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(QueueTicket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=QueueEventKind.choices)
    window = models.ForeignKey(Window, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    announcement = models.CharField(max_length=200, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["hall", "occurred_at"], name="hall_event_hall_time")]

    def __str__(self) -> str:
        return f"{self.kind} {self.ticket_id}"
