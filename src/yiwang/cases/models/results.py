"""Case results (办理结果): documents (文书), delivery (送达) and "one thing" bundle applications (一件事)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.cases.models.core import Case, DeliveryMethod
from yiwang.catalog.models import Bundle, BundleMember
from yiwang.core.models import TimeStampedModel
from yiwang.core.protected import ProtectedCharField, ProtectedJSONField


class DocumentKind(models.TextChoices):
    """文书种类 The documents a case (or a bundle application) can carry."""

    RECEIPT = "receipt", _("收件回执")
    ACCEPTANCE_NOTICE = "acceptance_notice", _("受理通知书")
    NOT_ACCEPTED_NOTICE = "not_accepted_notice", _("不予受理通知书")
    CORRECTION_NOTICE = "correction_notice", _("补正材料通知书")
    APPROVAL_DECISION = "approval_decision", _("准予决定书")
    REFUSAL_DECISION = "refusal_decision", _("不予决定书")
    BUNDLE_RESULT = "bundle_result", _("一件事办理结果告知书")


class BundleApplicationStatus(models.TextChoices):
    """一件事申请状态, derived from the sub-cases."""

    IN_PROGRESS = "in_progress", _("办理中")
    COMPLETED = "completed", _("已办结")
    PARTIALLY_REFUSED = "partially_refused", _("部分未通过")
    REFUSED = "refused", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


class BundleApplication(TimeStampedModel):
    """一件事申请 One merged application to a bundle, split into one sub-case per member item."""

    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bundle_applications"
    )
    applicant_name = models.CharField(max_length=200)
    applicant_id_number = ProtectedCharField(max_length=18)  # encrypted at rest (core.protected)
    form_data = ProtectedJSONField(default=dict, help_text=_("合并表单的填写内容"))
    status = models.CharField(
        max_length=20,
        choices=BundleApplicationStatus.choices,
        default=BundleApplicationStatus.IN_PROGRESS,
        db_index=True,
    )
    delivery_method = models.CharField(
        max_length=12, choices=DeliveryMethod.choices, default=DeliveryMethod.ELECTRONIC
    )
    delivery_address = ProtectedCharField(max_length=300, blank=True)
    submitted_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True, help_text=_("合并结果送达时间"))
    delivery_record = models.JSONField(
        default=dict, blank=True, help_text=_("交接记录: who, to whom, signature, tracking number")
    )

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("一件事申请")
        verbose_name_plural = _("一件事申请")

    def __str__(self) -> str:
        return f"{self.bundle_id}:{self.applicant_name}"


class BundleCase(models.Model):
    """一件事子办件 The sub-case one member item's body handles for a bundle application."""

    application = models.ForeignKey(BundleApplication, on_delete=models.CASCADE, related_name="sub_cases")
    member = models.ForeignKey(BundleMember, on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="bundle_link")

    class Meta:
        ordering = ["application", "member__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "member"], name="cases_bundle_case_unique_member")
        ]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.case_id}"


class CaseDocument(TimeStampedModel):
    """文书 A generated document (notice, decision, receipt), hashed and, when the body has an e-seal,
    stamped (PAdES, visible seal).  A case can carry several; a bundle's combined result belongs to
    the bundle application."""

    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="documents")
    bundle_application = models.ForeignKey(
        BundleApplication, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="cases/documents/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    signed = models.BooleanField(default=False, help_text=_("已加盖电子印章（PAdES）"))
    seal = models.ForeignKey("seals.Seal", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | models.Q(bundle_application__isnull=False),
                name="cases_document_has_owner",
            )
        ]

    def __str__(self) -> str:
        return self.title


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待送达")
    DISPATCHED = "dispatched", _("已寄出")  # handed to the courier; delivered once receipt is confirmed
    DELIVERED = "delivered", _("已送达")


class CaseDelivery(TimeStampedModel):
    """送达 How the result reaches the applicant and the handover record (交接记录)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="delivery")
    method = models.CharField(max_length=12, choices=DeliveryMethod.choices)
    address = ProtectedCharField(max_length=300, blank=True, help_text=_("快递送达地址"))
    recipient_phone = ProtectedCharField(max_length=11, blank=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    dispatched_at = models.DateTimeField(null=True, blank=True, help_text=_("交寄快递时间"))
    delivered_at = models.DateTimeField(null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient_name = models.CharField(max_length=100, blank=True, help_text=_("领取人/收件人"))
    recipient_signature = models.CharField(max_length=100, blank=True, help_text=_("签收人签名"))
    tracking_number = models.CharField(max_length=40, blank=True, help_text=_("快递单号"))

    class Meta:
        verbose_name = _("送达")
        verbose_name_plural = _("送达")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.method}:{self.status}"
