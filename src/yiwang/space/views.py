"""Pages of the space: the applicant's material store (/my/materials/) and file (/my/file/), the
staff files (/workbench/files/).  Thin: parse with the API's schemas, call services and reads."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from yiwang.cases.models import TERMINAL_STATUSES
from yiwang.core.errors import DomainError
from yiwang.core.paging import page_number, paginate
from yiwang.space import file as subject_file
from yiwang.space import reads, services, staff_files
from yiwang.space.access import owner_for, subjects_of
from yiwang.space.actions import material_actions
from yiwang.space.errors import SpaceErrorCode
from yiwang.space.models import MaterialEntrySource
from yiwang.space.schemas import SpaceMaterialFilter, SpaceMaterialUploadIn, SpaceSubjectSearchIn
from yiwang.web.forms import parse_form
from yiwang.web.ui import (
    applicant_required,
    current_user,
    domain_errors,
    error_context,
    file_response,
    staff_required,
)

PER_PAGE = 20
FILE_PER_PAGE = 20


def _company(request: HttpRequest) -> str:
    return str(request.GET.get("company") or request.POST.get("company") or "")[:18]


def _with_company(url: str, company: str) -> str:
    return f"{url}?{urlencode({'company': company})}" if company else url


def _store_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = current_user(request)
    company = _company(request)
    owner = owner_for(user, company)
    try:
        filters = parse_form(SpaceMaterialFilter, request.GET)
    except DomainError:
        filters = SpaceMaterialFilter.model_validate({})
    rows = reads.materials_of(
        owner,
        reads.MaterialFilter(
            q=filters.q,  # type: ignore[attr-defined]
            source=filters.source,  # type: ignore[attr-defined]
            trust_level=filters.trust_level,  # type: ignore[attr-defined]
            validity=filters.validity,  # type: ignore[attr-defined]
        ),
    )
    page = paginate(request, rows, PER_PAGE)
    query = {k: str(v) for k, v in request.GET.items() if k != "page" and v}
    return {
        "owner": owner,
        "company": company,
        "subjects": subjects_of(user),
        "filters": filters,
        "page_obj": page,
        "page_query": urlencode(query) + "&" if query else "",
        "sources": MaterialEntrySource.choices,
        "licences": reads.wallet_licences(owner),
        **extra,
    }


@domain_errors
@applicant_required
def materials(request: HttpRequest) -> HttpResponse:
    """材料库 List with filters (htmx swaps the rows), upload to the store."""
    if request.method == "POST":
        user = current_user(request)
        company = _company(request)
        owner = owner_for(user, company)
        try:
            body = parse_form(SpaceMaterialUploadIn, request.POST, code=SpaceErrorCode.INVALID_INPUT)
            upload = request.FILES.get("file")
            if upload is None:
                raise DomainError(SpaceErrorCode.INVALID_INPUT, _("请选择文件"), {"file": [_("必填")]})
            services.upload_material(
                owner=owner,
                actor=user,
                name=body.name,  # type: ignore[attr-defined]
                upload=upload,
                material_id=body.material,  # type: ignore[attr-defined]
                valid_until=body.valid_until,  # type: ignore[attr-defined]
            )
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            context = _store_context(request, values=request.POST, **error_context(exc))
            return render(request, "space/materials.html", context, status=exc.status)
        flash.success(request, _("材料已保存到材料库"))
        return redirect(_with_company(reverse("my_space:materials"), company))
    template = "space/_material_rows.html" if request.headers.get("HX-Request") else "space/materials.html"
    return render(request, template, _store_context(request))


@domain_errors
@applicant_required
def material_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """One stored material: where it came from and where it was used; delete (retention permitting)."""
    user = current_user(request)
    company = _company(request)
    owner = owner_for(user, company)
    entry = reads.material_of(owner, public_id)
    used = reads.usages(entry)
    blocking = [case for case in used if case.status not in TERMINAL_STATUSES]
    return render(
        request,
        "space/material_detail.html",
        {
            "entry": entry,
            "used": used,
            "blocking": blocking,
            "actions": material_actions(entry, blocking=blocking),
            "company": company,
        },
    )


@domain_errors
@applicant_required
def material_download(request: HttpRequest, public_id: UUID) -> Any:
    entry = reads.material_of(owner_for(current_user(request), _company(request)), public_id)
    return file_response(entry.file, entry.original_name, entry.content_type)


@domain_errors
@applicant_required
def material_delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """POST only: soft delete (409 with the undecided cases named when retention forbids it)."""
    user = current_user(request)
    company = _company(request)
    entry = reads.material_of(owner_for(user, company), public_id)
    if request.method != "POST":
        return redirect(_with_company(reverse("my_space:material", args=[entry.public_id]), company))
    services.delete_material(entry, actor=user)
    flash.success(request, _("材料已从材料库删除（已提交办件中的副本不受影响）"))
    target = _with_company(reverse("my_space:materials"), company)
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


@domain_errors
@applicant_required
def my_file(request: HttpRequest) -> HttpResponse:
    """一人一档 / 一企一档 for the applicant (and the companies he acts for)."""
    user = current_user(request)
    company = _company(request)
    owner = owner_for(user, company)
    number = page_number(request.GET.get("page"), per_page=FILE_PER_PAGE)
    offset = min((number - 1) * FILE_PER_PAGE, subject_file.MAX_DEPTH - FILE_PER_PAGE)
    entries, more = subject_file.timeline(owner, offset=offset, limit=FILE_PER_PAGE)
    kind, name, identifier = subject_file.subject_label(owner)
    return render(
        request,
        "space/file.html",
        {
            "entries": entries,
            "more": more,
            "number": offset // FILE_PER_PAGE + 1,
            "subject_kind": kind,
            "subject_name": name,
            "identifier": identifier,
            "subjects": subjects_of(user),
            "company": company,
            "staff": False,
        },
    )


@domain_errors
@staff_required
def staff_search(request: HttpRequest) -> HttpResponse:
    """档案查询 by ID number or credit code (audited); a hit opens the file."""
    user = current_user(request)
    staff_files.require_reader(user)
    context: dict[str, Any] = {"values": request.GET}
    if "number" in request.GET:
        try:
            body = parse_form(SpaceSubjectSearchIn, request.GET)
            subject = staff_files.find_subject(user, body.kind, body.number)  # type: ignore[attr-defined]
        except DomainError as exc:
            if exc.status == 403:
                raise
            return render(
                request, "space/staff_search.html", {**context, **error_context(exc)}, status=exc.status
            )
        return redirect("space:file", subject_id=subject.public_id)
    return render(request, "space/staff_search.html", context)


@domain_errors
@staff_required
def staff_file(request: HttpRequest, subject_id: UUID) -> HttpResponse:
    """The file of one person or company, only the departments in the staff member's scope."""
    number = page_number(request.GET.get("page"), per_page=FILE_PER_PAGE)
    offset = min((number - 1) * FILE_PER_PAGE, subject_file.MAX_DEPTH - FILE_PER_PAGE)
    subject, entries, more = staff_files.open_file(
        current_user(request), subject_id, offset=offset, limit=FILE_PER_PAGE
    )
    kind, name, identifier = staff_files.masked_label(subject)
    return render(
        request,
        "space/staff_file.html",
        {
            "entries": entries,
            "more": more,
            "number": offset // FILE_PER_PAGE + 1,
            "subject": subject,
            "subject_kind": kind,
            "subject_name": name,
            "identifier": identifier,
            "staff": True,
        },
    )
