from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from yiwang.accounts.models import (
    ApiToken,
    InboxMessage,
    LegalPerson,
    NaturalPerson,
    SmsOutboxMessage,
    StaffProfile,
    StaffRoleAssignment,
    User,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "kind", "assurance_level", "is_active", "last_login")
    list_filter = ("kind", "assurance_level", "is_active")
    search_fields = ("username", "display_name", "phone")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        ("Yiwang", {"fields": ("kind", "phone", "phone_verified_at", "assurance_level", "display_name")}),
    )


@admin.register(NaturalPerson)
class NaturalPersonAdmin(admin.ModelAdmin):
    list_display = ("real_name", "masked_id_number", "user")
    search_fields = ("real_name", "user__username")
    exclude = ()


@admin.register(LegalPerson)
class LegalPersonAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "legal_representative")
    search_fields = ("name", "credit_code")


class RoleInline(admin.TabularInline):
    model = StaffRoleAssignment
    extra = 0


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("real_name", "organisation", "user")
    list_filter = ("organisation",)
    inlines = [RoleInline]


@admin.register(SmsOutboxMessage)
class SmsOutboxAdmin(admin.ModelAdmin):
    list_display = ("phone", "body", "created_at")
    readonly_fields = ("phone", "body", "created_at")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = ("token_hash", "prefix")


admin.site.register(InboxMessage)
