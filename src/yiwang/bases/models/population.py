"""人口基础库 The population base: one row per citizen, fed by the public-security department."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation
from yiwang.core.protected import DigestField, ProtectedCharField, ProtectedTextField


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class PersonStatus(models.TextChoices):
    """人口状态 正常 / 死亡 / 迁出."""

    NORMAL = "normal", _("正常")
    DECEASED = "deceased", _("死亡")
    MOVED_OUT = "moved_out", _("迁出")


class Person(models.Model):
    """人口 A citizen as the providing department reports him; personal data encrypted at rest."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    id_number = ProtectedCharField(max_length=18, help_text=_("公民身份号码 GB 11643"))
    id_number_digest = DigestField(source="id_number", canonical="id_number", unique=True)
    name = ProtectedCharField(max_length=100)
    gender = models.CharField(max_length=6, choices=Gender.choices)
    birth_date = models.DateField()
    ethnicity = models.CharField(max_length=2, default="01", help_text=_("民族 GB/T 3304 代码"))
    household_region = models.CharField(max_length=12, db_index=True, help_text=_("户籍地 GB/T 2260 代码"))
    address = ProtectedTextField(blank=True, default="")
    status = models.CharField(max_length=10, choices=PersonStatus.choices, default=PersonStatus.NORMAL)
    source = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("人口")
        verbose_name_plural = _("人口")

    def __str__(self) -> str:
        return f"Person {self.public_id}"
