"""Workbench pages of the staff user centre: MFA (verify, enrol, recovery codes), organisation
tree and staff administration (三员), audit trail (auditor) and counter identity verification."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from yiwang.accounts import identity, mfa
from yiwang.accounts import staff as staff_services
from yiwang.accounts.models import (
    AccountKind,
    DataScope,
    LegalPerson,
    NaturalPerson,
    StaffRole,
    User,
)
from yiwang.accounts.personal_data import record_staff_reads
from yiwang.accounts.policy import current_policy, update_security_policy
from yiwang.core import personal_data
from yiwang.core.errors import CoreErrorCode, DomainError
from yiwang.core.inputs import parse_day
from yiwang.core.masking import mask_name
from yiwang.core.models import Organisation
from yiwang.core.paging import paginate
from yiwang.core.personal_data import Read
from yiwang.web.ui import (
    attempt,
    current_user,
    domain_errors,
    error_context,
    field,
    field_errors,
    is_staff_user,
    required_field,
    safe_next,
    staff_required,
)

AUDIT_PAGE_SIZE = 50


# --- MFA ---------------------------------------------------------------------------------------------
def _mfa_gate(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("workbench:login"))
    if not is_staff_user(request.user):
        return redirect("portal:home")
    return None


def mfa_verify(request: HttpRequest) -> HttpResponse:
    """二次验证: a TOTP code (or a recovery code) after the password; staff without a device enrol."""
    gate = _mfa_gate(request)
    if gate is not None:
        return gate
    user = current_user(request)
    next_url = safe_next(request, reverse("workbench:todo"))
    if request.user.is_verified():  # type: ignore[union-attr]
        return HttpResponseRedirect(next_url)
    if not mfa.has_confirmed_device(user):
        return HttpResponseRedirect(reverse("workbench:mfa_enrol") + f"?next={next_url}")
    exc: DomainError | None = None
    status = 200
    if request.method == "POST":
        try:
            mfa.verify(request, user, request.POST.get("token", "")[:20])
        except DomainError as error:
            exc, status = error, error.status
        else:
            if mfa.recovery_codes_running_low(user):
                messages.warning(request, _("可用恢复码已不多，请在“安全设置”中重新生成。"))
            return HttpResponseRedirect(next_url)
    return render(
        request,
        "workbench/mfa_verify.html",
        {
            "controls": [
                required_field(
                    "token",
                    _("动态验证码或恢复码"),
                    exc,
                    autocomplete="one-time-code",
                    inputmode="numeric",
                    help=_("打开身份验证器应用查看 6 位动态码；手机不在身边时可使用 8 位恢复码"),
                )
            ],
            "error": error_context(exc) if exc else None,
            "next": next_url,
        },
        status=status,
    )


def mfa_enrol(request: HttpRequest) -> HttpResponse:
    """绑定身份验证器: scan the QR code, enter the first code, keep the recovery codes."""
    gate = _mfa_gate(request)
    if gate is not None:
        return gate
    user = current_user(request)
    next_url = safe_next(request, reverse("workbench:todo"))
    if mfa.has_confirmed_device(user):
        return HttpResponseRedirect(reverse("workbench:mfa") + f"?next={next_url}")
    device = mfa.start_enrolment(user)
    exc: DomainError | None = None
    status = 200
    if request.method == "POST":
        try:
            codes = mfa.confirm_enrolment(request, user, request.POST.get("token", "")[:20])
        except DomainError as error:
            exc, status = error, error.status
        else:
            return render(request, "workbench/mfa_codes.html", {"codes": codes, "next": next_url})
    return render(
        request,
        "workbench/mfa_enrol.html",
        {
            "qr_svg": mfa.qr_svg(device),
            "secret": mfa.secret_base32(device),
            "controls": [
                required_field(
                    "token", _("动态验证码"), exc, autocomplete="one-time-code", inputmode="numeric"
                )
            ],
            "error": error_context(exc) if exc else None,
            "next": next_url,
        },
        status=status,
    )


@require_POST
@staff_required
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    codes = mfa.regenerate_recovery_codes(current_user(request))
    return render(request, "workbench/mfa_codes.html", {"codes": codes, "next": reverse("workbench:todo")})


# --- staff administration (三员) ----------------------------------------------------------------------
def _staff_context(request: HttpRequest, exc: DomainError | None = None) -> dict[str, Any]:
    user = current_user(request)
    roles = staff_services.roles_of(user)
    org_id = request.GET.get("org", "")
    organisation = Organisation.objects.filter(pk=int(org_id)).first() if org_id.isdigit() else None
    return {
        "tree": staff_services.organisation_tree(),
        "directory": list(staff_services.staff_directory(user, organisation)),
        "selected_org": organisation,
        "is_system_admin": StaffRole.ADMIN in roles,
        "is_security_admin": StaffRole.SECURITY_ADMIN in roles,
        "role_choices": StaffRole.choices,
        "scope_choices": DataScope.choices,
        "organisations": Organisation.objects.order_by("name"),
        "create_controls": [
            required_field("username", _("用户名/工号"), exc, autocomplete="off"),
            field("real_name", _("姓名"), required=True, autocomplete="off"),
            field("phone", _("手机号码"), type="tel", autocomplete="off", errors=field_errors(exc, "phone")),
            required_field("password", _("初始密码"), exc, type="password", autocomplete="new-password"),
        ],
        "error": error_context(exc) if exc else None,
    }


@domain_errors
@staff_required
def staff_admin(request: HttpRequest) -> HttpResponse:
    """工作人员管理: organisation tree, directory; account actions (系统管理员), roles (安全管理员)."""
    return render(request, "workbench/staff.html", _staff_context(request))


@require_POST
@domain_errors
@staff_required
def staff_create(request: HttpRequest) -> HttpResponseBase:
    user = current_user(request)
    organisation = get_object_or_404(Organisation, pk=request.POST.get("organisation") or 0)

    def failed(exc: DomainError) -> HttpResponse:
        if exc.status == 403:
            raise exc  # not a form error: the refusal page (domain_errors)
        return render(request, "workbench/staff.html", _staff_context(request, exc), status=exc.status)

    return attempt(
        request,
        lambda: staff_services.admin_create_staff(
            user,
            username=request.POST.get("username", "").strip()[:150],
            password=request.POST.get("password", ""),
            real_name=request.POST.get("real_name", "").strip()[:100],
            organisation=organisation,
            phone=request.POST.get("phone", "").strip()[:20],
        ),
        success=_("已创建工作人员账户，请安全管理员为其授予角色。"),
        done="workbench:staff",
        failed=failed,
    )


def _staff_user(public_id: UUID) -> User:
    return get_object_or_404(User, public_id=public_id, kind=AccountKind.STAFF)


@require_POST
@domain_errors
@staff_required
def staff_action(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """One POST per action: enable/disable, reset MFA, grant or revoke a role."""
    actor = current_user(request)
    target = _staff_user(public_id)
    action = request.POST.get("action", "")
    if action in ("disable", "enable"):
        staff_services.set_staff_active(actor, target, action == "enable")
        messages.success(request, _("账户状态已更新。"))
    elif action == "reset_mfa":
        staff_services.reset_staff_mfa(actor, target)
        messages.success(request, _("已重置多因素认证，该工作人员下次登录时需重新绑定。"))
    elif action == "grant":
        staff_services.grant_role(
            actor, target, request.POST.get("role", ""), request.POST.get("scope", DataScope.DEPARTMENT)
        )
        messages.success(request, _("已授予角色。"))
    elif action == "revoke":
        staff_services.revoke_role(actor, target, request.POST.get("role", ""))
        messages.success(request, _("已撤销角色。"))
    else:
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, _("未知操作"), {"action": [action]})
    return redirect("workbench:staff")


# --- audit trail (安全审计员) -------------------------------------------------------------------------
def _parse_day(value: str) -> datetime | None:
    day = parse_day(value)
    return timezone.make_aware(datetime.combine(day, time.min)) if day else None


@domain_errors
@staff_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """审计日志: filters by action, actor, object and date; the auditor only."""
    user = current_user(request)
    filters = {
        key: request.GET.get(key, "").strip()[:100]
        for key in ("action", "actor", "object_id", "since", "until")
    }
    since = _parse_day(filters["since"])
    until = _parse_day(filters["until"])
    events = staff_services.audit_events(
        user,
        action=filters["action"],
        actor_label=filters["actor"],
        object_id=filters["object_id"],
        since=since,
        until=until + timedelta(days=1) if until else None,
    )
    page = paginate(request, events, AUDIT_PAGE_SIZE)
    report = None
    if request.method == "POST" and request.POST.get("verify"):
        report = staff_services.verify_audit_chain(user)
    return render(request, "workbench/audit.html", {"page_obj": page, "filters": filters, "report": report})


# --- counter identity verification (窗口核验) -----------------------------------------------------------
@domain_errors
@staff_required
def identity_counter(request: HttpRequest) -> HttpResponse:
    """窗口核验: find the account by the ID number (or credit code) on the document in hand."""
    clerk = current_user(request)
    staff_services.require_role(clerk, StaffRole.WINDOW_CLERK, "counter_verify")
    number = (
        (request.POST.get("document_number") or request.GET.get("document_number") or "").strip().upper()[:18]
    )
    account: User | None = None
    exc: DomainError | None = None
    status = 200
    if number:
        person = NaturalPerson.objects.filter(id_number=number).select_related("user").first()
        company = LegalPerson.objects.filter(credit_code=number).select_related("user").first()
        account = person.user if person else company.user if company else None
        if account is None:
            exc = DomainError(
                CoreErrorCode.NOT_FOUND,
                _("未找到使用该证件注册的账户"),
                {"document_number": [_("未找到账户")]},
                status=404,
            )
            status = 404
    if request.method == "POST" and account is not None:
        try:
            identity.verify_at_counter(
                clerk, account, document_number=number, note=request.POST.get("note", "")[:200]
            )
        except DomainError as error:
            exc, status = error, error.status
        else:
            messages.success(request, _("核验完成，账户已提升为中级实名。"))
            return redirect(reverse("workbench:identity_counter") + f"?document_number={number}")
    if account is not None:
        # The clerk typed the number; the page shows the account's name, masked, and records the read.
        record_staff_reads(
            clerk,
            [Read(account.pk, "account", str(account.public_id), "", (personal_data.NAME,))],
            purpose=_("窗口实名核验"),
        )
    return render(
        request,
        "workbench/identity_counter.html",
        {
            "account": account,
            "account_name": (
                mask_name(str(account))
                if account and account.kind == AccountKind.NATURAL
                else str(account or "")
            ),
            "number": number,
            "control": required_field(
                "document_number",
                _("证件号码（居民身份证或统一社会信用代码）"),
                exc,
                value=number,
                autocomplete="off",
            ),
            "error": error_context(exc) if exc else None,
        },
        status=status,
    )


# --- security policy (安全策略): the security admin only ------------------------------------------------
POLICY_FIELDS: list[tuple[str, str, str]] = [
    ("password_min_length", gettext_noop("密码最小长度"), "8–64"),
    ("password_min_classes", gettext_noop("密码字符类别数（大写、小写、数字、符号）"), "3–4"),
    ("lockout_account_failures", gettext_noop("同一账户连续失败几次后锁定"), "3–10"),
    ("lockout_ip_failures", gettext_noop("同一 IP 连续失败几次后锁定"), "5–1000"),
    ("lockout_base_seconds", gettext_noop("首次锁定时长（秒），此后每次加倍"), "60–86400"),
    ("lockout_max_seconds", gettext_noop("最长锁定时长（秒）"), "60–604800"),
    ("session_idle_minutes", gettext_noop("会话空闲超时（分钟），下次登录起生效"), "5–30"),
]


@domain_errors
@staff_required
def security_policy(request: HttpRequest) -> HttpResponse:
    """安全策略: password policy, lockout and session timeout, edited by the security admin."""
    user = current_user(request)
    staff_services.require_role(user, StaffRole.SECURITY_ADMIN, "view_security_policy")
    values: dict[str, Any] = asdict(current_policy())
    exc: DomainError | None = None
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip()[:10] for name, *_rest in POLICY_FIELDS}
        try:
            update_security_policy(user, values)
        except DomainError as error:
            exc, status = error, error.status
        else:
            messages.success(request, _("安全策略已更新并记入审计日志。"))
            return redirect("workbench:security_policy")
    controls = [
        field(
            name,
            _(label),
            type="number",
            value=values.get(name, ""),
            errors=field_errors(exc, name),
            required=True,
            help=_("取值范围：%(r)s") % {"r": bounds},
        )
        for name, label, bounds in POLICY_FIELDS
    ]
    labels = {name: (f"id_{name}", _(label)) for name, label, _b in POLICY_FIELDS}
    return render(
        request,
        "workbench/security_policy.html",
        {"controls": controls, "error": error_context(exc, labels) if exc else None},
        status=status,
    )
