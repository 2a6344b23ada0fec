"""E-licence pages: the holder's wallet (卡包), public verification (核验) and shared links (亮证),
and the staff look-up for use (一证通办)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import segno
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation
from yiwang.licences import personal_data as personal
from yiwang.licences import remote_lookup, services
from yiwang.licences.actions import allowed_actions
from yiwang.licences.errors import LicenceErrorCode
from yiwang.licences.identifiers import IdentifierError, parse_identifier
from yiwang.licences.models import (
    Licence,
    LicenceShare,
    LicenceStatus,
    LicenceType,
    LicenceUseConsent,
    LicenceUseRecord,
)
from yiwang.licences.representation import licence_for_viewer, represented_licences
from yiwang.web.ui import applicant_required, current_user, domain_errors, staff_required

MAX_PDF_BYTES = 20 * 1024 * 1024
BADGES = {
    LicenceStatus.VALID: "completed",
    LicenceStatus.SUSPENDED: "correction_required",
    LicenceStatus.REVOKED: "refused",
    LicenceStatus.EXPIRED: "refused",
    LicenceStatus.SUPERSEDED: "withdrawn",
}
EXPIRY_CHOICES = [("1h", gettext_noop("1 小时")), ("1d", gettext_noop("1 天")), ("7d", gettext_noop("7 天"))]


def _decorate(licence: Licence) -> Licence:
    status = services.effective_status(licence)
    licence.effective_status = status  # type: ignore[attr-defined]
    licence.effective_label = services.status_label(status)  # type: ignore[attr-defined]
    licence.badge = BADGES[LicenceStatus(status)]  # type: ignore[attr-defined]
    return licence


def _rows(licence: Licence) -> list[tuple[str, Any]]:
    labels = {f["name"]: f["label"] for f in licence.licence_type.fields}
    order = licence.licence_type.template.get("fields") or list(labels)
    return [(labels[name], licence.data[name]) for name in order if name in licence.data and name in labels]


def _qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=4, title=_("分享链接二维码"))


# --- wallet --------------------------------------------------------------------------------------
@domain_errors
@applicant_required
def wallet(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    licences = [_decorate(licence) for licence in services.wallet(user)[:200]]
    uses = list(
        LicenceUseRecord.objects.filter(licence__in=[licence.pk for licence in licences]).select_related(
            "organisation", "licence__licence_type", "case"
        )[:50]
    )
    represented = represented_licences(user)  # companies he acts for (法定代表人, 代办人)
    for entry in represented:
        entry.licences = [_decorate(licence) for licence in entry.licences]
    return render(
        request, "licences/wallet.html", {"licences": licences, "uses": uses, "represented": represented}
    )


def _detail_context(request: HttpRequest, licence: Licence, **extra: Any) -> dict[str, Any]:
    user = current_user(request)
    return {
        "licence": _decorate(licence),
        "actions": allowed_actions(user, licence),
        "rows": _rows(licence),
        "shares": list(licence.shares.all()[:20]),
        "uses": list(licence.uses.select_related("organisation", "case")[:50]),
        "consents": list(
            LicenceUseConsent.objects.filter(holder_user=user)
            .filter(licence=licence)
            .select_related("organisation")[:50]
        )
        + list(
            LicenceUseConsent.objects.filter(
                holder_user=user, licence_type=licence.licence_type
            ).select_related("organisation")[:50]
        ),
        "organisations": Organisation.objects.filter(is_active=True).order_by("name")[:500],
        "expiry_choices": [(value, _(label)) for value, label in EXPIRY_CHOICES],
        "verify_url": services.verify_url(licence.identifier),
        "today": date.today().isoformat(),
        **extra,
    }


@domain_errors
@applicant_required
def detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The holder's licence, or (read only) a company's for its legal representative or agent."""
    licence, company = licence_for_viewer(current_user(request), public_id)
    return render(request, "licences/detail.html", _detail_context(request, licence, representing=company))


