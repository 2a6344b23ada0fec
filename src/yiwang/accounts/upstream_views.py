"""Pages of the upstream log-in (上级统一身份认证): start, callback, log-out with RP-initiated logout."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yiwang.accounts import upstream
from yiwang.accounts.refusals import record_refusal
from yiwang.accounts.services.federation import sign_in_federated
from yiwang.core.errors import DomainError
from yiwang.web.ui import render_error, safe_next


def _configured() -> None:
    if not upstream.configured():
        raise Http404("upstream identity provider not configured")


def _refusal_page(request: HttpRequest, exc: DomainError, *, audited: bool = False) -> HttpResponse:
    reason = (exc.fields or {}).get("reason", [""])
    if audited:
        return render_error(request, exc, title=_("无法通过%(name)s登录") % {"name": upstream.display_name()})
    record_refusal(
        "federation.login_refused",
        object_type="accounts.upstream",
        object_id=upstream.issuer()[:100],
        detail={"code": str(exc.code), "reason": str(reason[0] if reason else "")[:60]},
    )
    return render_error(request, exc, title=_("无法通过%(name)s登录") % {"name": upstream.display_name()})


@require_GET
def upstream_login(request: HttpRequest) -> HttpResponse:
    """To the province's authorization endpoint (code + PKCE, state and nonce in the session)."""
    _configured()
    try:
        url = upstream.begin(request, safe_next(request, ""))
    except DomainError as exc:
        return _refusal_page(request, exc)
    return HttpResponseRedirect(url)


@require_GET
def upstream_callback(request: HttpRequest) -> HttpResponse:
    """Back from the province: verify everything, then log in as the linked local account."""
    _configured()
    next_url = upstream.pending_next(request)
    try:
        result = upstream.complete(request)
    except DomainError as exc:
        return _refusal_page(request, exc)
    try:
        user = sign_in_federated(result.issuer, result.claims)
    except DomainError as exc:  # audited by the service
        return _refusal_page(request, exc, audited=True)
    if request.user.is_authenticated:
        logout(request)  # one person per session: whoever was logged in here before is signed out
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    request.session[upstream.ID_TOKEN_SESSION_KEY] = result.id_token
    return HttpResponseRedirect(next_url or reverse("portal:my_cases"))


@require_POST
def upstream_logout(request: HttpRequest) -> HttpResponse:
    """Log out here, then offer to end the session at the province too (RP-initiated logout)."""
    id_token = request.session.get(upstream.ID_TOKEN_SESSION_KEY, "")
    logout(request)
    messages.info(request, _("您已安全退出。"))
    end_session = ""
    if upstream.configured() and id_token:
        end_session = upstream.logout_url(
            request, id_token, request.build_absolute_uri(reverse("portal:home"))
        )
    return render(
        request,
        "accounts/upstream_logged_out.html",
        {"end_session_url": end_session, "upstream_name": upstream.display_name()},
    )
