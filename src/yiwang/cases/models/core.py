"""Cases (办件): applications, unified case numbers, immutable events, materials and results."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.models import Material, ServiceItem
from yiwang.core.calendar import provisional_years_between
from yiwang.core.models import Channel, Organisation, TimeStampedModel
from yiwang.core.protected import ProtectedCharField, ProtectedJSONField
from yiwang.licences.models import TrustLevel


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    CORRECTION_REQUIRED = "correction_required", _("待补正")
    ACCEPTED = "accepted", _("审查中")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    COMPLETED = "completed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")
    TERMINATED = "terminated", _("已终止")
    REVOKED = "revoked", _("已撤销许可")


TERMINAL_STATUSES = {
    CaseStatus.NOT_ACCEPTED,
    CaseStatus.COMPLETED,
    CaseStatus.WITHDRAWN,
    CaseStatus.TERMINATED,
    CaseStatus.REVOKED,
}


class CaseOutcome(models.TextChoices):
    APPROVED = "approved", _("准予")
    REFUSED = "refused", _("不予")


class DeliveryMethod(models.TextChoices):
    WINDOW = "window", _("窗口领取")
    COURIER = "courier", _("快递送达")
    ELECTRONIC = "electronic", _("电子送达")


class Case(TimeStampedModel):
    """办件 One application for one service item, from registration to completion.

    ``number`` is the unified case number given at registration (登记赋码): the item's 31-char
    implementation code + ``yyyyMMdd`` + a 4-digit daily serial.  ``lock_version`` increases on every
    transition so a stale form can be detected.
    """

    number = models.CharField(max_length=50, unique=True)
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="cases")
    item_version = models.PositiveIntegerField()
    item_snapshot = models.JSONField(help_text=_("the guide as it was when the case was filed"))
    handling_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases")
    applicant_name = models.CharField(max_length=200)
    applicant_id_type = models.CharField(max_length=20, help_text=_("身份证 / 统一社会信用代码"))
    # Personal data, encrypted at rest (core.protected): read in Python, never searched in SQL.
    applicant_id_number = ProtectedCharField(max_length=18)
    applicant_phone = ProtectedCharField(max_length=11, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("the clerk who registered a walk-in application"),
    )
    acting_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("代办人: the natural person who acted in the legal person's name"),
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(
        max_length=30, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED, db_index=True
    )
    outcome = models.CharField(max_length=10, choices=CaseOutcome.choices, blank=True)
    form_data = ProtectedJSONField(default=dict)
    scenario_answers = models.JSONField(
        default=list,
        blank=True,
        help_text=_('情形引导答案: [{"key", "question", "value", "answer"}]; empty when the item has none'),
    )
    idempotency_key = models.CharField(max_length=100, blank=True)
    delivery_method = models.CharField(
        max_length=12, choices=DeliveryMethod.choices, default=DeliveryMethod.ELECTRONIC
    )
    submitted_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True, help_text=_("承诺办结日期"))
    statutory_due_date = models.DateField(null=True, blank=True, help_text=_("法定办结日期"))
    completed_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    result_document = models.FileField(upload_to="cases/results/%Y/%m/", blank=True)
    result_sha256 = models.CharField(max_length=64, blank=True)
    lock_version = models.PositiveIntegerField(default=0)
    # 办理时限 clock (cases/clock.py): recomputed from the events on every event.
    paused_working_days = models.PositiveIntegerField(default=0, help_text=_("暂停计时的工作日数"))
    clock_paused = models.BooleanField(default=False, help_text=_("计时暂停中（补正、特别程序）"))
    extension_days = models.PositiveIntegerField(default=0, help_text=_("经批准延长的工作日数"))
    deadline_provisional = models.BooleanField(
        default=False, help_text=_("预计：时限跨入尚未公布节假日安排的年度，按法定节假日推算")
    )
    # 容缺受理 (cases/variants.py)
    gap_items = models.JSONField(
        default=list, blank=True, help_text=_('容缺材料 [{"material_id", "name", "reason"}]')
    )
    gap_deadline = models.DateField(null=True, blank=True, help_text=_("容缺材料补齐期限"))
    gap_resolved_at = models.DateTimeField(null=True, blank=True)
    # 告知承诺 (cases/variants.py)
    commitment_based = models.BooleanField(default=False, help_text=_("告知承诺审批"))
    verification_due_date = models.DateField(null=True, blank=True, help_text=_("承诺核查期限"))
    verified_at = models.DateTimeField(null=True, blank=True)

    @property
    def due_date_provisional(self) -> bool:
        """预计: the committed due date was counted on a provisional (not yet announced) year."""
        return self._counted_provisionally(self.due_date)

    @property
    def statutory_due_date_provisional(self) -> bool:
        """预计: the statutory due date was counted on a provisional (not yet announced) year."""
        return self._counted_provisionally(self.statutory_due_date)

    def _counted_provisionally(self, day: date | None) -> bool:
        if not self.deadline_provisional or day is None or self.accepted_at is None:
            return False
        return bool(provisional_years_between(timezone.localdate(self.accepted_at), day))

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="cases_unique_idempotency_key_per_applicant",
            )
        ]
        indexes = [
            models.Index(fields=["handling_organisation", "status", "submitted_at"]),
            models.Index(fields=["applicant", "submitted_at"]),
            # The to-do's 已超期 / 即将到期 tiles: running cases of a queue by due date (reads.todo_clock_counts).
            models.Index(
                fields=["handling_organisation", "status", "due_date"],
                condition=models.Q(completed_at__isnull=True, clock_paused=False),
                name="cases_running_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.item.name}"

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


class CaseEventType(models.TextChoices):
    """Event types as the provincial e-supervision feeds name them."""

    APPLIED = "applied", _("申请")
    CORRECTION_REQUESTED = "correction_requested", _("补正告知")
    CORRECTION_SUPPLIED = "correction_supplied", _("补正材料提交")
    ACCEPTED = "accepted", _("受理")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    APPROVED = "approved", _("批准")
    REFUSED = "refused", _("不予批准")
    COMPLETED = "completed", _("办结")
    WITHDRAWN = "withdrawn", _("撤回")
    DELIVERY_CHANGED = "delivery_changed", _("变更送达方式")
    DISPATCHED = "dispatched", _("寄出")
    DELIVERED = "delivered", _("送达")
    CORRECTION_TIMED_OUT = "correction_timed_out", _("补正超期")
    GAP_ACCEPTED = "gap_accepted", _("容缺受理")
    GAP_SUPPLIED = "gap_supplied", _("容缺材料补齐")
    EXTENSION_REQUESTED = "extension_requested", _("延长申请")
    EXTENSION_APPROVED = "extension_approved", _("延长批准")
    EXTENSION_REJECTED = "extension_rejected", _("延长不予批准")
    SPECIAL_PROCEDURE_STARTED = "special_procedure_started", _("特别程序开始")
    SPECIAL_PROCEDURE_ENDED = "special_procedure_ended", _("特别程序结束")
    COMMITMENT_VERIFIED = "commitment_verified", _("承诺核查属实")
    APPROVAL_REVOKED = "approval_revoked", _("撤销许可")
    TERMINATED = "terminated", _("终止")
    DEADLINE_RECOMPUTED = "deadline_recomputed", _("时限重算")


class CaseEvent(models.Model):
    """办件过程 One immutable step of a case: who, when, through which channel, with what comment."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveIntegerField()
    event_type = models.CharField(max_length=30, choices=CaseEventType.choices)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="cases_unique_event_sequence")
        ]
        verbose_name = _("办件过程")
        verbose_name_plural = _("办件过程")

    def __str__(self) -> str:
        return f"{self.case_id}#{self.sequence} {self.event_type}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("Case events are immutable")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Case events are immutable")


