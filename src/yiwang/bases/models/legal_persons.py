"""法人基础库 The legal-person base: companies, public institutions, social organisations, organs."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation
from yiwang.core.protected import DigestField, ProtectedCharField


class CompanyType(models.TextChoices):
    """法人类型 (the kinds a GB 32100 code's registering department and entity type denote)."""

    ENTERPRISE = "enterprise", _("企业")
    INDIVIDUAL_BUSINESS = "individual_business", _("个体工商户")
    FARMERS_COOPERATIVE = "farmers_cooperative", _("农民专业合作社")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    SOCIAL_ORGANISATION = "social_organisation", _("社会团体")
    PRIVATE_NON_ENTERPRISE = "private_non_enterprise", _("民办非企业单位")
    ORGAN = "organ", _("机关")


class CompanyStatus(models.TextChoices):
    """登记状态 存续 / 在业 / 吊销 / 注销 / 迁出."""

    EXISTING = "existing", _("存续")
    OPERATING = "operating", _("在业")
    REVOKED = "revoked", _("吊销")
    CANCELLED = "cancelled", _("注销")
    MOVED_OUT = "moved_out", _("迁出")


ACTIVE_COMPANY_STATUSES = frozenset({CompanyStatus.EXISTING, CompanyStatus.OPERATING})
CLOSED_COMPANY_STATUSES = frozenset({CompanyStatus.REVOKED, CompanyStatus.CANCELLED})


class Company(models.Model):
    """法人 A registered legal person; the representative's name and ID number are encrypted."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    credit_code = models.CharField(max_length=18, unique=True, help_text=_("统一社会信用代码 GB 32100"))
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=24, choices=CompanyType.choices, default=CompanyType.ENTERPRISE)
    legal_representative = ProtectedCharField(max_length=100, blank=True, default="")
    legal_representative_id = ProtectedCharField(max_length=18, blank=True, default="")
    legal_representative_id_digest = DigestField(
        source="legal_representative_id", canonical="id_number", db_index=True
    )
    registered_capital_fen = models.BigIntegerField(default=0)
    established_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=CompanyStatus.choices, default=CompanyStatus.EXISTING)
    region = models.CharField(max_length=12, db_index=True, help_text=_("住所 GB/T 2260 代码"))
    address = models.CharField(max_length=300, blank=True, default="")
    business_scope = models.TextField(blank=True, default="")
    industry = models.CharField(max_length=5, blank=True, default="", help_text=_("行业 GB/T 4754 代码"))
    registration_authority = models.CharField(max_length=100, blank=True, default="")
    source = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("法人")
        verbose_name_plural = _("法人")

    def __str__(self) -> str:
        return self.name
