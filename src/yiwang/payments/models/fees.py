"""收费规则 Fee rules per catalogue fee item (收费项目), with their exemptions and reductions (减免)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.models import FeeItem
from yiwang.core.models import TimeStampedModel
from yiwang.payments.fees import ExemptionSpec, RuleSpec


class FeeRuleKind(models.TextChoices):
    FIXED = "fixed", _("定额")
    PER_UNIT = "per_unit", _("按量计收")
    BAND = "band", _("分档计收")


class FeeRule(TimeStampedModel):
    """收费规则 How the amount of one fee item is computed (docs/payments.md)."""

    fee_item = models.OneToOneField(FeeItem, on_delete=models.CASCADE, related_name="rule")
    kind = models.CharField(max_length=10, choices=FeeRuleKind.choices, default=FeeRuleKind.FIXED)
    amount_fen = models.PositiveBigIntegerField(default=0, help_text=_("定额（分）"))
    unit_price_fen = models.PositiveBigIntegerField(default=0, help_text=_("单价（分）"))
    quantity_field = models.CharField(max_length=64, blank=True, help_text=_("计量的表单字段名"))
    min_fen = models.PositiveBigIntegerField(null=True, blank=True)
    max_fen = models.PositiveBigIntegerField(null=True, blank=True)
    bands = models.JSONField(default=list, blank=True, help_text=_("[[上限, 金额（分）], ...]"))
    legal_basis = models.TextField(blank=True, help_text=_("收费依据"))
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("收费规则")
        verbose_name_plural = _("收费规则")

    def __str__(self) -> str:
        return f"{self.fee_item_id}:{self.kind}"

    def spec(self) -> RuleSpec:
        return RuleSpec(
            fee_item_id=self.fee_item_id,
            name=self.fee_item.name,
            kind=self.kind,
            amount_fen=self.amount_fen,
            unit_price_fen=self.unit_price_fen,
            quantity_field=self.quantity_field,
            min_fen=self.min_fen,
            max_fen=self.max_fen,
            bands=self.bands or (),
            legal_basis=self.legal_basis or self.fee_item.legal_basis,
            exemptions=tuple(e.spec() for e in self.exemptions.all()),
        )


class ApplicantType(models.TextChoices):
    ANY = "", _("不限")
    NATURAL = "natural", _("自然人")
    LEGAL = "legal", _("法人")


class FeeExemption(TimeStampedModel):
    """减免 An exemption (percent 100) or reduction of a fee, with its basis and condition."""

    rule = models.ForeignKey(FeeRule, on_delete=models.CASCADE, related_name="exemptions")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    basis = models.TextField(blank=True, help_text=_("减免依据"))
    percent = models.PositiveSmallIntegerField(default=100, help_text=_("减免比例 0-100"))
    condition_field = models.CharField(max_length=64, blank=True)
    condition_value = models.CharField(max_length=200, blank=True)
    applicant_type = models.CharField(max_length=10, choices=ApplicantType.choices, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "code"], name="payments_unique_exemption_code"),
            models.CheckConstraint(condition=models.Q(percent__lte=100), name="payments_exemption_percent"),
        ]
        verbose_name = _("收费减免")
        verbose_name_plural = _("收费减免")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def spec(self) -> ExemptionSpec:
        return ExemptionSpec(
            code=self.code,
            name=self.name,
            percent=self.percent,
            basis=self.basis,
            condition_field=self.condition_field,
            condition_value=self.condition_value,
            applicant_type=self.applicant_type,
        )
