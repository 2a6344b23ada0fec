"""Exchange nodes (交换节点): the platform instances this one exchanges packages with."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import TimeStampedModel
from yiwang.core.protected import ProtectedCharField


class NodeRole(models.TextChoices):
    PARENT = "parent", _("上级节点")
    CHILD = "child", _("下级节点")
    PEER = "peer", _("同级节点")


class ExchangeNode(TimeStampedModel):
    """A peer instance: who it is, where it answers, the key its requests and packages are signed with,
    and the credential we present to it (a node token it issued to us, optional)."""

    node_id = models.CharField(max_length=64, unique=True, help_text=_("节点标识，如 340000-province"))
    name = models.CharField(max_length=200)
    base_url = models.URLField(max_length=300, help_text=_("对方平台根地址，如 https://zwfw.ah.gov.cn"))
    role = models.CharField(max_length=10, choices=NodeRole.choices, default=NodeRole.PEER)
    sm2_public_key = models.CharField(max_length=130, blank=True, help_text=_("SM2 公钥 x‖y（十六进制）"))
    ed25519_public_key = models.CharField(max_length=64, blank=True, help_text=_("Ed25519 公钥（十六进制）"))
    outbound_token = ProtectedCharField(max_length=200, blank=True, help_text=_("对方签发给本节点的令牌"))
    pull_from = models.BooleanField(default=False, help_text=_("定时从该节点拉取待收交换包"))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["node_id"]
        verbose_name = _("交换节点")
        verbose_name_plural = _("交换节点")

    def __str__(self) -> str:
        return f"{self.name} ({self.node_id})"


class StreamDirection(models.TextChoices):
    OUT = "out", _("发出")
    IN = "in", _("接收")


class ExchangeStream(models.Model):
    """The sequence counter of one (node, kind) stream: outgoing, the last sequence given to a package
    for that receiver; incoming, the last sequence applied from that sender."""

    node = models.ForeignKey(ExchangeNode, on_delete=models.PROTECT, related_name="streams")
    kind = models.CharField(max_length=100)
    direction = models.CharField(max_length=3, choices=StreamDirection.choices)
    last_sequence = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node", "kind", "direction"], name="exchange_stream_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.kind} @ {self.last_sequence}"
