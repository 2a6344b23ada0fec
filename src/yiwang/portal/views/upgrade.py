"""实名等级提升 Raising the assurance level: where the account stands, what an item needs, and the
identity checks (bank card, face, population base) that lead up.

Thin pages over :mod:`yiwang.accounts.identity`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts import identity
from yiwang.accounts import services as accounts
from yiwang.accounts.models import AccountKind, AssuranceLevel, IdentityCheck, mask_phone
from yiwang.core.errors import DomainError
from yiwang.portal.views.security import level_label
from yiwang.web.ui import (
    applicant_required,
    attempt,
    current_user,
    error_context,
    field,
    required_field,
    rerender,
    safe_next,
)


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
        "level_label": level_label(level),
        "required": required,
        "required_label": level_label(required) if required else "",
        "satisfied": level >= required,
        "is_natural": user.kind == AccountKind.NATURAL,
        "levels": [(value, str(label)) for value, label in AssuranceLevel.choices],
        "checks": checks,
        "any_pending": any(c.is_pending for c in checks),
        "next": safe_next(request, ""),
        "bank_controls": [
            required_field(
                "card_number",
                _("本人银行卡号"),
                bank_exc,
                inputmode="numeric",
                autocomplete="cc-number",
                help=_("演示环境：卡号以 0000 结尾模拟“信息不一致”，以 9999 结尾模拟“无应答超时”"),
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
        query.append(urlencode({"next": next_url}))
    return HttpResponseRedirect(url + ("?" + "&".join(query) if query else ""))


def _start_check(request: HttpRequest, start: Any, form: str) -> HttpResponseBase:
    """Start one identity check: announce how it went and go back to the upgrade page; a refusal
    shows the upgrade page with its message."""

    def announced(check: IdentityCheck) -> HttpResponseBase:
        _announce(request, check)
        return _back_to_upgrade(request)

    return attempt(
        request,
        start,
        done=announced,
        failed=rerender(request, "portal/upgrade.html", lambda exc: _upgrade_context(request, exc, form)),
    )


@require_POST
@applicant_required
def upgrade_bank_card(request: HttpRequest) -> HttpResponseBase:
    phone = request.POST.get("reserved_phone", "").strip()
    return _start_check(
        request,
        lambda: identity.start_bank_card_check(
            current_user(request),
            card_number=request.POST.get("card_number", "")[:30],
            phone="" if "*" in phone else phone[:11],
        ),
        "bank_card",
    )


@require_POST
@applicant_required
def upgrade_face(request: HttpRequest) -> HttpResponseBase:
    return _start_check(
        request,
        lambda: identity.start_face_check(
            current_user(request), sample=request.POST.get("sample", "match")[:40]
        ),
        "face",
    )


@require_POST
@applicant_required
def upgrade_population(request: HttpRequest) -> HttpResponseBase:
    return _start_check(request, lambda: identity.retry_population_check(current_user(request)), "population")


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
