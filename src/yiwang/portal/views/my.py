"""我的空间 My cases, one case with its timeline and correction notice, downloads, messages."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from yiwang.accounts.inbox import mark_messages_read
from yiwang.accounts.models import InboxMessage
from yiwang.cases.clock import clock_state, gap_overdue
from yiwang.cases.models import TERMINAL_STATUSES, Case, CaseStatus, CorrectionNotice
from yiwang.cases.services import (
    case_queryset_for_events,
    get_case_for,
    materials_of,
    open_correction_notice,
    supply_correction,
    visible_cases,
    withdraw_case,
)
from yiwang.core import audit
from yiwang.core.errors import DomainError, NotFound
from yiwang.core.paging import paginate
from yiwang.web.ui import (
    applicant_required,
    current_user,
    domain_errors,
    error_context,
    field,
    field_errors,
    file_response,
)

CASES_PAGE_SIZE = 20
MESSAGES_PAGE_SIZE = 20
WITHDRAWABLE = {CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUIRED, CaseStatus.ACCEPTED}
STATUS_FILTERS = (
    ("", gettext_noop("全部")),
    ("open", gettext_noop("办理中")),
    (CaseStatus.CORRECTION_REQUIRED.value, gettext_noop("待补正")),
    ("done", gettext_noop("已办结")),
)


def progress_steps(case: Case) -> list[dict[str, str]]:
    """申请 → 受理 → 审查 → 办结, each done / current / todo."""
    status = case.status
    accepted = case.accepted_at is not None
    terminal = case.is_terminal
    steps = [
        (_("提交申请"), "done"),
        (
            _("受理"),
            "done"
            if accepted or status == CaseStatus.NOT_ACCEPTED
            else ("current" if not terminal else "todo"),
        ),
        (
            _("审查决定"),
            "done"
            if status == CaseStatus.COMPLETED
            else ("current" if status == CaseStatus.ACCEPTED else "todo"),
        ),
        (_("办结"), "done" if terminal else "todo"),
    ]
    return [{"label": label, "state": state} for label, state in steps]


def correction_controls(notice: CorrectionNotice | None, exc: DomainError | None) -> list[dict[str, Any]]:
    if notice is None:
        return []
    controls = []
    others = 0
    for entry in notice.items:
        material_id = entry.get("material_id") or ""
        if not material_id:
            # An item that is not a material of the guide (其他): its files may be uploaded too.
            key = f"other_{others}"
            others += 1
            controls.append(
                field(
                    f"material_{key}",
                    entry.get("name", ""),
                    type="file",
                    errors=field_errors(exc, key),
                    help=_("补正原因：%(reason)s") % {"reason": entry.get("reason", "")},
                    accept=".pdf,.jpg,.jpeg,.png,.ofd",
                    multiple=True,
                )
            )
            continue
        controls.append(
            field(
                f"material_{material_id}",
                entry.get("name", ""),
                type="file",
                required=True,
                errors=field_errors(exc, material_id),
                help=_("补正原因：%(reason)s") % {"reason": entry.get("reason", "")},
                accept=".pdf,.jpg,.jpeg,.png,.ofd",
                multiple=True,
            )
        )
    return controls


def case_page_context(
    request: HttpRequest, case: Case, *, exc: DomainError | None = None, action: str = ""
) -> dict[str, Any]:
    notice = open_correction_notice(case)
    labels: dict[str, tuple[str, str]] = {}
    if notice is not None:
        for entry in notice.items:
            if entry.get("material_id"):
                labels[entry["material_id"]] = (f"id_material_{entry['material_id']}", entry.get("name", ""))
    labels["files"] = ("correction-form", _("补正材料"))
    form_labels = {
        str(spec.get("name")): str(spec.get("label")) for spec in case.item_snapshot.get("form_fields", [])
    }
    return {
        "case": case,
        "events": list(case_queryset_for_events(case)),
        "notice": notice,
        "notices": list(case.correction_notices.order_by("round")),
        "materials": list(materials_of(case)),
        "steps": progress_steps(case),
        "form_rows": [(form_labels.get(key, key), value) for key, value in (case.form_data or {}).items()],
        "correction_controls": correction_controls(notice, exc if action == "correction" else None),
        "correction_comment": request.POST.get("comment", "") if action == "correction" else "",
        "withdraw_reason": request.POST.get("reason", "") if action == "withdraw" else "",
        "can_withdraw": case.status in WITHDRAWABLE,
        "clock": clock_state(case),
        "gap_open": bool(case.gap_items)
        and case.gap_resolved_at is None
        and case.status == CaseStatus.ACCEPTED,
        "gap_overdue": gap_overdue(case),
        "gap_controls": [
            field(
                f"material_{entry['material_id']}",
                entry.get("name", ""),
                type="file",
                required=True,
                errors=field_errors(exc, entry["material_id"]) if action == "gap" else [],
                accept=".pdf,.jpg,.jpeg,.png,.ofd",
                multiple=True,
            )
            for entry in case.gap_items or []
        ],
        "special_procedures": list(case.special_procedures.all()),
        "error": error_context(exc, labels) if exc else None,
        "error_action": action,
    }


@applicant_required
def my_cases(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    status_filter = request.GET.get("status", "")
    cases = visible_cases(user).order_by("-submitted_at")
    if status_filter == "open":
        cases = cases.exclude(status__in=TERMINAL_STATUSES)
    elif status_filter == "done":
        cases = cases.filter(status__in=TERMINAL_STATUSES)
    elif status_filter in CaseStatus.values:
        cases = cases.filter(status=status_filter)
    page_obj = paginate(request, cases, CASES_PAGE_SIZE)
    return render(
        request,
        "portal/my_cases.html",
        {
            "page_obj": page_obj,
            "cases": page_obj.object_list,
            "status_filter": status_filter,
            "status_filters": [(value, _(label)) for value, label in STATUS_FILTERS],
            "page_query": f"status={status_filter}&" if status_filter else "",
        },
    )


@domain_errors
@applicant_required
def case_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    case = get_case_for(current_user(request), public_id)
    return render(request, "portal/case_detail.html", case_page_context(request, case))


@require_POST
@domain_errors
@applicant_required
def case_correction(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """补正: upload what the one-time notice asks for."""
    user = current_user(request)
    case = get_case_for(user, public_id)
    files = {
        key.removeprefix("material_"): request.FILES.getlist(key)
        for key in request.FILES
        if key.startswith("material_")
    }
    try:
        supply_correction(
            case, applicant=user, files=files, comment=request.POST.get("comment", "").strip()[:1000]
        )
    except DomainError as exc:
        case.refresh_from_db()
        context = case_page_context(request, case, exc=exc, action="correction")
        return render(request, "portal/case_detail.html", context, status=exc.status)
    messages.success(request, _("补正材料已提交，请等待窗口工作人员审核。"))
    return redirect("portal:case_detail", public_id=case.public_id)


@require_POST
@domain_errors
@applicant_required
def case_gap(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """容缺受理: upload the materials accepted as missing, before their deadline."""
    from yiwang.cases.variants import supply_gap_materials

    user = current_user(request)
    case = get_case_for(user, public_id)
    files = {
        key.removeprefix("material_"): request.FILES.getlist(key)
        for key in request.FILES
        if key.startswith("material_")
    }
    try:
        supply_gap_materials(case, applicant=user, files=files)
    except DomainError as exc:
        case.refresh_from_db()
        context = case_page_context(request, case, exc=exc, action="gap")
        return render(request, "portal/case_detail.html", context, status=exc.status)
    messages.success(request, _("容缺材料已补齐。"))
    return redirect("portal:case_detail", public_id=case.public_id)


@require_POST
@domain_errors
@applicant_required
def case_withdraw(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = current_user(request)
    case = get_case_for(user, public_id)
    try:
        withdraw_case(case, applicant=user, reason=request.POST.get("reason", "").strip()[:1000])
    except DomainError as exc:
        case.refresh_from_db()
        context = case_page_context(request, case, exc=exc, action="withdraw")
        return render(request, "portal/case_detail.html", context, status=exc.status)
    messages.success(request, _("申请已撤回。"))
    return redirect("portal:case_detail", public_id=case.public_id)


@domain_errors
@applicant_required
def case_result(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    """结果文书 The decision document, only for the applicant of the case."""
    user = current_user(request)
    case = get_case_for(user, public_id)
    if not case.result_document:
        raise NotFound(_("该办件暂无结果文书"))
    audit.record("case.result_downloaded", actor=user, obj=case, detail={"number": case.number})
    return file_response(case.result_document, f"{case.number}.pdf")


@domain_errors
@applicant_required
def case_material(request: HttpRequest, public_id: UUID, material_id: UUID) -> HttpResponseBase:
    user = current_user(request)
    case = get_case_for(user, public_id)
    material = case.materials.filter(public_id=material_id).first()
    if material is None:
        raise NotFound(_("材料不存在"))
    return file_response(material.file, material.original_name, material.content_type)


@applicant_required
def inbox(request: HttpRequest) -> HttpResponse:
    """站内消息 In-site messages, newest first; the ones shown are marked read."""
    user = current_user(request)
    page_obj = paginate(
        request,
        InboxMessage.objects.filter(user=user).order_by(Coalesce("occurred_at", "created_at").desc(), "-id"),
        MESSAGES_PAGE_SIZE,
    )
    shown = list(page_obj.object_list)
    unread_ids = [message.pk for message in shown if message.read_at is None]
    response = render(
        request,
        "portal/messages.html",
        {"page_obj": page_obj, "inbox": shown, "unread_ids": set(unread_ids), "page_query": ""},
    )
    if unread_ids:
        mark_messages_read(user, unread_ids)
    return response
