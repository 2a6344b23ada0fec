"""大厅 The service hall, its business categories (取号业务类别), window groups and windows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.models import ServiceItem
from yiwang.core.models import Organisation, TimeStampedModel


class Hall(TimeStampedModel):
    """政务服务大厅 A physical service hall (e.g. 合肥市政务服务中心) run by a service-centre organisation.

    ``code`` is the short slug used in device URLs (``/hall/queue/<code>/``)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(max_length=12, db_index=True)
    address = models.CharField(max_length=200, blank=True)
    # {"1": [["09:00", "12:00"], ["13:00", "17:00"]], ..., "6": [["09:00", "12:00"]]} (ISO weekday)
    opening_hours = models.JSONField(default=dict, blank=True)
    announcement_template = models.CharField(
        max_length=200,
        default="请{number}号到{window}号窗口办理",
        help_text=_("叫号播报文本，{number} 与 {window} 会被替换"),
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("服务大厅")
        verbose_name_plural = _("服务大厅")

    def __str__(self) -> str:
        return self.name


class BusinessCategory(TimeStampedModel):
    """业务类别 A queue of the hall: tickets are numbered per category (prefix letter + sequence) and
    the items the category serves decide which category an appointment's ticket joins."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="categories")
    prefix = models.CharField(max_length=2, help_text=_("号码前缀，如 A"))
    name = models.CharField(max_length=100)
    items = models.ManyToManyField(ServiceItem, blank=True, related_name="+")
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="+", help_text=_("该类别受理其全部事项的部门")
    )
    average_service_minutes = models.PositiveSmallIntegerField(default=10)
    daily_limit = models.PositiveIntegerField(default=0, help_text=_("每日取号上限，0 为不限"))
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["hall", "sort_order", "prefix"]
        verbose_name = _("业务类别")
        verbose_name_plural = _("业务类别")
        constraints = [
            models.UniqueConstraint(fields=["hall", "prefix"], name="hall_category_prefix_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}"


class WindowGroup(TimeStampedModel):
    """窗口组 Windows that share appointment capacity (e.g. 综合受理窗口 01–08)."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="window_groups")
    name = models.CharField(max_length=100)
    categories = models.ManyToManyField(BusinessCategory, blank=True, related_name="window_groups")

    class Meta:
        ordering = ["hall", "name"]
        verbose_name = _("窗口组")
        verbose_name_plural = _("窗口组")

    def __str__(self) -> str:
        return self.name


class WindowStatus(models.TextChoices):
    OPEN = "open", _("服务中")
    PAUSED = "paused", _("暂停服务")
    CLOSED = "closed", _("未开放")


class Window(TimeStampedModel):
    """窗口 One counter.  A general window (综合窗口) serves every category of the hall; the others
    serve the categories listed.  ``device_key_digest`` authorises the window's rating device."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="windows")
    group = models.ForeignKey(
        WindowGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="windows"
    )
    number = models.CharField(max_length=8, help_text=_("窗口号，如 05"))
    name = models.CharField(max_length=100, blank=True)
    is_general = models.BooleanField(default=False, help_text=_("综合窗口：受理本大厅全部类别"))
    categories = models.ManyToManyField(BusinessCategory, blank=True, related_name="windows")
    status = models.CharField(max_length=8, choices=WindowStatus.choices, default=WindowStatus.CLOSED)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clerk_since = models.DateTimeField(null=True, blank=True)
    device_key_digest = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["hall", "number"]
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="hall_window_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()
