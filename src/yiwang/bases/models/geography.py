"""空间地理基础库 Region geometry and standard addresses.

The demo's geometry is synthetic (generated polygons around approximate centroids, see
:mod:`yiwang.bases.geometry`): good enough to draw a map and test the gateway, not survey data.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation


class RegionGeometry(models.Model):
    """区划空间数据 The centroid and a simplified boundary (GeoJSON Polygon) of one GB/T 2260 region."""

    code = models.CharField(max_length=12, unique=True, help_text=_("GB/T 2260 代码（按公布形式）"))
    name = models.CharField(max_length=100)
    centroid_lat = models.FloatField()
    centroid_lng = models.FloatField()
    boundary = models.JSONField(default=dict, help_text=_("GeoJSON Polygon，WGS-84"))
    synthetic = models.BooleanField(default=False, help_text=_("演示用的合成几何"))
    source = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]
        verbose_name = _("区划空间数据")
        verbose_name_plural = _("区划空间数据")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Address(models.Model):
    """标准地址 A standard address: region, street (道路/街巷), house number and its coordinates."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    region = models.CharField(max_length=12, db_index=True, help_text=_("GB/T 2260 代码"))
    street = models.CharField(max_length=100)
    house_number = models.CharField(max_length=40)
    lat = models.FloatField()
    lng = models.FloatField()
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "street", "house_number"], name="bases_address_unique")
        ]
        verbose_name = _("标准地址")
        verbose_name_plural = _("标准地址")

    def __str__(self) -> str:
        return f"{self.street}{self.house_number}"
