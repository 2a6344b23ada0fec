"""Models of the crossregion app (跨域通办).

At the filing instance: :class:`RemoteRegion` (a peer that offers items), :class:`RemoteItem` (its
items open to filing elsewhere, refreshed by ``crossregion_refresh``) and :class:`RemoteCase` (a case
filed here for a peer's item: the peer's case number, status and timeline).  At the handling
instance: :class:`ReceivedFiling` (which case a filing package from which node became).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import TimeStampedModel

# Case.channel / CaseEvent.channel of a case filed elsewhere (core.Channel gains TONGBAN).
TONGBAN_CHANNEL = "tongban"


class RemoteRegion(TimeStampedModel):
    """A peer instance whose items may be filed here; what its node answered about itself."""

    node = models.OneToOneField("exchange.ExchangeNode", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200, blank=True)
    region_code = models.CharField(max_length=12, blank=True)
    sso_client_id = models.CharField(
        max_length=100, blank=True, help_text=_("该地区平台在本平台统一身份认证中的客户端标识")
    )
    refreshed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("跨域通办地区")
        verbose_name_plural = _("跨域通办地区")

    def __str__(self) -> str:
        return self.name or self.node_id  # type: ignore[return-value]


class RemoteItem(TimeStampedModel):
    """An item of a peer open to filing elsewhere (通办范围 全国/跨省/省内), as the peer described it."""

    region = models.ForeignKey(RemoteRegion, on_delete=models.CASCADE, related_name="items")
    remote_id = models.UUIDField(help_text=_("对方事项标识"))
    code = models.CharField(max_length=31, help_text=_("实施编码"))
    name = models.CharField(max_length=300)
    department = models.CharField(max_length=200, blank=True)
    tongban_range = models.CharField(max_length=1)
    required_assurance_level = models.PositiveSmallIntegerField(default=0)
    form_definition = models.JSONField(default=dict, blank=True)
    materials = models.JSONField(default=list, blank=True)  # [{"id", "name", "mandatory"}]
    available = models.BooleanField(default=True, help_text=_("对方最近一次列出了该事项"))

    class Meta:
        ordering = ["region_id", "department", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "remote_id"], name="crossregion_unique_remote_item")
        ]
        verbose_name = _("可跨域办理事项")
        verbose_name_plural = _("可跨域办理事项")

    def __str__(self) -> str:
        return self.name


class RemoteCaseState(models.TextChoices):
    SENDING = "sending", _("正在提交")
    REGISTERED = "registered", _("已登记")
    REFUSED = "refused", _("未被受理登记")


class RemoteCase(TimeStampedModel):
    """A case filed here for a peer's item: one case number (the peer's), its status and timeline."""

    item = models.ForeignKey(RemoteItem, on_delete=models.PROTECT, related_name="cases")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    package = models.OneToOneField(
        "exchange.OutgoingPackage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=RemoteCaseState.choices, default=RemoteCaseState.SENDING)
    number = models.CharField(max_length=60, blank=True, db_index=True)
    remote_case_id = models.CharField(max_length=36, blank=True)
    status = models.CharField(max_length=30, blank=True)
    status_label = models.CharField(max_length=60, blank=True)
    refused_code = models.CharField(max_length=60, blank=True)
    refused_reason = models.CharField(max_length=500, blank=True)
    last_sequence = models.PositiveIntegerField(default=0)
    history = models.JSONField(default=list, blank=True)  # [{"sequence", "event", "label", "status", "at"}]
    form_data = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["applicant", "submitted_at"], name="crossregion_case_mine_idx")]
        verbose_name = _("跨域办件")
        verbose_name_plural = _("跨域办件")

    def __str__(self) -> str:
        return self.number or str(self.public_id)


class ReceivedFiling(TimeStampedModel):
    """At the handling instance: a filing received from ``sender`` and the case it became."""

    filing_id = models.UUIDField(unique=True, help_text=_("对方跨域办件标识"))
    sender = models.CharField(max_length=64, help_text=_("提交方交换节点"))
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="+")
    package_id = models.UUIDField()

    class Meta:
        verbose_name = _("跨域收件")
        verbose_name_plural = _("跨域收件")

    def __str__(self) -> str:
        return f"{self.sender} {self.filing_id}"
