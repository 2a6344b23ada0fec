"""Public pages without login: case status lookup (办件查询) and the demo SMS outbox."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from yiwang.accounts.models import SmsOutboxMessage
from yiwang.cases.services import case_queryset_for_events, status_lookup
from yiwang.core.errors import CoreErrorCode, DomainError
from yiwang.core.middleware import client_ip
from yiwang.web.ui import error_context, field, field_errors

# A lookup needs the case number and the last 4 characters of the applicant's ID number; failed
# attempts are counted per client and per number so the 4 characters cannot be guessed by brute force.
LOOKUP_MAX_FAILURES = 10
LOOKUP_WINDOW_SECONDS = 3600


def _failure_keys(request: HttpRequest, number: str) -> list[str]:
    ip = client_ip(request) or "unknown"
    digest = hashlib.sha256(number.encode()).hexdigest()[:16]
    return [f"yiwang:status-lookup:ip:{ip}", f"yiwang:status-lookup:number:{digest}"]


def _too_many_failures(keys: list[str]) -> bool:
    return any((cache.get(key) or 0) >= LOOKUP_MAX_FAILURES for key in keys)


def _count_failure(keys: list[str]) -> None:
    for key in keys:
        if cache.add(key, 1, LOOKUP_WINDOW_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, LOOKUP_WINDOW_SECONDS)


def status_lookup_view(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("number", "").strip()[:50]
    id_tail = request.GET.get("id_tail", "").strip()[:4]
    exc: DomainError | None = None
    case = None
    events: list[Any] = []
    status = 200
    if "number" in request.GET or "id_tail" in request.GET:
        keys = _failure_keys(request, number)
        try:
            missing = {}
            if not number:
                missing["number"] = [_("请填写办件编号")]
            if len(id_tail) != 4:
                missing["id_tail"] = [_("请填写证件号码后 4 位")]
            if missing:
                raise DomainError(
                    CoreErrorCode.VALIDATION_ERROR, _("请填写办件编号和证件号码后 4 位"), missing
                )
            if _too_many_failures(keys):
                raise DomainError(
                    CoreErrorCode.RATE_LIMITED,
                    _("查询失败次数过多，请一小时后再试或拨打 12345 咨询"),
                    status=429,
                )
            case = status_lookup(number, id_tail)
            events = list(case_queryset_for_events(case))
        except DomainError as error:
            exc, status = error, error.status
            if error.status == 404:
                _count_failure(keys)
    labels = {"number": ("id_number", _("办件编号")), "id_tail": ("id_id_tail", _("证件号码后 4 位"))}
    return render(
        request,
        "portal/status_lookup.html",
        {
            "number_control": field(
                "number",
                _("办件编号"),
                value=number,
                required=True,
                errors=field_errors(exc, "number"),
                help=_("办件编号见受理短信或申请成功页面"),
                autocomplete="off",
            ),
            "id_tail_control": field(
                "id_tail",
                _("证件号码后 4 位"),
                value=id_tail,
                required=True,
                errors=field_errors(exc, "id_tail"),
                maxlength=4,
                autocomplete="off",
            ),
            "case": case,
            "events": events,
            "error": error_context(exc, labels) if exc else None,
        },
        status=status,
    )


def dev_sms(request: HttpRequest) -> HttpResponse:
    """演示短信发件箱: what the outbox SMS backend "sent" (demo only, 404 otherwise)."""
    if not getattr(settings, "YIWANG_DEMO", False):
        raise Http404
    outbox = list(SmsOutboxMessage.objects.order_by("-created_at")[:50])
    return render(request, "portal/dev_sms.html", {"outbox": outbox})
