"""Companies and agents in my account: 法人注册 (a legal representative registers his company),
代办授权 (the company authorises and revokes agents) and the SSO choice of in whose name to log into a
department system.

Thin pages over :mod:`yiwang.accounts.services`; the agent form is validated by the API's
:class:`~yiwang.accounts.api.AgentIn`.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from yiwang.accounts import services as accounts
from yiwang.accounts.api import AgentIn
from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import AgentAuthorisation, LegalPerson, SmsPurpose, User
from yiwang.accounts.oidc import SSO_CHOICE_SESSION_KEY
from yiwang.core.errors import DomainError
from yiwang.portal.forms import form_wording, passwords_match, sms_sent_text
from yiwang.web.forms import validate_form
from yiwang.web.ui import (
    applicant_required,
    attempt,
    current_user,
    domain_errors,
    error_context,
    field,
    field_errors,
    required_field,
    rerender,
    safe_next,
)


# --- agents of legal persons ---------------------------------------------------------------------------
def _agent_controls(values: dict[str, str], exc: DomainError | None) -> list[dict[str, Any]]:
    return [
        required_field(
            "agent_name", _("代办人姓名"), exc, value=values.get("agent_name", ""), autocomplete="off"
        ),
        required_field(
            "agent_id_number",
            _("代办人身份证号码"),
            exc,
            value=values.get("agent_id_number", ""),
            autocomplete="off",
        ),
        required_field(
            "valid_until", _("授权有效期至"), exc, type="date", value=values.get("valid_until", "")
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


def _grant(user: User, company: LegalPerson | None, values: dict[str, str]) -> AgentAuthorisation:
    """The agent form, validated by the API's AgentIn, as a grant; the authorisation runs to the end
    of the chosen day."""
    if company is None:
        raise DomainError(
            AccountErrorCode.NOT_LEGAL_REPRESENTATIVE, _("您不是任何企业的法定代表人"), status=403
        )
    form = validate_form(
        AgentIn,
        {
            **{
                name: values[name]
                for name in ("agent_name", "agent_id_number", "valid_until")
                if values[name]
            },
            "all_items": bool(values["all_items"]),
            "items": values["items"].split(),
        },
        message=_("请检查填写的内容"),
        field_messages={"valid_until": _("日期格式不正确"), "items": _("事项编号不正确")},
        type_messages=form_wording(),
    )
    valid_until = timezone.make_aware(datetime.combine(form.valid_until.date() + timedelta(days=1), time.min))
    return accounts.grant_agent_authorisation(
        user,
        company=company,
        agent_id_number=form.agent_id_number,
        agent_name=form.agent_name,
        valid_until=valid_until,
        all_items=form.all_items,
        item_public_ids=form.items,
    )


@domain_errors
@applicant_required
def agents(request: HttpRequest) -> HttpResponseBase:
    """代办授权: the company (or its legal representative) authorises and revokes agents."""
    user = current_user(request)
    if request.method != "POST":
        return render(request, "portal/agents.html", _agents_context(request))
    values = {
        name: request.POST.get(name, "").strip()[:500]
        for name in ("agent_name", "agent_id_number", "valid_until", "all_items", "items", "company")
    }
    companies = accounts.companies_managed_by(user)
    company = next(
        (c for c in companies if c.credit_code == values["company"]), companies[0] if companies else None
    )
    return attempt(
        request,
        lambda: _grant(user, company, values),
        success=_("已授权代办人。"),
        done="portal:agents",
        failed=rerender(request, "portal/agents.html", lambda exc: _agents_context(request, values, exc)),
    )


@require_POST
@domain_errors
@applicant_required
def agent_revoke(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
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


def _company_page(
    request: HttpRequest, values: dict[str, str], exc: DomainError | None = None, sms_sent: str = ""
) -> HttpResponse:
    fields = exc.fields if exc else {}
    context = {
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
    return render(request, "portal/company_register.html", context, status=exc.status if exc else 200)


@domain_errors
@applicant_required
def company_register(request: HttpRequest) -> HttpResponseBase:
    """法人注册: the logged-in legal representative (初级实名 or above) creates the company account."""
    user = current_user(request)
    if request.method != "POST":
        return _company_page(request, {})
    values = {name: request.POST.get(name, "").strip()[:128] for name, *_rest in COMPANY_FIELDS}

    def failed(exc: DomainError) -> HttpResponse:
        return _company_page(request, values, exc)

    if request.POST.get("send_sms"):
        return attempt(
            request,
            lambda: accounts.send_verification_code(values["phone"], SmsPurpose.REGISTER),
            done=lambda _sent: _company_page(request, values, sms_sent=sms_sent_text(values["phone"])),
            failed=failed,
        )

    def register() -> User:
        passwords_match(request.POST)
        return accounts.register_company(
            user,
            username=values["username"],
            password=request.POST.get("password", ""),
            name=values["name"],
            credit_code=values["credit_code"],
            phone=values["phone"],
            sms_code=values["sms_code"],
        )

    return attempt(
        request,
        register,
        success=lambda company: (
            _("企业账户 %(username)s 已注册，您是其法定代表人，可以在“企业代办授权”中授权代办人。")
            % {"username": company.username}
        ),
        done="portal:agents",
        failed=failed,
    )
