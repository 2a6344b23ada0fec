from django.contrib import admin

from yiwang.cases.models import ArchivePackage, Case, CaseEvent, CaseMaterial, CorrectionNotice, DatasetExport


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = (
        "sequence",
        "event_type",
        "from_status",
        "to_status",
        "actor_label",
        "channel",
        "comment",
        "occurred_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only view of cases: every change must go through the case services."""

    list_display = ("number", "item", "applicant_name", "status", "submitted_at", "due_date")
    list_filter = ("status", "channel", "handling_organisation")
    search_fields = ("number", "applicant_name")
    inlines = [CaseEventInline]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


admin.site.register(CorrectionNotice)
admin.site.register(CaseMaterial)


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Archive packages and export records are written only by their services."""

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ArchivePackage)
class ArchivePackageAdmin(_ReadOnlyAdmin):
    list_display = ("case", "retention", "disposal_date", "archived_at", "last_verification_ok")
    list_filter = ("retention", "last_verification_ok")
    search_fields = ("case__number", "manifest_sm3")


@admin.register(DatasetExport)
class DatasetExportAdmin(_ReadOnlyAdmin):
    list_display = ("target", "created_at", "exported_by", "record_count", "sm3")
    list_filter = ("target",)
