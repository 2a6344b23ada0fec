"""材料库 The material store: every material an applicant (person or company) has submitted, every
result document of their cases and what they uploaded themselves, with type, validity, source and
trust level (可信等级 A–D, as :mod:`yiwang.cases.models` defines them).

An entry captured from a case *refers* to the case's stored file (same storage name, same SHA-256):
the case keeps its copy whatever happens to the entry.  Deleting an entry is soft (``deleted_at``),
audited, and refused while a case that uses the entry is undecided.  E-licences are not copied here:
the store lists them live from the licence wallet.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import TimeStampedModel
from yiwang.licences.models import TrustLevel


class MaterialEntrySource(models.TextChoices):
    """来源 How an entry reached the store."""

    SUBMITTED = "submitted", _("随办件提交")
    RESULT = "result", _("办件结果")
    UPLOADED = "uploaded", _("上传到材料库")
    WINDOW_SCAN = "window_scan", _("窗口扫描")


class StoredMaterial(TimeStampedModel):
    """材料库条目 One material of one owner (a natural or a legal person's account)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200, help_text=_("材料名称"))
    material = models.ForeignKey(
        "catalog.Material",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("目录中的材料（按目录材料匹配复用）"),
    )
    licence_type_code = models.CharField(max_length=40, blank=True, help_text=_("证照类型代码"))
    source = models.CharField(max_length=12, choices=MaterialEntrySource.choices)
    trust_level = models.CharField(max_length=1, choices=TrustLevel.choices, default=TrustLevel.C)
    valid_until = models.DateField(null=True, blank=True, help_text=_("有效期至，空为长期有效"))
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("来源办件（随办件提交或办件结果）"),
    )
    case_material = models.ForeignKey(
        "cases.CaseMaterial", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to="space/materials/%Y/%m/", max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("材料库条目")
        verbose_name_plural = _("材料库条目")
        constraints = [
            # Capture is idempotent: one entry per case material, one result entry per case.
            models.UniqueConstraint(
                fields=["owner", "case_material"],
                condition=models.Q(case_material__isnull=False),
                name="space_unique_case_material",
            ),
            models.UniqueConstraint(
                fields=["owner", "case"],
                condition=models.Q(source="result"),
                name="space_unique_case_result",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "deleted_at", "created_at"], name="space_owner_live_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_source_display()})"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