@domain_errors
@applicant_required
def document(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = current_user(request)
    licence, _company = licence_for_viewer(user, public_id)
    services.record_download(licence, user)
    inline = request.GET.get("inline") == "1"
    response = HttpResponse(services.document_bytes(licence), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="licence-{licence.serial}-{licence.version:03d}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@domain_errors
@applicant_required
def print_copy(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """纸质等效件 A print view of the licence (the stamped PDF is the authoritative copy)."""
    licence, _company = licence_for_viewer(current_user(request), public_id)
    return render(
        request,
        "licences/print.html",
        {
            "licence": _decorate(licence),
            "rows": _rows(licence),
            "qr": segno.make(services.verify_url(licence.identifier)).svg_inline(scale=3),
        },
    )


@require_POST
@domain_errors
@applicant_required
def share_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = current_user(request)
    licence = services.licence_for_holder(user, public_id)
    try:
        share, token = services.create_share(licence, user=user, expiry=request.POST.get("expiry", ""))
    except DomainError as exc:
        return render(
            request,
            "licences/detail.html",
            _detail_context(request, licence, error=exc.message),
            status=exc.status,
        )
    url = services.share_url(token)
    return render(
        request,
        "licences/detail.html",
        _detail_context(request, licence, new_share=share, share_url=url, share_qr=_qr_svg(url)),
        status=201,
    )


@require_POST
@domain_errors
@applicant_required
def share_revoke(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = current_user(request)
    share = (
        LicenceShare.objects.select_related("licence").filter(public_id=public_id, created_by=user).first()
    )
    if share is None:
        raise Http404
    services.revoke_share(share, user=user)
    messages.success(request, _("分享链接已撤销。"))
    return redirect("licences:detail", public_id=share.licence.public_id)


@require_POST
@domain_errors
@applicant_required
def consent_grant(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = current_user(request)
    licence = services.licence_for_holder(user, public_id)
    organisation_id = request.POST.get("organisation", "")
    organisation = (
        Organisation.objects.filter(public_id=organisation_id).first() if _is_uuid(organisation_id) else None
    )
    try:
        if organisation is None:
            raise DomainError(
                LicenceErrorCode.INVALID_CONSENT, _("请选择被授权的部门"), {"organisation": [_("必选")]}
            )
        try:
            until = date.fromisoformat(request.POST.get("valid_until", ""))
        except ValueError as exc:
            raise DomainError(
                LicenceErrorCode.INVALID_CONSENT,
                _("请填写授权截止日期"),
                {"valid_until": [_("日期格式不正确")]},
            ) from exc
        scope = request.POST.get("scope", "licence")
        services.grant_consent(
            user,
            organisation=organisation,
            valid_until=until,
            licence=licence if scope == "licence" else None,
            licence_type=licence.licence_type if scope == "type" else None,
        )
    except DomainError as exc:
        return render(
            request,
            "licences/detail.html",
            _detail_context(request, licence, error=exc.message),
            status=exc.status,
        )
    messages.success(request, _("已授权 %(org)s 使用该证照。") % {"org": organisation.name})
    return redirect("licences:detail", public_id=licence.public_id)


def _is_uuid(value: str | None) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True


@require_POST
@domain_errors
@applicant_required
def consent_revoke(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = current_user(request)
    consent = (
        LicenceUseConsent.objects.filter(public_id=public_id, holder_user=user)
        .select_related("organisation", "licence")
        .first()
    )
    if consent is None:
        raise Http404
    services.revoke_consent(consent, user=user)
    messages.success(request, _("授权已撤销。"))
    target = request.POST.get("licence")
    if target and _is_uuid(target):
        return redirect("licences:detail", public_id=target)
    return redirect("licences:wallet")


# --- shared link (third party, no login) ---------------------------------------------------------
@domain_errors
def shared(request: HttpRequest, token: str) -> HttpResponse:
    share = services.open_share(
        token, ip_address=request.META.get("REMOTE_ADDR"), user_agent=request.META.get("HTTP_USER_AGENT", "")
    )
    result = services.verify_identifier(share.licence.identifier)
    response = render(
        request,
        "licences/shared.html",
        {"licence": _decorate(share.licence), "rows": _rows(share.licence), "result": result, "share": share},
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- public verification -------------------------------------------------------------------------
def verify(request: HttpRequest) -> HttpResponse:
    """Public: enter an identifier or upload the licence PDF."""
    if request.method == "GET" and request.GET.get("identifier"):
        identifier = request.GET["identifier"].strip()
        try:
            normalised = parse_identifier(identifier)
        except IdentifierError as exc:
            return render(
                request, "licences/verify.html", {"error": exc.message, "identifier": identifier}, status=400
            )
        return redirect("licences_verify:identifier", identifier=str(normalised))
    result = None
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("请选择要核验的电子证照 PDF 文件")
        elif (upload.size or 0) > MAX_PDF_BYTES:
            error = _("文件超过 20 MB 上限")
        else:
            result = services.verify_document(upload.read())
    return render(
        request, "licences/verify.html", {"result": result, "error": error}, status=400 if error else 200
    )


def verify_identifier(request: HttpRequest, identifier: str) -> HttpResponseBase:
    try:
        result = services.verify_identifier(identifier, check_document=True)
    except DomainError as exc:
        # Not issued here: another instance's index may know it (remote_lookup, e.g. a city's licence).
        remote = (
            remote_lookup.lookup(str(parse_identifier(identifier)))
            if exc.code == LicenceErrorCode.NOT_FOUND
            else None
        )
        if remote is not None:
            return render(request, "licences/verify.html", {"remote": remote, "identifier": identifier})
        return render(
            request,
            "licences/verify.html",
            {"error": exc.message, "identifier": identifier},
            status=exc.status,
        )
    return render(request, "licences/verify.html", {"result": result, "identifier": identifier})


# --- staff: look up and use (一证通办) ------------------------------------------------------------
@domain_errors
@staff_required
def staff_lookup(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    types = list(LicenceType.objects.filter(is_active=True).order_by("name"))
    context: dict[str, Any] = {"types": types, "holder_code": "", "type_code": ""}
    if request.GET.get("holder_code"):
        context["holder_code"] = request.GET["holder_code"].strip()[:40]
        context["type_code"] = request.GET.get("type_code", "")
        licence_type = next((t for t in types if t.code == context["type_code"]), None)
        try:
            context["results"] = [
                _decorate(licence)
                for licence in services.lookup_for_use(
                    user, holder_code=context["holder_code"], licence_type=licence_type
                )
            ]
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "licences/staff_lookup.html", context, status=exc.status)
        # The holders' names are shown masked; the look-up is one access-log insert for all of them.
        for licence in context["results"]:
            licence.holder_name_shown = personal.holder_name_shown(licence)  # type: ignore[attr-defined]
        personal.record_lookup(user, context["results"])
    return render(request, "licences/staff_lookup.html", context)


@require_POST
@domain_errors
@staff_required
def staff_use(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = current_user(request)
    licence = services.staff_licence(user, public_id)
    context: dict[str, Any] = {"licence": _decorate(licence), "types": [], "holder_code": licence.holder_code}
    try:
        record = services.use_licence(
            licence,
            organisation=user.staff_profile.organisation,
            user=user,
            purpose=request.POST.get("purpose", "")[:300],
            legal_basis=request.POST.get("legal_basis", "")[:300],
        )
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "licences/staff_use.html", context, status=exc.status)
    context.update({"record": record, "rows": _rows(licence)})
    # 用证: the licence's data in full, with the purpose and basis just recorded; the holder sees it.
    personal.record_use(user, licence, record.purpose)
    return render(request, "licences/staff_use.html", context)
