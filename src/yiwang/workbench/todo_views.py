"""The staff lists (待办, 部门办件): the to-do page and the department's case list.

The to-do page reads through :mod:`yiwang.cases.reads`, the same read as ``GET
/api/v1/workbench/todo``: its totals are the queue counters the API's ``count`` comes from, so a
clerk sees one number for his to-do whichever way he looks (``tests/test_todo_counts.py``).
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.cases import reads
from yiwang.cases.clock import clock_state
from yiwang.cases.models import Case, CaseOutcome, CaseStatus
from yiwang.cases.services import visible_cases
from yiwang.core.keyset import keyset_page
from yiwang.web.ui import current_user, staff_required
from yiwang.workbench.case_rows import rows_html
from yiwang.workflow import services as workflow

CASES_PAGE_SIZE = 50
CASES_ORDERING = ("-submitted_at", "-id")  # newest first, keyset paged
TODO_PAGE_SIZE = reads.TODO_PAGE_SIZE  # cases a to-do page lists (keyset paged)


def due_state(case: Case, today: date) -> dict[str, str] | None:
    """The clock flag of an open case (cases/clock.py): paused, overdue, due soon or on time."""
    if case.due_date is None or case.is_terminal:
        return None
    state = clock_state(case, today)
    if state.paused:
        return {"css": "due-paused", "label": _("计时暂停")}
    if state.overdue:
        return {
            "css": "due-overdue",
            "label": _("已超期 %(n)d 个工作日") % {"n": -(state.working_days_left or 0)},
        }
    if state.due_soon:
        return {
            "css": "due-soon",
            "label": _("即将到期（剩 %(n)d 个工作日）") % {"n": state.working_days_left or 0},
        }
    return {"css": "due-ok", "label": _("正常")}


def with_due(cases: list[Case]) -> list[Case]:
    """The cases, each with what ``_case_rows.html`` shows already as text: ``due_info``
    (:func:`due_state` today), ``status_text``, ``outcome_text``, ``submitted_text``, ``due_text``.
    Formatting here rather than with template filters keeps a 50-row page's render short (a
    ``|date`` or ``get_FOO_display`` per cell was most of it)."""
    today = timezone.localdate()
    for case in cases:
        case.due_info = due_state(case, today)  # type: ignore[attr-defined]
        case.status_text = reads.status_label(case.status)  # type: ignore[attr-defined]
        case.outcome_text = reads.label(CaseOutcome, case.outcome) if case.outcome else ""  # type: ignore[attr-defined]
        case.submitted_text = (  # type: ignore[attr-defined]
            timezone.localtime(case.submitted_at).strftime("%Y-%m-%d %H:%M") if case.submitted_at else ""
        )
        case.due_text = case.due_date.isoformat() if case.due_date else ""  # type: ignore[attr-defined]
    return cases


@staff_required
def todo(request: HttpRequest) -> HttpResponse:
    """我的待办: 50 cases a page (keyset paged, ``?cursor=``), the rows and order of ``GET
    /api/v1/workbench/todo``; every total on the page is the to-do's, not the page's."""
    user = current_user(request)
    page = reads.todo_rows(user, request.GET.get("cursor"), TODO_PAGE_SIZE)
    cases = with_due(page.rows)
    # Every case count on the page comes from the to-do's counts by status (reads.todo_counts):
    # their sum is the total the API answers.  The clock tiles are bounded counts over the whole
    # queue (reads.todo_clock_counts), never the length of a page.  Workflow tasks are counted
    # apart (a case gets them once accepted) and labelled so.
    by_status = reads.todo_counts(user)
    clock = reads.todo_clock_counts(user)
    return render(
        request,
        "workbench/todo.html",
        {
            "task_count": workflow.todo(user).count(),
            "cases": cases,
            "case_rows": rows_html(cases),
            "page": page,
            "next_query": page.next_query(request.GET),
            "previous_query": page.previous_query(request.GET),
            "case_total": sum(by_status.values()),
            "waiting_acceptance": by_status.get(CaseStatus.SUBMITTED, 0),
            "under_review": by_status.get(CaseStatus.ACCEPTED, 0),
            "overdue": clock["overdue"],
            "due_soon": clock["due_soon"],
            "clock_cap": reads.TODO_CLOCK_CAP,
        },
    )


@staff_required
def case_list(request: HttpRequest) -> HttpResponse:
    """全部办件 Every case of the staff member's department, filterable by status."""
    user = current_user(request)
    status_filter = request.GET.get("status", "")
    cases = visible_cases(user)
    if status_filter in CaseStatus.values:
        cases = cases.filter(status=status_filter)
    number = request.GET.get("number", "").strip()[:50]
    if number:
        cases = cases.filter(number__icontains=number)
    page = keyset_page(
        cases.select_related(None).select_related("item").only(*reads.TODO_ROW_FIELDS),
        CASES_ORDERING,
        request.GET.get("cursor"),
        size=CASES_PAGE_SIZE,
    )
    cases_shown = with_due(page.rows)
    return render(
        request,
        "workbench/case_list.html",
        {
            "page": page,
            "next_query": page.next_query(request.GET),
            "previous_query": page.previous_query(request.GET),
            "cases": cases_shown,
            "case_rows": rows_html(cases_shown),
            "status_filter": status_filter,
            "number": number,
            "statuses": CaseStatus.choices,
        },
    )
