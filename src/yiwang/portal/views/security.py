"""My account security (账户安全): the security page with the login history, password and phone
change, and account recovery through the verified phone (找回账户).

Thin pages over :mod:`yiwang.accounts.services`; the assurance-level upgrade is in
:mod:`yiwang.portal.views.upgrade`, companies and agents in :mod:`yiwang.portal.views.companies`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts import services as accounts
from yiwang.accounts.api import RecoverIn
from yiwang.accounts.models import AssuranceLevel, mask_phone
from yiwang.accounts.passwords import password_hint
from yiwang.core.errors import DomainError
from yiwang.portal.forms import form_wording
from yiwang.web.forms import parse_form
from yiwang.web.ui import applicant_required, attempt, current_user, error_context, required_field, rerender


def level_label(level: int) -> str:
    return str(AssuranceLevel(level).label)


def sms_code_field(exc: DomainError | None, **extra: Any) -> dict[str, Any]:
    """The 短信验证码 control of a form that sends a code first."""
    return required_field(
        "sms_code", _("短信验证码"), exc, autocomplete="one-time-code", inputmode="numeric", **extra
    )


def new_password_field(exc: DomainError | None) -> dict[str, Any]:
    """The 新密码 control; its hint is the enforced password policy, its messages the ``password`` ones."""
    return required_field(
        "new_password",
        _("新密码"),
        exc,
        error_key=("password", "new_password"),
        type="password",
        autocomplete="new-password",
        help=password_hint(),
    )


# --- security page ---------------------------------------------------------------------------------
def _security_context(request: HttpRequest, exc: DomainError | None = None, form: str = "") -> dict[str, Any]:
    user = current_user(request)
    password_exc = exc if form == "password" else None
    phone_exc = exc if form == "phone" else None
    level = accounts.effective_assurance_level(user)
    return {
        "level": level,
        "level_label": level_label(level),
        "masked_phone": mask_phone(user.phone),
        "history": accounts.login_history(user, 20),
        "password_controls": [
            required_field(
                "old_password", _("原密码"), password_exc, type="password", autocomplete="current-password"
            ),
            new_password_field(password_exc),
        ],
        "phone_controls": [
            required_field(
                "new_phone",
                _("新手机号码"),
                phone_exc,
                type="tel",
                autocomplete="tel",
                error_key=("new_phone", "phone"),
                value=request.POST.get("new_phone", "") if form == "phone" else "",
            ),
            sms_code_field(phone_exc, field_id="id_phone_sms_code"),
            required_field(
                "password",
                _("登录密码"),
                phone_exc,
                type="password",
                autocomplete="current-password",
                field_id="id_phone_password",
            ),
        ],
        "password_error": error_context(password_exc) if password_exc else None,
        "phone_error": error_context(phone_exc) if phone_exc else None,
        "session_minutes": request.session.get_expiry_age() // 60,
    }


def _security_again(request: HttpRequest, form: str) -> Any:
    """The security page again with the refusal of its ``form`` (password or phone)."""
    return rerender(request, "portal/security.html", lambda exc: _security_context(request, exc, form))


@applicant_required
def security(request: HttpRequest) -> HttpResponse:
    """账户安全: level, login history, password and phone."""
    return render(request, "portal/security.html", _security_context(request))


@require_POST
@applicant_required
def change_password(request: HttpRequest) -> HttpResponseBase:
    user = current_user(request)

    def change() -> None:
        accounts.change_password(
            user,
            old_password=request.POST.get("old_password", ""),
            new_password=request.POST.get("new_password", ""),
        )
        update_session_auth_hash(request, user)

    return attempt(
        request,
        change,
        success=_("密码已修改。"),
        done="portal:security",
        failed=_security_again(request, "password"),
    )


@require_POST
@applicant_required
def change_phone_sms(request: HttpRequest) -> HttpResponseBase:
    def send() -> None:
        accounts.send_phone_change_code(current_user(request), request.POST.get("new_phone", "").strip()[:20])
        messages.info(request, _("验证码已发送至新手机号，5 分钟内有效。"))

    return attempt(
        request,
        send,
        done=lambda _sent: render(request, "portal/security.html", _security_context(request, None, "phone")),
        failed=_security_again(request, "phone"),
    )


@require_POST
@applicant_required
def change_phone(request: HttpRequest) -> HttpResponseBase:
    return attempt(
        request,
        lambda: accounts.change_phone(
            current_user(request),
            password=request.POST.get("password", ""),
            new_phone=request.POST.get("new_phone", "").strip()[:20],
            sms_code=request.POST.get("sms_code", "").strip()[:8],
        ),
        success=_("手机号已更换。"),
        done="portal:security",
        failed=_security_again(request, "phone"),
    )


# --- account recovery ------------------------------------------------------------------------------
def _recover_page(
    request: HttpRequest, phone: str, exc: DomainError | None = None, sent: str = ""
) -> HttpResponse:
    controls = [
        required_field("phone", _("注册手机号码"), exc, type="tel", autocomplete="tel", value=phone),
        sms_code_field(exc),
        new_password_field(exc),
    ]
    return render(
        request,
        "portal/recover.html",
        {"controls": controls, "error": error_context(exc) if exc else None, "sms_sent": sent},
        status=exc.status if exc else 200,
    )


def recover(request: HttpRequest) -> HttpResponseBase:
    """找回账户 through the verified phone: SMS code → new password (the lockout is lifted)."""
    phone = request.POST.get("phone", "").strip()[:20]
    if request.method != "POST":
        return _recover_page(request, phone)

    def failed(exc: DomainError) -> HttpResponse:
        return _recover_page(request, phone, exc)

    if request.POST.get("action") == "sms":
        return attempt(
            request,
            lambda: accounts.send_recovery_code(phone),
            done=lambda _sent: _recover_page(
                request, phone, sent=_("如该手机号已绑定账户，验证码已发送，5 分钟内有效。")
            ),
            failed=failed,
        )

    def reset() -> Any:
        form = parse_form(
            RecoverIn,
            request.POST,
            extra={"phone": phone, "sms_code": request.POST.get("sms_code", "").strip()[:8]},
            type_messages=form_wording(),
        )
        return accounts.recover_account(
            phone=form.phone, sms_code=form.sms_code, new_password=form.new_password
        )

    return attempt(
        request,
        reset,
        success=lambda user: (
            _("密码已重置，您的用户名是 %(username)s，请重新登录。") % {"username": user.username}
        ),
        done="portal:login",
        failed=failed,
    )