class CaseMaterialSource(models.TextChoices):
    """材料来源 How a material reached the case (一证通办: what the platform holds is not asked again)."""

    UPLOAD = "upload", _("申请人上传")
    E_LICENCE = "e_licence", _("电子证照库调取")
    SHARED_DATA = "shared_data", _("共享数据调取")
    CLERK_SCAN = "clerk_scan", _("窗口扫描")
    MATERIAL_STORE = "material_store", _("材料库复用")


# 可信等级 by source (STANDARDS.md, 国办函〔2016〕108号): A issued by the body and usable directly
# (an e-licence whose signature verified; data from the authoritative source), B checked by a clerk
# (a scan made at the window from the original), C uploaded by the user with the original still to
# be checked.  D (self-declared) is for the applicant's own declarations; a clerk's check raises C to B.
DEFAULT_TRUST_LEVEL: dict[str, str] = {
    CaseMaterialSource.UPLOAD: TrustLevel.C,
    CaseMaterialSource.E_LICENCE: TrustLevel.A,
    CaseMaterialSource.SHARED_DATA: TrustLevel.A,
    CaseMaterialSource.CLERK_SCAN: TrustLevel.B,
    # 材料库复用: the stored entry's own level is carried over; C when it has none.
    CaseMaterialSource.MATERIAL_STORE: TrustLevel.C,
}


