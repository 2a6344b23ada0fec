"""帮办代办 Agency: someone applies on another person's behalf, with the authorisation recorded."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import TimeStampedModel
from yiwang.core.protected import DigestField, ProtectedCharField
from yiwang.hall.models.halls import Hall


class AgencyKind(models.TextChoices):
    HELP = "help", _("帮办（大厅工作人员协助）")
    AGENCY = "agency", _("代办（受托人代为办理）")


class AgencyStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    REVOKED = "revoked", _("已撤销")
    EXPIRED = "expired", _("已过期")


class AgencyAuthorisation(TimeStampedModel):
    """代办授权 The principal (委托人) authorises an agent (hall staff member or an authorised agent
    account) to apply for the listed items (or any) until ``valid_until``; the signed letter or the
    principal's on-site confirmation is kept as evidence."""

    hall = models.ForeignKey(Hall, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=AgencyKind.choices)
    status = models.CharField(max_length=8, choices=AgencyStatus.choices, default=AgencyStatus.ACTIVE)
    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    principal_name = ProtectedCharField(max_length=100)
    principal_id_number = ProtectedCharField(max_length=18)
    principal_id_digest = DigestField(source="principal_id_number", canonical="id_number", db_index=True)
    principal_phone = ProtectedCharField(max_length=11, blank=True)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    item_public_ids = models.JSONField(default=list, blank=True, help_text=_("为空表示全部事项"))
    valid_from = models.DateField()
    valid_until = models.DateField()
    evidence = models.FileField(upload_to="hall/agency/%Y/%m/", blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case_public_ids = models.JSONField(default=list, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("代办授权")
        verbose_name_plural = _("代办授权")
        indexes = [models.Index(fields=["agent", "status"], name="hall_agency_agent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id}"
