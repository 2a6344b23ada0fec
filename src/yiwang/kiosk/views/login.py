"""The kiosk's home, log-in by ID card (through the local reader bridge) or by QR code, log-out,
and the display mode (长辈模式 by default)."""

from __future__ import annotations

import json
from typing import Any

import segno
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yiwang.core.errors import DomainError
from yiwang.kiosk import session
from yiwang.kiosk.errors import KioskErrorCode
from yiwang.kiosk.services import card as card_service
from yiwang.kiosk.services import qr as qr_service
from yiwang.kiosk.services.devices import device_for_token
from yiwang.kiosk.views.base import (
    DEVICE_COOKIE,
    DEVICE_COOKIE_AGE,
    STANDARD_COOKIE,
    current_kiosk,
    kiosk_page,
    render_kiosk,
    unregistered,
)
from yiwang.web.ui import applicant_required, domain_errors

QR_SESSION_KEY = "kiosk_qr"
MAX_CARD_BODY = 4096


def home(request: HttpRequest) -> HttpResponseBase:
    """首页 Big tiles.  ``?device=<token>`` (the kiosk URL) binds this browser to its kiosk."""
    token = request.GET.get("device", "")
    if token:
        try:
            device_for_token(token)
        except DomainError as exc:
            return unregistered(request, exc)
        response = redirect("kiosk:home")
        response.set_cookie(
            DEVICE_COOKIE,
            token,
            max_age=DEVICE_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
        return response
    return _home(request)


@kiosk_page()
def _home(request: HttpRequest) -> HttpResponse:
    kiosk = current_kiosk(request)
    return render_kiosk(
        request,
        "kiosk/home.html",
        {
            "hall": kiosk.device.hall,
            "expired": request.GET.get("expired") == "1",
            "login_hint": request.GET.get("login") == "1",
        },
    )


@require_POST
@kiosk_page()
def logout(request: HttpRequest) -> HttpResponse:
    """退出 Log out and clear the session (also what the idle countdown calls)."""
    session.end(request)
    return redirect("kiosk:home")


@require_POST
@kiosk_page()
def mode(request: HttpRequest) -> HttpResponse:
    """长辈模式 on (default) or off for this kiosk's browser."""
    target = request.POST.get("next", "")
    response = redirect(target if _local(target) else "kiosk:home")
    if request.POST.get("elderly") == "0":
        response.set_cookie(STANDARD_COOKIE, "1", max_age=DEVICE_COOKIE_AGE, samesite="Lax")
    else:
        response.delete_cookie(STANDARD_COOKIE)
    return response


def _local(url: str) -> bool:
    return url.startswith("/kiosk/") and "//" not in url and "\\" not in url


# --- ID card -----------------------------------------------------------------------------------------
@kiosk_page()
def card_login(request: HttpRequest) -> HttpResponse:
    """GET: the page that waits for the card (its script polls the reader bridge).  POST (JSON
    ``{"card": {...}, "signature": "..."}``): verify the signed read and open the kiosk session."""
    kiosk = current_kiosk(request)
    if request.method != "POST":
        return render_kiosk(request, "kiosk/card.html", {"device_id": str(kiosk.device.public_id)})
    try:
        if len(request.body) > MAX_CARD_BODY:
            raise DomainError(KioskErrorCode.CARD_INVALID, "读卡数据过大", {"card": ["过大"]})
        try:
            body: Any = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError) as exc:
            raise DomainError(KioskErrorCode.CARD_INVALID, "读卡数据格式错误", {"card": ["非 JSON"]}) from exc
        if not isinstance(body, dict):
            raise DomainError(KioskErrorCode.CARD_INVALID, "读卡数据格式错误", {"card": ["非对象"]})
        read = card_service.verify_card(kiosk.device, body.get("card"), body.get("signature"))
    except DomainError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    session.start(
        request,
        kiosk.device,
        via="card",
        user=read.user,
        card_name=read.name,
        card_id_number=read.id_number,
    )
    return JsonResponse({"ok": True, "known": read.user is not None, "next": reverse("kiosk:home")})


# --- QR code ------------------------------------------------------------------------------------------
@require_GET
@kiosk_page()
def qr_login(request: HttpRequest) -> HttpResponse:
    """扫码登录: a fresh one-time request shown as a QR code; the page polls its status."""
    kiosk = current_kiosk(request)
    login_request, token = qr_service.create_request(kiosk.device)
    request.session[QR_SESSION_KEY] = str(login_request.public_id)
    url = request.build_absolute_uri(reverse("kiosk:qr_confirm", args=[token]))
    return render_kiosk(
        request,
        "kiosk/qr.html",
        {
            "qr": segno.make(url, error="m").svg_inline(scale=6, title=_("扫码登录二维码")),
            "expires_at": login_request.expires_at,
        },
    )


@require_GET
@kiosk_page()
def qr_status(request: HttpRequest) -> HttpResponse:
    """The kiosk's poll (htmx, every 2 s): logs in once the citizen confirmed."""
    kiosk = current_kiosk(request)
    state, user = qr_service.consume(str(request.session.get(QR_SESSION_KEY, "")), kiosk.device)
    if state == "confirmed" and user is not None:
        session.start(request, kiosk.device, via="qr", user=user)
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("kiosk:home")
        return response
    return render_kiosk(request, "kiosk/_qr_status.html", {"state": state})


@domain_errors
@applicant_required
def qr_confirm(request: HttpRequest, token: str) -> HttpResponseBase:
    """On the citizen's phone: confirm logging in at the kiosk (one-time, two minutes)."""
    if request.method == "POST":
        login_request = qr_service.confirm(token, request.user)  # type: ignore[arg-type]
        return render(request, "kiosk/qr_confirmed.html", {"device": login_request.device})
    login_request = qr_service.pending_request(token)
    return render(request, "kiosk/qr_confirm.html", {"device": login_request.device, "token": token})
