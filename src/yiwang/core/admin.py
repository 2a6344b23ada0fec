"""Django admin for the core tables: regions, organisations, the holiday calendar, the audit trail."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from yiwang.core.calendar import PACKAGE_SOURCE_PREFIX
from yiwang.core.identifiers import IdentifierError, validate_credit_code
from yiwang.core.models import (
    AuditEvent,
    CalendarDay,
    CalendarDayKind,
    CalendarYear,
    Organisation,
    Region,
)

WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
MANUAL_SOURCE = "人工录入"


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    ordering = ("full_code",)
    raw_id_fields = ("parent",)
    readonly_fields = ("created_at", "updated_at")
    list_select_related = ("parent",)
    # The full tree has hundreds of thousands of rows; counting them on every page is wasted work.
    show_full_result_count = False


class OrganisationForm(forms.ModelForm[Organisation]):
    class Meta:
        model = Organisation
        fields = (
            "name",
            "short_name",
            "credit_code",
            "region",
            "parent",
            "nature",
            "address",
            "phone",
            "office_hours",
            "is_active",
        )

    def clean_credit_code(self) -> str:
        try:
            return validate_credit_code(self.cleaned_data["credit_code"]).normalized
        except IdentifierError as exc:
            raise forms.ValidationError(exc.message) from exc


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    form = OrganisationForm
    list_display = ("name", "short_name", "credit_code", "region", "nature", "is_active")
    list_filter = ("nature", "is_active")
    search_fields = ("name", "short_name", "credit_code")
    autocomplete_fields = ("region", "parent")
    list_select_related = ("region",)
    readonly_fields = ("public_id", "created_at", "updated_at")


class CalendarYearForm(forms.ModelForm[CalendarYear]):
    class Meta:
        model = CalendarYear
        fields = ("year", "source", "note")
        help_texts = {
            "year": "先在“节假日/调休日”中录入该年全部法定节假日和调休上班日，再新增年度："
            "年度一经新增，工作日计算即按已录入的日子执行。",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.initial.setdefault("source", MANUAL_SOURCE)

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if not 1949 <= year <= 2100:
            raise forms.ValidationError("年度应在 1949–2100 之间")
        # Every year has at least 元旦, 春节 and 国庆节: a year with no days entered is surely unfinished.
        if not CalendarDay.objects.filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)).exists():
            raise forms.ValidationError(
                f"{year} 年尚未录入任何节假日：请先在“节假日/调休日”中录入该年的法定节假日和调休上班日，再新增年度。"
            )
        return year


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin[CalendarYear]):
    form = CalendarYearForm
    list_display = ("year", "holiday_count", "workday_count", "source", "updated_at")
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description="法定节假日（天）")
    def holiday_count(self, obj: CalendarYear) -> int:
        return self._days(obj).filter(kind=CalendarDayKind.HOLIDAY).count()

    @admin.display(description="调休上班（天）")
    def workday_count(self, obj: CalendarYear) -> int:
        return self._days(obj).filter(kind=CalendarDayKind.MAKEUP_WORKDAY).count()

    @staticmethod
    def _days(obj: CalendarYear) -> QuerySet[CalendarDay]:
        return CalendarDay.objects.filter(date__gte=date(obj.year, 1, 1), date__lte=date(obj.year, 12, 31))

    def save_model(
        self, request: HttpRequest, obj: CalendarYear, form: forms.ModelForm[Any], change: bool
    ) -> None:
        # A year typed in by hand must not look like package data, or load_calendar would overwrite it.
        if not change and obj.source.startswith(PACKAGE_SOURCE_PREFIX):
            obj.source = MANUAL_SOURCE
        if obj.source == MANUAL_SOURCE:
            obj.source = f"{MANUAL_SOURCE}（{request.user.get_username()}）"
        super().save_model(request, obj, form, change)


class CalendarDayForm(forms.ModelForm[CalendarDay]):
    class Meta:
        model = CalendarDay
        fields = ("date", "kind", "name")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        day: date | None = cleaned.get("date")
        if day is not None and cleaned.get("kind") == CalendarDayKind.MAKEUP_WORKDAY and day.weekday() < 5:
            self.add_error(
                "kind", f"{day} 是{WEEKDAYS_ZH[day.weekday()]}，本来就是工作日，无需登记为调休上班"
            )
        return cleaned


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin[CalendarDay]):
    form = CalendarDayForm
    list_display = ("date", "weekday", "kind", "name")
    list_filter = ("kind",)
    search_fields = ("name",)
    date_hierarchy = "date"
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description="星期")
    def weekday(self, obj: CalendarDay) -> str:
        return WEEKDAYS_ZH[obj.date.weekday()]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """审计日志 is evidence: it can be read here, never added, edited or deleted."""

    list_display = (
        "sequence",
        "occurred_at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "channel",
        "ip_address",
    )
    list_filter = ("channel", "action")
    search_fields = ("action", "actor_label", "object_type", "object_id")
    date_hierarchy = "occurred_at"
    ordering = ("-sequence",)
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: AuditEvent | None = None) -> list[str]:
        return [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
