"""预约 Appointments: schedules, materialised slots with capacity, bookings, no-show blocks."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.models import ServiceItem
from yiwang.core.models import TimeStampedModel
from yiwang.core.protected import DigestField, ProtectedCharField
from yiwang.hall.models.halls import Hall, WindowGroup


class AppointmentKind(models.TextChoices):
    """预约类型"""

    VISIT = "visit", _("到厅办理")
    DOOR_TO_DOOR = "door", _("上门办理")


class AppointmentSchedule(TimeStampedModel):
    """预约时段规则 When a window group takes appointments: weekdays, hours, slot length and the
    capacity of each slot, optionally for one item only.  Working days come from the calendar
    (statutory holidays and make-up workdays); slots are materialised ahead by a daily job."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="schedules")
    window_group = models.ForeignKey(WindowGroup, on_delete=models.CASCADE, related_name="schedules")
    item = models.ForeignKey(
        ServiceItem,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("为空表示该窗口组的全部事项"),
    )
    kind = models.CharField(max_length=8, choices=AppointmentKind.choices, default=AppointmentKind.VISIT)
    weekdays = models.JSONField(default=list, help_text=_("ISO 星期，1=周一 … 7=周日"))
    start_time = models.TimeField()
    end_time = models.TimeField()
    slot_minutes = models.PositiveSmallIntegerField(default=30)
    capacity = models.PositiveSmallIntegerField(default=4, help_text=_("每个时段可预约人数"))
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["hall", "window_group", "start_time"]
        verbose_name = _("预约时段规则")
        verbose_name_plural = _("预约时段规则")

    def __str__(self) -> str:
        return f"{self.window_group} {self.start_time}-{self.end_time}"


class AppointmentSlot(models.Model):
    """预约时段 One bookable slot; ``booked`` is kept by conditional UPDATEs (never above capacity)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    schedule = models.ForeignKey(AppointmentSchedule, on_delete=models.CASCADE, related_name="slots")
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    window_group = models.ForeignKey(WindowGroup, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ServiceItem, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=AppointmentKind.choices, default=AppointmentKind.VISIT)
    day = models.DateField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)
    is_closed = models.BooleanField(default=False, help_text=_("临时关闭（如节假日调整）"))

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "starts_at"], name="hall_slot_unique"),
            models.CheckConstraint(
                condition=models.Q(booked__lte=models.F("capacity")), name="hall_slot_not_overbooked"
            ),
        ]
        indexes = [
            models.Index(fields=["window_group", "day", "starts_at"], name="hall_slot_group_day"),
            models.Index(fields=["item", "day", "starts_at"], name="hall_slot_item_day"),
        ]

    def __str__(self) -> str:
        return f"{self.window_group_id}@{self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.booked)


class AppointmentStatus(models.TextChoices):
    """预约状态 booked → checked_in → served; or cancelled / no_show."""

    BOOKED = "booked", _("已预约")
    CHECKED_IN = "checked_in", _("已签到")
    SERVED = "served", _("已办理")
    CANCELLED = "cancelled", _("已取消")
    NO_SHOW = "no_show", _("失约")


class AppointmentChannel(models.TextChoices):
    WEB = "web", _("网站")
    MOBILE = "mobile", _("移动端")
    HOTLINE = "hotline", _("12345 热线")
    WINDOW = "window", _("窗口")
    KIOSK = "kiosk", _("自助终端")


class Appointment(TimeStampedModel):
    """预约 A booking of one slot for one item by (or for) one person.

    ``code`` is the short booking code printed and encoded in the check-in QR code; the kiosk also
    finds today's booking by ID number (``id_number_digest``)."""

    code = models.CharField(max_length=16, unique=True, help_text=_("预约号"))
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="appointments")
    slot = models.ForeignKey(AppointmentSlot, on_delete=models.PROTECT, related_name="appointments")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=AppointmentKind.choices, default=AppointmentKind.VISIT)
    channel = models.CharField(max_length=8, choices=AppointmentChannel.choices)
    status = models.CharField(
        max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("代为预约的坐席或窗口人员"),
    )
    name = ProtectedCharField(max_length=100)
    id_number = ProtectedCharField(max_length=18, blank=True)
    id_number_digest = DigestField(source="id_number", canonical="id_number", db_index=True)
    phone = ProtectedCharField(max_length=11, blank=True)
    phone_digest = DigestField(source="phone", canonical="phone", db_index=True)
    address = ProtectedCharField(max_length=200, blank=True, help_text=_("上门办理地址"))
    note = models.CharField(max_length=200, blank=True)
    checkin_token = models.CharField(max_length=64, unique=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    served_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    no_show_at = models.DateTimeField(null=True, blank=True)
    reschedule_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        indexes = [
            models.Index(fields=["applicant", "status"], name="hall_appt_applicant"),
            models.Index(fields=["hall", "status"], name="hall_appt_hall_status"),
            models.Index(fields=["status", "reminded_at"], name="hall_appt_reminders"),
        ]

    def __str__(self) -> str:
        return self.code


class BlockStatus(models.TextChoices):
    ACTIVE = "active", _("限制中")
    APPEALED = "appealed", _("申诉中")
    LIFTED = "lifted", _("已解除")
    EXPIRED = "expired", _("已到期")


class BookingBlock(TimeStampedModel):
    """失约限制 Online booking blocked after repeated no-shows (default three in 30 days → 30 days),
    with the person's appeal (申诉) and its decision by the hall's manager."""

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    id_number = ProtectedCharField(max_length=18, blank=True)
    id_number_digest = DigestField(source="id_number", canonical="id_number", db_index=True)
    hall = models.ForeignKey(Hall, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=BlockStatus.choices, default=BlockStatus.ACTIVE)
    starts_on = models.DateField()
    ends_on = models.DateField()
    no_show_codes = models.JSONField(default=list, help_text=_("计入的失约预约号"))
    appeal_reason = models.TextField(blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=10, blank=True, help_text=_("upheld / lifted"))
    decision_note = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("失约限制")
        verbose_name_plural = _("失约限制")
        indexes = [models.Index(fields=["applicant", "status"], name="hall_block_applicant")]

    def __str__(self) -> str:
        return f"{self.applicant_id} {self.starts_on}–{self.ends_on}"
