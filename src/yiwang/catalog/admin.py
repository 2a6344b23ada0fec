"""Admin for the catalogue: items with their materials inline; publish/withdraw go through services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from yiwang.catalog import services
from yiwang.catalog.models import BaseItem, IssuedCode, ItemStatus, Material, ServiceItem, ServiceItemVersion
from yiwang.catalog.search import refresh_search_fields
from yiwang.core import audit
from yiwang.core.errors import DomainError


def _is_published(obj: ServiceItem | None) -> bool:
    """Frozen in the admin: published versions, and drafts under review (submitted/approved)."""
    return obj is not None and obj.status in (ItemStatus.PUBLISHED, ItemStatus.SUBMITTED, ItemStatus.APPROVED)


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = ["order", "name", "mandatory", "originals", "copies", "material_form", "source", "description"]

    # A published version is immutable: withdraw it first to edit its materials.
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _is_published(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _is_published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _is_published(obj) and super().has_delete_permission(request, obj)


# The fields a draft may set, in guide order, with the implementing body and region after the type.
ITEM_FORM_FIELDS = [
    *services.EDITABLE_FIELD_ORDER[:4],
    "implementing_body",
    "region",
    *services.EDITABLE_FIELD_ORDER[4:],
]


class ServiceItemForm(forms.ModelForm):
    class Meta:
        model = ServiceItem
        fields = ITEM_FORM_FIELDS

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        body, level, base_code = (
            cleaned.get("implementing_body"),
            cleaned.get("exercise_level"),
            cleaned.get("base_code"),
        )
        if body is not None and level and base_code:
            try:
                cleaned["base_code"] = services.normalise_base_code(base_code)
                self.instance.implementation_code = services.make_implementation_code(
                    body.credit_code, level, cleaned["base_code"]
                )
            except DomainError as exc:
                raise forms.ValidationError(exc.message) from exc
            duplicate = ServiceItem.objects.filter(implementation_code=self.instance.implementation_code)
            if duplicate.exclude(pk=self.instance.pk).exists():
                raise forms.ValidationError(f"实施编码 {self.instance.implementation_code} 已被使用")
        return cleaned


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "implementing_body",
        "item_type",
        "status",
        "version",
        "committed_limit_days",
        "statutory_limit_days",
        "application_count",
    ]
    list_filter = ["status", "item_type", "case_kind", "implementing_body"]
    search_fields = ["name", "implementation_code", "base_code", "search_text"]
    list_select_related = ["implementing_body"]
    readonly_fields = [
        "public_id",
        "implementation_code",
        "status",
        "version",
        "published_at",
        "application_count",
        "name_pinyin",
        "name_initials",
        "search_text",
        "created_at",
        "updated_at",
    ]
    form = ServiceItemForm
    inlines = [MaterialInline]
    actions = ["publish_selected", "withdraw_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if _is_published(obj):  # published versions are immutable; withdraw to edit
            return [field.name for field in ServiceItem._meta.fields if field.name != "id"]
        return self.readonly_fields

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        item = form.instance
        refresh_search_fields(item)
        audit.record(
            "catalog.item.admin_saved",
            actor=request.user,
            obj=item,
            detail={"change": change, "fields": sorted(form.changed_data)},
        )

    def _run(self, request: HttpRequest, queryset: QuerySet[ServiceItem], action: Any, verb: str) -> None:
        done = 0
        for item in queryset.select_related("implementing_body", "region"):
            try:
                action(item, request.user)
            except DomainError as exc:
                self.message_user(request, f"{item.name}：{exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"已{verb} {done} 个事项", messages.SUCCESS)

    @admin.action(description="发布所选事项")
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[ServiceItem]) -> None:
        self._run(request, queryset, services.publish_item, "发布")

    @admin.action(description="撤销发布所选事项")
    def withdraw_selected(self, request: HttpRequest, queryset: QuerySet[ServiceItem]) -> None:
        self._run(request, queryset, services.withdraw_item, "撤销")


# --- governance (基本目录, 版本, 编码登记簿): read-mostly; changes go through the workbench/services ----
@admin.register(BaseItem)
class BaseItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "item_type", "exercise_level", "status"]
    list_filter = ["status", "item_type", "exercise_level"]
    search_fields = ["code", "name"]
    readonly_fields = ["public_id", "code", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # new base items get their code registered: use services.create_base_item

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ServiceItemVersion)
class ServiceItemVersionAdmin(admin.ModelAdmin):
    """已发布版本 are immutable: listed and shown, never changed or deleted."""

    list_display = ["item", "version", "published_at", "published_by", "reviewed_by"]
    list_select_related = ["item", "published_by", "reviewed_by"]
    search_fields = ["item__name", "item__implementation_code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IssuedCode)
class IssuedCodeAdmin(admin.ModelAdmin):
    list_display = ["kind", "code", "owner_public_id", "issued_at"]
    list_filter = ["kind"]
    search_fields = ["code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
