"""我的空间 My cases, one case with its timeline and correction notice, downloads, messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from yiwang.accounts.inbox import mark_messages_read
from yiwang.accounts.models import InboxMessage
from yiwang.cases.clock import clock_state, gap_overdue
from yiwang.cases.downloads import material_download, result_download
from yiwang.cases.models import Case, CaseStatus, CorrectionNotice
from yiwang.cases.schemas import CaseWithdrawIn
from yiwang.cases.services import (
    get_case_for,
    supply_correction,
    supply_gap_materials,
    withdraw_case,
)
from yiwang.catalog.forms import snapshot_display
from yiwang.core.errors import DomainError
from yiwang.core.paging import paginate
from yiwang.portal.forms import form_wording
from yiwang.portal.reads import (
    case_for_page,
    case_page_reads,
    my_cases_page,
    my_cases_total,
    total_text,
)
from yiwang.web.forms import parse_form
from yiwang.web.ui import (
    applicant_required,
    attempt,
    current_user,
    domain_errors,
    download_response,
    error_context,
    field,
    field_errors,
)

MESSAGES_PAGE_SIZE = 20
WITHDRAWABLE = {CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUIRED, CaseStatus.ACCEPTED}
STATUS_FILTERS = (
    ("", gettext_noop("全部")),
    ("open", gettext_noop("办理中")),
    (CaseStatus.CORRECTION_REQUIRED.value, gettext_noop("待补正")),
    ("done", gettext_noop("已办结")),
)
STATUS_FILTER_VALUES = {*(value for value, _label in STATUS_FILTERS), *CaseStatus.values}

_NO_ID = UUID(int=0)  # stands for a material id in the download links' common prefix


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
    reads = case_page_reads(case)
    notice = reads.notice
    labels: dict[str, tuple[str, str]] = {}
    if notice is not None:
        for entry in notice.items:
            if entry.get("material_id"):
                labels[entry["material_id"]] = (f"id_material_{entry['material_id']}", entry.get("name", ""))
    labels["files"] = ("correction-form", _("补正材料"))
    return {
        "case": case,
        "events": reads.events,
        "notice": notice,
        "notices": reads.notices,
        "materials": reads.materials,
        "steps": progress_steps(case),
        "form_display": snapshot_display(case.item_snapshot, case.form_data),
        "material_base": reverse("portal:case_material", args=[case.public_id, _NO_ID]).removesuffix(
            f"{_NO_ID}/"
        ),
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
        "special_procedures": reads.special_procedures,
        "error": error_context(exc, labels) if exc else None,
        "error_action": action,
    }


@applicant_required
def my_cases(request: HttpRequest) -> HttpResponse:
    """我的办件: keyset pages of 50 rows (``?cursor=``), the status filter kept across pages."""
    user = current_user(request)
    status_filter = request.GET.get("status", "")
    if status_filter not in STATUS_FILTER_VALUES:
        status_filter = ""
    page, rows = my_cases_page(user, status_filter, request.GET.get("cursor"))
    params = {"status": status_filter} if status_filter else {}
    return render(
        request,
        "portal/my_cases.html",
        {
            "page": page,
            "cases": rows,
            "total": total_text(my_cases_total(user, status_filter)),
            "next_query": page.next_query(params),
            "previous_query": page.previous_query(params),
            "status_filter": status_filter,
            "status_filters": [(value, _(label)) for value, label in STATUS_FILTERS],
        },
    )


@domain_errors
@applicant_required
def case_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    case = case_for_page(current_user(request), public_id)
    return render(request, "portal/case_detail.html", case_page_context(request, case))


def _material_files(request: HttpRequest) -> dict[str, list[Any]]:
    """The uploads of a case form by material (``material_<id>`` controls)."""
    return {
        key.removeprefix("material_"): request.FILES.getlist(key)
        for key in request.FILES
        if key.startswith("material_")
    }


def _case_action(
    request: HttpRequest, case: Case, form: str, run: Callable[[], object], success: str
) -> HttpResponseBase:
    """One action form of the case page: done → back to the case with ``success``; refused → the
    case page again with the refusal next to the ``form``."""

    def failed(exc: DomainError) -> HttpResponse:
        case.refresh_from_db()
        context = case_page_context(request, case, exc=exc, action=form)
        return render(request, "portal/case_detail.html", context, status=exc.status)

    done = reverse("portal:case_detail", kwargs={"public_id": case.public_id})
    return attempt(request, run, success=success, done=done, failed=failed)


@require_POST
@domain_errors
@applicant_required
def case_correction(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    """补正: upload what the one-time notice asks for."""
    user = current_user(request)
    case = get_case_for(user, public_id)
    files = _material_files(request)
    comment = request.POST.get("comment", "").strip()[:1000]
    return _case_action(
        request,
        case,
        "correction",
        lambda: supply_correction(case, applicant=user, files=files, comment=comment),
        _("补正材料已提交，请等待窗口工作人员审核。"),
    )


@require_POST
@domain_errors
@applicant_required
def case_gap(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    """容缺受理: upload the materials accepted as missing, before their deadline."""
    user = current_user(request)
    case = get_case_for(user, public_id)
    files = _material_files(request)
    return _case_action(
        request,
        case,
        "gap",
        lambda: supply_gap_materials(case, applicant=user, files=files),
        _("容缺材料已补齐。"),
    )


@require_POST
@domain_errors
@applicant_required
def case_withdraw(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    """撤回申请; the reason is validated by the API's CaseWithdrawIn."""
    user = current_user(request)
    case = get_case_for(user, public_id)

    def withdraw() -> None:
        form = parse_form(
            CaseWithdrawIn,
            {"reason": request.POST.get("reason", "").strip()},
            blank_is_missing=False,
            type_messages=form_wording(),
        )
        withdraw_case(case, applicant=user, reason=form.reason)

    return _case_action(request, case, "withdraw", withdraw, _("申请已撤回。"))


@domain_errors
@applicant_required
def case_result(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    """结果文书 The decision document, only for the applicant of the case."""
    return download_response(result_download(current_user(request), public_id))


@domain_errors
@applicant_required
def case_material(request: HttpRequest, public_id: UUID, material_id: UUID) -> HttpResponseBase:
    case = get_case_for(current_user(request), public_id)
    return download_response(material_download(case, material_id))


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
