"""My account (账户与安全): security page, login history, password and phone change, account
recovery, assurance-level upgrade (实名等级提升), agents of legal persons (代办授权), SSO principal.

Thin pages over :mod:`yiwang.accounts.services` and :mod:`yiwang.accounts.identity`.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from yiwang.accounts import identity
from yiwang.accounts import services as accounts
from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import (
    AccountKind,
    AgentAuthorisation,
    AssuranceLevel,
    IdentityCheck,
    SmsPurpose,
    mask_phone,
)
from yiwang.accounts.oidc import SSO_CHOICE_SESSION_KEY
from yiwang.accounts.passwords import password_hint
from yiwang.core.errors import DomainError
from yiwang.web.ui import (
    applicant_required,
    current_user,
    domain_errors,
    error_context,
    field,
    field_errors,
    safe_next,
)


def _level_label(level: int) -> str:
    return str(AssuranceLevel(level).label)


# --- security page ---------------------------------------------------------------------------------
def _security_context(request: HttpRequest, exc: DomainError | None = None, form: str = "") -> dict[str, Any]:
    user = current_user(request)
    password_exc = exc if form == "password" else None
    phone_exc = exc if form == "phone" else None
    return {
        "level": accounts.effective_assurance_level(user),
        "level_label": _level_label(accounts.effective_assurance_level(user)),
        "masked_phone": mask_phone(user.phone),
        "history": accounts.login_history(user, 20),
        "password_controls": [
            field(
                "old_password",
                _("原密码"),
                type="password",
                required=True,
                autocomplete="current-password",
                errors=field_errors(password_exc, "old_password"),
            ),
            field(
                "new_password",
                _("新密码"),
                type="password",
                required=True,
                autocomplete="new-password",
                help=password_hint(),
                errors=field_errors(password_exc, "password"),
            ),
        ],
        "phone_controls": [
            field(
                "new_phone",
                _("新手机号码"),
                type="tel",
                required=True,
                autocomplete="tel",
                value=request.POST.get("new_phone", "") if form == "phone" else "",
                errors=field_errors(phone_exc, "new_phone") + field_errors(phone_exc, "phone"),
            ),
            field(
                "sms_code",
                _("短信验证码"),
                required=True,
                autocomplete="one-time-code",
                inputmode="numeric",
                field_id="id_phone_sms_code",
                errors=field_errors(phone_exc, "sms_code"),
            ),
            field(
                "password",
                _("登录密码"),
                type="password",
                required=True,
                autocomplete="current-password",
                field_id="id_phone_password",
                errors=field_errors(phone_exc, "password"),
            ),
        ],
        "password_error": error_context(password_exc) if password_exc else None,
        "phone_error": error_context(phone_exc) if phone_exc else None,
        "session_minutes": request.session.get_expiry_age() // 60,
    }


@applicant_required
def security(request: HttpRequest) -> HttpResponse:
    """账户安全: level, login history, password and phone."""
    return render(request, "portal/security.html", _security_context(request))


@require_POST
@applicant_required
def change_password(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    try:
        accounts.change_password(
            user,
            old_password=request.POST.get("old_password", ""),
            new_password=request.POST.get("new_password", ""),
        )
    except DomainError as exc:
        return render(
            request, "portal/security.html", _security_context(request, exc, "password"), status=exc.status
        )
    update_session_auth_hash(request, user)
    messages.success(request, _("密码已修改。"))
    return redirect("portal:security")


@require_POST
@applicant_required
def change_phone_sms(request: HttpRequest) -> HttpResponse:
    try:
        accounts.send_phone_change_code(current_user(request), request.POST.get("new_phone", "").strip()[:20])
    except DomainError as exc:
        return render(
            request, "portal/security.html", _security_context(request, exc, "phone"), status=exc.status
        )
    messages.info(request, _("验证码已发送至新手机号，5 分钟内有效。"))
    context = _security_context(request, None, "phone")
    return render(request, "portal/security.html", context)


@require_POST
@applicant_required
def change_phone(request: HttpRequest) -> HttpResponse:
    try:
        accounts.change_phone(
            current_user(request),
            password=request.POST.get("password", ""),
            new_phone=request.POST.get("new_phone", "").strip()[:20],
            sms_code=request.POST.get("sms_code", "").strip()[:8],
        )
    except DomainError as exc:
        return render(
            request, "portal/security.html", _security_context(request, exc, "phone"), status=exc.status
        )
    messages.success(request, _("手机号已更换。"))
    return redirect("portal:security")


# --- account recovery ------------------------------------------------------------------------------
def _recover_controls(values: dict[str, str], exc: DomainError | None) -> list[dict[str, Any]]:
    return [
        field(
            "phone",
            _("注册手机号码"),
            type="tel",
            required=True,
            autocomplete="tel",
            value=values.get("phone", ""),
            errors=field_errors(exc, "phone"),
        ),
        field(
            "sms_code",
            _("短信验证码"),
            required=True,
            autocomplete="one-time-code",
            inputmode="numeric",
            errors=field_errors(exc, "sms_code"),
        ),
        field(
            "new_password",
            _("新密码"),
            type="password",
            required=True,
            autocomplete="new-password",
            help=password_hint(),
            errors=field_errors(exc, "password"),
        ),
    ]


def recover(request: HttpRequest) -> HttpResponse:
    """找回账户 through the verified phone: SMS code → new password (the lockout is lifted)."""
    values = {"phone": request.POST.get("phone", "").strip()[:20]}
    exc: DomainError | None = None
    sent = ""
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "sms":
                accounts.send_recovery_code(values["phone"])
                sent = _("如该手机号已绑定账户，验证码已发送，5 分钟内有效。")
            else:
                user = accounts.recover_account(
                    phone=values["phone"],
                    sms_code=request.POST.get("sms_code", "").strip()[:8],
                    new_password=request.POST.get("new_password", ""),
                )
                messages.success(
                    request,
                    _("密码已重置，您的用户名是 %(username)s，请重新登录。") % {"username": user.username},
                )
                return redirect("portal:login")
        except DomainError as error:
            exc, status = error, error.status
    return render(
        request,
        "portal/recover.html",
        {
            "controls": _recover_controls(values, exc),
            "error": error_context(exc) if exc else None,
            "sms_sent": sent,
        },
        status=status,
    )


# --- assurance level upgrade -------------------------------------------------------------------------
def _upgrade_context(request: HttpRequest, exc: DomainError | None = None, form: str = "") -> dict[str, Any]:
    user = current_user(request)
    try:
        required = int(request.GET.get("level") or request.POST.get("level") or 0)
    except ValueError:
        required = 0
    required = max(0, min(required, AssuranceLevel.ADVANCED))
    level = accounts.effective_assurance_level(user)
    checks = list(user.identity_checks.all()[:10])
    for check in checks:
        if check.is_pending:
            identity.poll_check(check)
    checks = list(user.identity_checks.all()[:10])
    bank_exc = exc if form == "bank_card" else None
    return {
        "level": level,
        "level_label": _level_label(level),
        "required": required,
        "required_label": _level_label(required) if required else "",
        "satisfied": level >= required,
        "is_natural": user.kind == AccountKind.NATURAL,
        "levels": [(value, str(label)) for value, label in AssuranceLevel.choices],
        "checks": checks,
        "any_pending": any(c.is_pending for c in checks),
        "next": safe_next(request, ""),
        "bank_controls": [
            field(
                "card_number",
                _("本人银行卡号"),
                required=True,
                inputmode="numeric",
                autocomplete="cc-number",
                help=_("演示环境：卡号以 0000 结尾模拟“信息不一致”，以 9999 结尾模拟“无应答超时”"),
                errors=field_errors(bank_exc, "card_number"),
            ),
            field(
                "reserved_phone",
                _("银行预留手机号"),
                type="tel",
                autocomplete="tel",
                value=mask_phone(user.phone),
                help=_("不填则使用账户绑定的手机号"),
            ),
        ],
        "face_choices": [
            ("match", _("本人正对摄像头（通过）")),
            ("mismatch", _("非本人（不通过）")),
            ("no_response", _("服务无应答（超时）")),
        ],
        "error": error_context(exc) if exc else None,
    }


@applicant_required
def upgrade(request: HttpRequest) -> HttpResponse:
    """提升认证等级: where the account stands, what the item needs, and the ways up."""
    return render(request, "portal/upgrade.html", _upgrade_context(request))


def _back_to_upgrade(request: HttpRequest) -> HttpResponseRedirect:
    url = reverse("portal:upgrade")
    query = []
    if request.POST.get("level"):
        query.append(f"level={int(request.POST['level'] or 0)}")
    next_url = safe_next(request, "")
    if next_url:
        from urllib.parse import urlencode

        query.append(urlencode({"next": next_url}))
    return HttpResponseRedirect(url + ("?" + "&".join(query) if query else ""))


@require_POST
@applicant_required
def upgrade_bank_card(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    phone = request.POST.get("reserved_phone", "").strip()
    try:
        check = identity.start_bank_card_check(
            user,
            card_number=request.POST.get("card_number", "")[:30],
            phone="" if "*" in phone else phone[:11],
        )
    except DomainError as exc:
        return render(
            request, "portal/upgrade.html", _upgrade_context(request, exc, "bank_card"), status=exc.status
        )
    _announce(request, check)
    return _back_to_upgrade(request)


@require_POST
@applicant_required
def upgrade_face(request: HttpRequest) -> HttpResponse:
    try:
        check = identity.start_face_check(
            current_user(request), sample=request.POST.get("sample", "match")[:40]
        )
    except DomainError as exc:
        return render(
            request, "portal/upgrade.html", _upgrade_context(request, exc, "face"), status=exc.status
        )
    _announce(request, check)
    return _back_to_upgrade(request)


@require_POST
@applicant_required
def upgrade_population(request: HttpRequest) -> HttpResponse:
    try:
        check = identity.retry_population_check(current_user(request))
    except DomainError as exc:
        return render(
            request, "portal/upgrade.html", _upgrade_context(request, exc, "population"), status=exc.status
        )
    _announce(request, check)
    return _back_to_upgrade(request)


def _announce(request: HttpRequest, check: IdentityCheck) -> None:
    if check.status == "passed":
        messages.success(request, _("%(kind)s通过，认证等级已更新。") % {"kind": check.get_kind_display()})
    elif check.is_pending:
        messages.info(
            request,
            _("%(kind)s已提交，正在等待核验结果，本页会自动刷新。") % {"kind": check.get_kind_display()},
        )
    else:
        messages.error(
            request,
            _("%(kind)s未通过：%(reason)s") % {"kind": check.get_kind_display(), "reason": check.reason},
        )


@applicant_required
def upgrade_checks(request: HttpRequest) -> HttpResponse:
    """htmx fragment: the check list, polled while a check is pending."""
    return render(request, "portal/_identity_checks.html", _upgrade_context(request))


# --- agents of legal persons ---------------------------------------------------------------------------
def _agent_controls(values: dict[str, str], exc: DomainError | None) -> list[dict[str, Any]]:
    return [
        field(
            "agent_name",
            _("代办人姓名"),
            required=True,
            value=values.get("agent_name", ""),
            autocomplete="off",
            errors=field_errors(exc, "agent_name"),
        ),
        field(
            "agent_id_number",
            _("代办人身份证号码"),
            required=True,
            value=values.get("agent_id_number", ""),
            autocomplete="off",
            errors=field_errors(exc, "agent_id_number"),
        ),
        field(
            "valid_until",
            _("授权有效期至"),
            type="date",
            required=True,
            value=values.get("valid_until", ""),
            errors=field_errors(exc, "valid_until"),
        ),
        field("all_items", _("授权办理全部事项"), type="checkbox", value=values.get("all_items", "")),
        field(
            "items",
            _("授权事项编号（不授权全部事项时填写，多个用空格分隔）"),
            type="textarea",
            rows=2,
            value=values.get("items", ""),
            errors=field_errors(exc, "items"),
            help=_("事项编号见办事指南页面地址 /items/<编号>/"),
        ),
    ]


def _agents_context(
    request: HttpRequest, values: dict[str, str] | None = None, exc: DomainError | None = None
) -> dict[str, Any]:
    user = current_user(request)
    companies = accounts.companies_managed_by(user)
    return {
        "companies": [
            {
                "company": company,
                "authorisations": list(
                    AgentAuthorisation.objects.filter(company=company)
                    .select_related("agent")
                    .prefetch_related("items")
                ),
            }
            for company in companies
        ],
        "acting_for": accounts.companies_for_agent(user),
        "controls": _agent_controls(values or {}, exc),
        "error": error_context(exc) if exc else None,
        "now": timezone.now(),
    }


@domain_errors
@applicant_required
def agents(request: HttpRequest) -> HttpResponse:
    """代办授权: the company (or its legal representative) authorises and revokes agents."""
    user = current_user(request)
    if request.method == "POST":
        values = {
            name: request.POST.get(name, "").strip()[:500]
            for name in ("agent_name", "agent_id_number", "valid_until", "all_items", "items", "company")
        }
        companies = accounts.companies_managed_by(user)
        company = next(
            (c for c in companies if c.credit_code == values["company"]), companies[0] if companies else None
        )
        try:
            if company is None:
                raise DomainError(
                    AccountErrorCode.NOT_LEGAL_REPRESENTATIVE, _("您不是任何企业的法定代表人"), status=403
                )
            try:
                day = datetime.strptime(values["valid_until"], "%Y-%m-%d").date()
            except ValueError as error:
                raise DomainError(
                    "validation_error", _("请填写授权有效期"), {"valid_until": [_("日期格式不正确")]}
                ) from error
            valid_until = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
            accounts.grant_agent_authorisation(
                user,
                company=company,
                agent_id_number=values["agent_id_number"],
                agent_name=values["agent_name"],
                valid_until=valid_until,
                all_items=bool(values["all_items"]),
                item_public_ids=values["items"].split(),
            )
        except DomainError as exc:
            return render(
                request, "portal/agents.html", _agents_context(request, values, exc), status=exc.status
            )
        messages.success(request, _("已授权代办人。"))
        return redirect("portal:agents")
    return render(request, "portal/agents.html", _agents_context(request))


@require_POST
@domain_errors
@applicant_required
def agent_revoke(request: HttpRequest, public_id: UUID) -> HttpResponse:
    authorisation = get_object_or_404(AgentAuthorisation, public_id=public_id)
    accounts.revoke_agent_authorisation(current_user(request), authorisation)
    messages.success(request, _("已撤销该代办授权。"))
    return redirect("portal:agents")


# --- SSO: in whose name to log into a department system -------------------------------------------------
@applicant_required
def sso_choose(request: HttpRequest) -> HttpResponse:
    """选择登录身份: oneself, or a company one represents or is authorised for."""
    next_url = safe_next(request, "")
    if not next_url.startswith("/o/authorize/"):
        return redirect("portal:home")
    from urllib.parse import parse_qs, urlparse

    client_id = parse_qs(urlparse(next_url).query).get("client_id", [""])[0]
    companies = accounts.companies_for_agent(current_user(request))
    if request.method == "POST":
        choice = request.POST.get("acting_as", "self")
        if choice != "self" and choice not in {c.credit_code for c in companies}:
            choice = "self"
        choices = request.session.get(SSO_CHOICE_SESSION_KEY, {})
        choices[client_id] = choice
        request.session[SSO_CHOICE_SESSION_KEY] = choices
        return HttpResponseRedirect(next_url)
    return render(request, "portal/sso_choose.html", {"companies": companies, "next": next_url})


# --- 法人注册: a verified natural person registers the company he legally represents ----------------
COMPANY_FIELDS: list[tuple[str, str, str]] = [
    ("name", gettext_noop("企业（单位）名称"), "text"),
    ("credit_code", gettext_noop("统一社会信用代码"), "text"),
    ("username", gettext_noop("企业账户用户名"), "text"),
    ("phone", gettext_noop("企业联系手机号"), "tel"),
    ("sms_code", gettext_noop("短信验证码"), "text"),
    ("password", gettext_noop("企业账户密码"), "password"),
    ("password2", gettext_noop("确认密码"), "password"),
]


def _company_context(
    values: dict[str, str], exc: DomainError | None = None, sms_sent: str = ""
) -> dict[str, Any]:
    fields = exc.fields if exc else {}
    return {
        "controls": [
            field(
                name,
                _(label),
                type=kind,
                value="" if kind == "password" else values.get(name, ""),
                errors=fields.get(name, []),
                required=True,
            )
            for name, label, kind in COMPANY_FIELDS
        ],
        "error": error_context(exc, {name: (f"id_{name}", _(label)) for name, label, _k in COMPANY_FIELDS})
        if exc
        else None,
        "sms_sent": sms_sent,
    }


@domain_errors
@applicant_required
def company_register(request: HttpRequest) -> HttpResponse:
    """法人注册: the logged-in legal representative (初级实名 or above) creates the company account."""
    user = current_user(request)
    values: dict[str, str] = {}
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip()[:128] for name, *_rest in COMPANY_FIELDS}
        try:
            if request.POST.get("send_sms"):
                accounts.send_verification_code(values["phone"], SmsPurpose.REGISTER)
                sent = _("验证码已发送至 %(phone)s，5 分钟内有效。") % {
                    "phone": values["phone"][:3] + "****" + values["phone"][-4:]
                }
                return render(
                    request, "portal/company_register.html", _company_context(values, sms_sent=sent)
                )
            if request.POST.get("password", "") != request.POST.get("password2", ""):
                raise DomainError(
                    "validation_error", _("两次输入的密码不一致"), {"password2": [_("两次输入的密码不一致")]}
                )
            company = accounts.register_company(
                user,
                username=values["username"],
                password=request.POST.get("password", ""),
                name=values["name"],
                credit_code=values["credit_code"],
                phone=values["phone"],
                sms_code=values["sms_code"],
            )
        except DomainError as exc:
            return render(
                request, "portal/company_register.html", _company_context(values, exc), status=exc.status
            )
        messages.success(
            request,
            _("企业账户 %(username)s 已注册，您是其法定代表人，可以在“企业代办授权”中授权代办人。")
            % {"username": company.username},
        )
        return redirect("portal:agents")
    return render(request, "portal/company_register.html", _company_context(values))
