"""Login, logout, registration with an SMS code, and the elderly-mode (长辈版) switch."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from yiwang.accounts import upstream, upstream_views
from yiwang.accounts.api import RegisterIn
from yiwang.accounts.models import SmsPurpose
from yiwang.accounts.passwords import password_hint
from yiwang.accounts.services import login_check, register_natural_person, send_verification_code
from yiwang.core.errors import DomainError
from yiwang.portal.forms import form_wording, passwords_match, sms_sent_text
from yiwang.web.forms import validate_form
from yiwang.web.ui import (
    attempt,
    error_context,
    field,
    field_errors,
    is_staff_user,
    required_field,
    safe_next,
)

ELDERLY_COOKIE = "elderly"
ELDERLY_COOKIE_AGE = 365 * 24 * 3600

REGISTER_FIELDS: tuple[tuple[str, Any, str, str, Any], ...] = (
    # name, label, input type, autocomplete, help
    ("username", gettext_lazy("用户名"), "text", "username", gettext_lazy("3–50 位字母、数字或 _ . @ -")),
    ("real_name", gettext_lazy("真实姓名"), "text", "name", ""),
    ("id_number", gettext_lazy("居民身份证号码"), "text", "off", gettext_lazy("18 位，末位可为 X")),
    ("phone", gettext_lazy("手机号码"), "tel", "tel", gettext_lazy("用于接收验证码和办件通知")),
    ("sms_code", gettext_lazy("短信验证码"), "text", "one-time-code", ""),
    (
        "password",
        gettext_lazy("登录密码"),
        "password",
        "new-password",
        "",  # password_hint(): from the validators and the security policy
    ),
    ("password2", gettext_lazy("确认密码"), "password", "new-password", ""),
)


def _login_controls(username: str, exc: DomainError | None) -> list[dict[str, Any]]:
    return [
        required_field("username", _("用户名"), exc, value=username, autocomplete="username"),
        required_field("password", _("密码"), exc, type="password", autocomplete="current-password"),
    ]


def login_view(request: HttpRequest) -> HttpResponse:
    """门户登录. Staff accounts are sent on to the workbench."""
    if request.user.is_authenticated and request.method == "GET":
        return redirect("workbench:todo" if is_staff_user(request.user) else "portal:my_cases")
    exc: DomainError | None = None
    username = ""
    status = 200
    if request.method == "POST":
        username = request.POST.get("username", "").strip()[:150]
        password = request.POST.get("password", "")
        try:
            user = login_check(request, username, password)
        except DomainError as error:
            exc, status = error, error.status
        else:
            login(request, user)
            if is_staff_user(user):
                return redirect("workbench:todo")
            return HttpResponseRedirect(safe_next(request, reverse("portal:my_cases")))
    return render(
        request,
        "portal/login.html",
        {
            "controls": _login_controls(username, exc),
            "error": error_context(exc) if exc else None,
            "next": safe_next(request, ""),
        },
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.session.get(upstream.ID_TOKEN_SESSION_KEY):
        # Logged in through the province: log out here and offer to end the province's session too.
        return upstream_views.upstream_logout(request)
    staff = is_staff_user(request.user)
    logout(request)
    messages.info(request, _("您已安全退出。"))
    return redirect("workbench:login" if staff else "portal:home")


def _register_controls(values: dict[str, str], exc: DomainError | None) -> list[dict[str, Any]]:
    controls = []
    for name, label, kind, autocomplete, help_text in REGISTER_FIELDS:
        controls.append(
            field(
                name,
                str(label),
                type=kind,
                value="" if kind == "password" else values.get(name, ""),
                errors=field_errors(exc, name),
                required=True,
                # The password rule comes from the enforced policy (it may be stricter than 8 characters).
                help=password_hint() if name == "password" else str(help_text),
                autocomplete=autocomplete,
                inputmode="numeric" if name == "sms_code" else "",
            )
        )
    return controls


def _register_labels() -> dict[str, tuple[str, str]]:
    return {name: (f"id_{name}", str(label)) for name, label, *_rest in REGISTER_FIELDS}


def _render_register(
    request: HttpRequest,
    values: dict[str, str],
    exc: DomainError | None,
    status: int = 200,
    sms_sent: str = "",
) -> HttpResponse:
    return render(
        request,
        "portal/register.html",
        {
            "controls": {c["name"]: c for c in _register_controls(values, exc)},
            "error": error_context(exc, _register_labels()) if exc else None,
            "sms_sent": sms_sent,
        },
        status=status,
    )


def _register_values(request: HttpRequest) -> dict[str, str]:
    return {name: request.POST.get(name, "").strip()[:128] for name, *_rest in REGISTER_FIELDS}


def register(request: HttpRequest) -> HttpResponseBase:
    """注册 Natural-person self-registration: SMS-verified phone + ID number → 初级实名.  The form is
    validated by the API's RegisterIn."""
    if request.user.is_authenticated and request.method == "GET":
        return redirect("portal:my_cases")
    if request.method != "POST":
        return _render_register(request, {}, None)
    values = _register_values(request)

    def sign_up() -> None:
        passwords_match(request.POST)
        given = {name: value for name, value in values.items() if value and name != "password2"}
        if request.POST.get("password"):
            given["password"] = request.POST["password"]  # as typed, never stripped
        form = validate_form(RegisterIn, given, type_messages=form_wording())
        user = register_natural_person(**form.model_dump())
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])

    return attempt(
        request,
        sign_up,
        success=_("注册成功，您已达到初级实名认证等级，可以在线办理事项。"),
        done="portal:my_cases",
        failed=lambda exc: _render_register(request, values, exc, exc.status),
    )


@require_POST
def register_sms(request: HttpRequest) -> HttpResponse:
    """获取验证码: htmx answers a status line; without JavaScript the form comes back filled in."""
    phone = request.POST.get("phone", "").strip()[:20]
    is_htmx = bool(request.headers.get("HX-Request"))
    try:
        send_verification_code(phone, SmsPurpose.REGISTER)
    except DomainError as exc:
        if is_htmx:
            return render(request, "portal/_sms_status.html", {"error": exc.message}, status=exc.status)
        return _render_register(request, _register_values(request), exc, exc.status)
    sent = sms_sent_text(phone)
    if is_htmx:
        return render(request, "portal/_sms_status.html", {"sent": sent})
    return _render_register(request, _register_values(request), None, sms_sent=sent)


@require_GET
def elderly_mode(request: HttpRequest) -> HttpResponse:
    """长辈版 switch: sets the ``elderly`` cookie that the context processor reads, then goes back."""
    on = request.GET.get("on", "1") == "1"
    response = HttpResponseRedirect(safe_next(request, reverse("portal:home")))
    response.set_cookie(
        ELDERLY_COOKIE,
        "1" if on else "0",
        max_age=ELDERLY_COOKIE_AGE,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure(),
    )
    return response
