"""快递订单 Courier orders (材料收取 pickup / 结果送达 delivery), tracking events (物流轨迹) and the
carrier's callbacks (回调记录, the replay guard)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation, TimeStampedModel
from yiwang.core.protected import ProtectedCharField


class OrderKind(models.TextChoices):
    PICKUP = "pickup", _("材料收取")  # from the applicant to the department
    DELIVERY = "delivery", _("结果送达")  # from the department to the applicant


class OrderStatus(models.TextChoices):
    """快递订单状态 (docs/logistics.md has the state diagram)."""

    CREATED = "created", _("已创建")
    SUBMITTED = "submitted", _("已下单")
    PICKED_UP = "picked_up", _("已揽收")
    IN_TRANSIT = "in_transit", _("运输中")
    OUT_FOR_DELIVERY = "out_for_delivery", _("派送中")
    DELIVERED = "delivered", _("已签收")
    FAILED_DELIVERY = "failed_delivery", _("派送失败")
    RETURNED_TO_SENDER = "returned_to_sender", _("已退回")
    CANCELLED = "cancelled", _("已取消")


TERMINAL_STATUSES = frozenset({OrderStatus.DELIVERED, OrderStatus.RETURNED_TO_SENDER, OrderStatus.CANCELLED})
ACTIVE_STATUSES = frozenset(set(OrderStatus) - TERMINAL_STATUSES)


class PostagePayer(models.TextChoices):
    DEPARTMENT = "department", _("部门付费")
    APPLICANT = "applicant", _("申请人付费")


class PostageStatus(models.TextChoices):
    DEPARTMENT_ACCOUNT = "department_account", _("部门月结")
    AWAITING_PAYMENT = "awaiting_payment", _("待申请人支付")
    PAID = "paid", _("已支付")


class CourierOrder(TimeStampedModel):
    """快递订单 One shipment through a carrier, for a department (``organisation``) and, when it
    serves an applicant, that applicant (``owner``).  ``reference_*`` names what it serves (a case:
    ``cases.Case`` and its public id) without logistics knowing the cases app."""

    kind = models.CharField(max_length=10, choices=OrderKind.choices)
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.CREATED)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="courier_orders")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="courier_orders",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reference_type = models.CharField(max_length=40, blank=True, help_text=_("所服务的对象，如 cases.Case"))
    reference_id = models.CharField(max_length=64, blank=True, db_index=True)
    reference_label = models.CharField(max_length=60, blank=True, help_text=_("如办件编号"))
    contents = models.CharField(max_length=100, blank=True, help_text=_("内件品名"))

    sender_name = ProtectedCharField(max_length=100)
    sender_phone = ProtectedCharField(max_length=20)
    sender_region = models.CharField(max_length=12, help_text=_("GB/T 2260 代码"))
    sender_address = ProtectedCharField(max_length=200)
    recipient_name = ProtectedCharField(max_length=100)
    recipient_phone = ProtectedCharField(max_length=20)
    recipient_region = models.CharField(max_length=12, help_text=_("GB/T 2260 代码"))
    recipient_address = ProtectedCharField(max_length=200)

    carrier = models.CharField(max_length=20, default="sim")
    waybill_number = models.CharField(max_length=40, blank=True, help_text=_("运单号"))
    postage_payer = models.CharField(
        max_length=12, choices=PostagePayer.choices, default=PostagePayer.DEPARTMENT
    )
    postage_fen = models.PositiveIntegerField(default=0, help_text=_("邮费（分）"))
    postage_status = models.CharField(
        max_length=20, choices=PostageStatus.choices, default=PostageStatus.DEPARTMENT_ACCOUNT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True, help_text=_("最新轨迹时间"))
    last_polled_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.CharField(max_length=100, blank=True, help_text=_("签收人"))
    attempts = models.PositiveSmallIntegerField(default=0, help_text=_("派送失败次数"))
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("快递订单")
        verbose_name_plural = _("快递订单")
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "waybill_number"],
                condition=~models.Q(waybill_number=""),
                name="logistics_order_unique_waybill",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "-created_at"], name="logistics_order_org_status"),
            models.Index(fields=["status", "last_event_at"], name="logistics_order_polling"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.waybill_number or self.public_id}"

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


class TrackingEvent(models.Model):
    """物流轨迹 One tracking event of an order, as the carrier reported it (idempotent by its id)."""

    order = models.ForeignKey(CourierOrder, on_delete=models.CASCADE, related_name="events")
    carrier_event_id = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=OrderStatus.choices)
    occurred_at = models.DateTimeField(help_text=_("承运商记录的时间"))
    received_at = models.DateTimeField(auto_now_add=True)
    location = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=10, default="callback", help_text=_("callback / poll / platform"))

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name = _("物流轨迹")
        verbose_name_plural = _("物流轨迹")
        constraints = [
            models.UniqueConstraint(fields=["order", "carrier_event_id"], name="logistics_event_unique_id")
        ]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.status}@{self.occurred_at:%Y-%m-%d %H:%M}"


class CarrierCallback(models.Model):
    """回调记录 Every signed callback accepted or refused: the event id is the replay guard."""

    carrier = models.CharField(max_length=20)
    event_id = models.CharField(max_length=64)
    waybill_number = models.CharField(max_length=40, blank=True)
    outcome = models.CharField(max_length=20, help_text=_("applied / duplicate / unknown_waybill"))
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("承运商回调")
        verbose_name_plural = _("承运商回调")
        constraints = [
            models.UniqueConstraint(fields=["carrier", "event_id"], name="logistics_callback_unique_event")
        ]

    def __str__(self) -> str:
        return f"{self.carrier}:{self.event_id}:{self.outcome}"
