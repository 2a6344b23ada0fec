"""Django admin for accounts, with 三员 separation enforced on staff administrators.

A staff-kind account's admin rights follow its roles, even when it is a superuser:

* 系统管理员 (admin) edits accounts but not roles, not permissions, and cannot read the audit trail;
* 安全管理员 (security_admin) edits roles and data scopes (never his own) and SSO clients;
* 安全审计员 (auditor) only reads the audit trail.

A break-glass superuser created with ``createsuperuser`` (not a staff-kind account) keeps Django's
default rights; production deployments should not keep one.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from oauth2_provider.admin import ApplicationAdmin
from oauth2_provider.models import get_application_model

from yiwang.accounts.models import (
    AccountKind,
    AgentAuthorisation,
    ApiToken,
    IdentityCheck,
    InboxMessage,
    LegalPerson,
    LoginRecord,
    LoginThrottle,
    NaturalPerson,
    SmsOutboxMessage,
    SsoClientProfile,
    StaffProfile,
    StaffRole,
    StaffRoleAssignment,
    User,
)
from yiwang.accounts.roles import roles_of
from yiwang.core import audit
from yiwang.core.admin import AuditEventAdmin
from yiwang.core.models import AuditEvent

Application = get_application_model()


def _roles(request: HttpRequest) -> set[str]:
    return roles_of(request.user)


def _role_governed(request: HttpRequest) -> bool:
    """True for staff-kind accounts: their roles, not the superuser flag, decide."""
    return getattr(request.user, "kind", "") == AccountKind.STAFF


def _allowed(request: HttpRequest, *roles: str) -> bool:
    if not _role_governed(request):
        return bool(request.user.is_active and request.user.is_superuser)
    return bool(_roles(request) & set(roles))


class RoleGovernedAdmin(admin.ModelAdmin):
    view_roles: tuple[str, ...] = (StaffRole.ADMIN, StaffRole.SECURITY_ADMIN)
    edit_roles: tuple[str, ...] = (StaffRole.ADMIN,)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _allowed(request, *self.view_roles, *self.edit_roles)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(request, *self.view_roles, *self.edit_roles)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(request, *self.edit_roles)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _allowed(request, *self.edit_roles)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(request, *self.edit_roles)


@admin.register(User)
class UserAdmin(RoleGovernedAdmin, DjangoUserAdmin):
    list_display = ("username", "display_name", "kind", "assurance_level", "is_active", "last_login")
    list_filter = ("kind", "assurance_level", "is_active")
    # phone is encrypted at rest: found by its whole number (digest), never by a part of it.
    search_fields = ("username", "display_name", "phone__exact")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        ("Yiwang", {"fields": ("kind", "phone", "phone_verified_at", "assurance_level", "display_name")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if _role_governed(request):
            # Rights come from roles granted by the security admin, never from these flags.
            readonly += ("is_superuser", "is_staff", "groups", "user_permissions", "kind")
        return readonly


@admin.register(NaturalPerson)
class NaturalPersonAdmin(RoleGovernedAdmin):
    list_display = ("real_name", "masked_id_number", "user")
    search_fields = ("real_name", "user__username")


@admin.register(LegalPerson)
class LegalPersonAdmin(RoleGovernedAdmin):
    list_display = ("name", "credit_code", "legal_representative")
    search_fields = ("name", "credit_code")


class RoleInline(admin.TabularInline):
    model = StaffRoleAssignment
    extra = 0
    fields = ("role", "scope", "granted_by")
    readonly_fields = ("granted_by",)

    def _may_edit(self, request: HttpRequest, obj: Any) -> bool:
        if not _allowed(request, StaffRole.SECURITY_ADMIN):
            return False
        return obj is None or obj.user_id != request.user.pk  # never one's own roles

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(request, StaffRole.ADMIN, StaffRole.SECURITY_ADMIN)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)


@admin.register(StaffProfile)
class StaffProfileAdmin(RoleGovernedAdmin):
    list_display = ("real_name", "organisation", "user")
    list_filter = ("organisation",)
    inlines = [RoleInline]
    edit_roles = (StaffRole.ADMIN, StaffRole.SECURITY_ADMIN)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            audit.record(
                "staff.role_revoked", actor=request.user, obj=obj.staff.user, detail={"role": obj.role}
            )
            obj.delete()
        for obj in instances:
            obj.granted_by = request.user
            obj.save()
            audit.record(
                "staff.role_granted",
                actor=request.user,
                obj=obj.staff.user,
                detail={"role": obj.role, "scope": obj.scope, "via": "admin"},
            )
        formset.save_m2m()


@admin.register(SmsOutboxMessage)
class SmsOutboxAdmin(RoleGovernedAdmin):
    list_display = ("phone", "body", "created_at")
    readonly_fields = ("phone", "body", "created_at")


@admin.register(ApiToken)
class ApiTokenAdmin(RoleGovernedAdmin):
    list_display = ("user", "name", "prefix", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = ("token_hash", "prefix")


@admin.register(LoginThrottle)
class LoginThrottleAdmin(RoleGovernedAdmin):
    """登录锁定: the security admin may lift a lock early."""

    list_display = ("scope", "key", "failures", "lockouts", "locked_until", "last_failure_at")
    search_fields = ("key",)
    edit_roles = (StaffRole.SECURITY_ADMIN,)


@admin.register(LoginRecord)
class LoginRecordAdmin(RoleGovernedAdmin):
    list_display = ("user", "occurred_at", "succeeded", "channel", "ip_address")
    list_filter = ("succeeded", "channel")
    edit_roles = ()
    view_roles = (StaffRole.SECURITY_ADMIN,)


@admin.register(IdentityCheck)
class IdentityCheckAdmin(RoleGovernedAdmin):
    list_display = ("user", "kind", "status", "target_level", "created_at", "completed_at")
    list_filter = ("kind", "status")
    edit_roles = ()


@admin.register(AgentAuthorisation)
class AgentAuthorisationAdmin(RoleGovernedAdmin):
    list_display = ("company", "agent", "all_items", "valid_until", "revoked_at")
    edit_roles = ()


class SsoProfileInline(admin.StackedInline):
    model = SsoClientProfile
    can_delete = False


class SsoApplicationAdmin(RoleGovernedAdmin, ApplicationAdmin):
    """接入系统登记 (DOT Application + integration mode and allowed scopes): the security admin."""

    inlines = [SsoProfileInline]
    edit_roles = (StaffRole.SECURITY_ADMIN,)


admin.site.unregister(Application)
admin.site.register(Application, SsoApplicationAdmin)


admin.site.register(InboxMessage, RoleGovernedAdmin)

# 审计日志: only the auditor reads it (the system and security admins do not).
admin.site.unregister(AuditEvent)


@admin.register(AuditEvent)
class SeparatedAuditEventAdmin(AuditEventAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return _allowed(request, StaffRole.AUDITOR)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(request, StaffRole.AUDITOR)