class CaseMaterial(TimeStampedModel):
    """提交材料 A file submitted for a case, hashed and kept even when superseded by a correction.

    ``source`` and ``trust_level`` (可信等级 A–D) are recorded for every material; a material taken
    from the licence store (一证通办) points to the licence and to the use record that logged it.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(Material, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    material_name = models.CharField(max_length=200)
    file = models.FileField(upload_to="cases/materials/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    correction_round = models.PositiveSmallIntegerField(default=0)
    superseded = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(
        max_length=20, choices=CaseMaterialSource.choices, default=CaseMaterialSource.UPLOAD
    )
    trust_level = models.CharField(max_length=1, choices=TrustLevel.choices, default=TrustLevel.C)
    store_reference = models.UUIDField(
        null=True, blank=True, db_index=True, help_text=_("材料库条目（材料库复用时）")
    )
    licence = models.ForeignKey(
        "licences.Licence", null=True, blank=True, on_delete=models.PROTECT, related_name="case_materials"
    )
    licence_identifier = models.CharField(max_length=120, blank=True, help_text=_("证照标识"))
    licence_use = models.ForeignKey(
        "licences.LicenceUseRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("the clerk who checked it against the original (核验)"),
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "material_name", "correction_round"]


class CorrectionNotice(TimeStampedModel):
    """一次性告知 The single notice listing everything missing or wrong in a submission."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="correction_notices")
    round = models.PositiveSmallIntegerField()
    items = models.JSONField(help_text=_('[{"material_id", "name", "reason"}]'))
    comment = models.TextField(blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "round"]
        constraints = [models.UniqueConstraint(fields=["case", "round"], name="cases_unique_notice_round")]


class CaseNumberSequence(models.Model):
    """Daily serial counter per implementation code for unified case numbers."""

    prefix = models.CharField(max_length=40, unique=True, help_text=_("implementation code + yyyyMMdd"))
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last_value}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("不予批准")


class CaseExtension(TimeStampedModel):
    """延长 A request by the handling staff to extend the limit, approved by the body's head (审批人)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField()
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["case", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="pending"),
                name="cases_one_pending_extension",
            )
        ]


class SpecialProcedureKind(models.TextChoices):
    """特别程序 (行政许可法 第四十五条): time spent does not count toward the limit."""

    HEARING = "hearing", _("听证")
    TENDER = "tender", _("招标")
    AUCTION = "auction", _("拍卖")
    INSPECTION = "inspection", _("检验")
    TESTING = "testing", _("检测")
    QUARANTINE = "quarantine", _("检疫")
    APPRAISAL = "appraisal", _("鉴定")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    OTHER = "other", _("其他")


class SpecialProcedure(TimeStampedModel):
    """特别程序 One hearing, test, expert review...: start with kind and reason, end with a result."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="special_procedures")
    kind = models.CharField(max_length=20, choices=SpecialProcedureKind.choices)
    reason = models.TextField()
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.TextField(blank=True)
    paused_working_days = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["case", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(ended_at__isnull=True),
                name="cases_one_open_special_procedure",
            )
        ]
