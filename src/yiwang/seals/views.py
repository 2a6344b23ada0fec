"""Seal pages: seal administration and stamping in the workbench, and public verification of PDFs."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.accounts.services import staff_roles
from yiwang.core.errors import CoreErrorCode, DomainError
from yiwang.seals import services
from yiwang.seals.actions import allowed_actions, may_apply_for_seal
from yiwang.seals.errors import SealErrorCode
from yiwang.seals.models import Seal, SealType, StampRecord
from yiwang.web.ui import staff_required

MAX_PDF_BYTES = 20 * 1024 * 1024


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _visible(user: User):  # type: ignore[no-untyped-def]
    qs = Seal.objects.select_related("organisation")
    if "admin" in staff_roles(user):
        return qs
    return qs.filter(organisation_id=user.staff_profile.organisation_id)


def _seal(user: User, public_id: UUID) -> Seal:
    seal = _visible(user).filter(public_id=public_id).first()
    if seal is None:
        raise Http404
    return seal


@staff_required
def seal_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    seals = list(_visible(user).order_by("organisation__name", "name"))
    return render(
        request,
        "seals/list.html",
        {"seals": seals, "seal_types": SealType.choices, "may_apply": may_apply_for_seal(user)},
    )


@require_POST
@staff_required
def seal_apply(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        seal = services.apply_for_seal(
            organisation=user.staff_profile.organisation,
            name=request.POST.get("name", ""),
            seal_type=request.POST.get("seal_type", SealType.OFFICIAL),
            purpose=request.POST.get("purpose", "")[:300],
            actor=user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("seals:list")
    messages.success(request, _("印章申请已提交，等待审核。"))
    return redirect("seals:detail", public_id=seal.public_id)


def _detail_context(request: HttpRequest, seal: Seal, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    return {
        "seal": seal,
        "events": seal.events.select_related("actor").all(),
        "authorisations": seal.authorisations.select_related("user").filter(revoked_at__isnull=True),
        "stampings": StampRecord.objects.filter(seal=seal).select_related("user")[:50],
        "actions": allowed_actions(user, seal),
        "colleagues": User.objects.filter(staff_profile__organisation_id=seal.organisation_id).order_by(
            "username"
        ),
        **extra,
    }


def _detail_error(request: HttpRequest, seal: Seal, exc: DomainError) -> HttpResponse:
    """The seal page again with the refusal's message, answered with its status."""
    return render(
        request, "seals/detail.html", _detail_context(request, seal, error=exc.message), status=exc.status
    )


@staff_required
def seal_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return render(request, "seals/detail.html", _detail_context(request, _seal(_user(request), public_id)))


ACTIONS = {
    "review_approve": lambda seal, user, post: services.review_seal(
        seal, actor=user, approve=True, comment=post.get("comment", "")
    ),
    "review_reject": lambda seal, user, post: services.review_seal(
        seal, actor=user, approve=False, comment=post.get("comment", "")
    ),
    "make": lambda seal, user, post: services.make_seal(seal, actor=user),
    "file": lambda seal, user, post: services.file_seal(seal, actor=user),
    "issue": lambda seal, user, post: services.issue_seal(seal, actor=user),
    "report_loss": lambda seal, user, post: services.report_loss(
        seal, actor=user, reason=post.get("reason", "")
    ),
    "destroy": lambda seal, user, post: services.destroy_seal(
        seal, actor=user, reason=post.get("reason", "")
    ),
}


@require_POST
@staff_required
def seal_action(request: HttpRequest, public_id: UUID, action: str) -> HttpResponse:
    user = _user(request)
    seal = _seal(user, public_id)
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    try:
        handler(seal, user, request.POST)
    except DomainError as exc:
        seal.refresh_from_db()
        return _detail_error(request, seal, exc)
    messages.success(request, _("操作已完成。"))
    return redirect("seals:detail", public_id=seal.public_id)


@require_POST
@staff_required
def seal_authorise(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = _user(request)
    seal = _seal(user, public_id)
    target = User.objects.filter(username=request.POST.get("username", "")).first()
    try:
        if target is None:
            raise DomainError(CoreErrorCode.VALIDATION_ERROR, _("用户不存在"), status=404)
        services.authorise_user(seal, user=target, actor=user)
    except DomainError as exc:
        return _detail_error(request, seal, exc)
    messages.success(request, _("已授权 %(name)s 使用该印章。") % {"name": target})
    return redirect("seals:detail", public_id=seal.public_id)


@require_POST
@staff_required
def seal_stamp(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = _user(request)
    seal = _seal(user, public_id)
    upload = request.FILES.get("file")
    try:
        if upload is None or (upload.size or 0) > MAX_PDF_BYTES:
            raise DomainError(SealErrorCode.INVALID_PDF, _("请选择不超过 20 MB 的 PDF 文件"), status=400)
        signed = services.stamp_pdf(
            seal,
            upload.read(),
            user=user,
            reason=request.POST.get("reason", "")[:200] or _("用印"),
            reference=request.POST.get("reference", "")[:100],
        )
    except DomainError as exc:
        return _detail_error(request, seal, exc)
    response = HttpResponse(signed, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="stamped.pdf"'
    return response


def verify_page(request: HttpRequest) -> HttpResponse:
    """Public: upload a stamped PDF and see whether each seal is genuine, intact and current."""
    report = None
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("请选择要验证的 PDF 文件")
        elif (upload.size or 0) > MAX_PDF_BYTES:
            error = _("文件超过 20 MB 上限")
        else:
            report = services.verify_pdf(upload.read())
    status = 400 if error else 200
    return render(request, "seals/verify.html", {"report": report, "error": error}, status=status)
