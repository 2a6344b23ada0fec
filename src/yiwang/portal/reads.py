"""我的空间 reads: the applicant's 我的办件 rows and his case page, each in a fixed number of queries.

The one place for the read-path choices of these two pages (docs/architecture.md, ``reads.py``):

* 我的办件 (:func:`my_cases_page`): keyset pages of 50 rows (:mod:`yiwang.core.keyset`, ordered by
  submission time then id, the ``(applicant, submitted_at)`` index) read as plain column values —
  no model instances, no guide snapshot or form data — and turned into ready-to-print rows (labels,
  local time, link), so the row template only prints strings.  The total is the one ``COUNT`` the
  API's ``GET /api/v1/cases`` reports for the same cases.
* the case page (:func:`case_for_page`, :func:`case_page_reads`): the case with its item, department
  and delivery in one query; events, notices, materials, special procedures, documents (with their
  seal) and licences (with their type) one query each, whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.models import (
    TERMINAL_STATUSES,
    Case,
    CaseDocument,
    CaseEvent,
    CaseMaterial,
    CaseOutcome,
    CaseStatus,
    CorrectionNotice,
)
from yiwang.cases.reads import label
from yiwang.cases.services import own_case_parts, visible_cases
from yiwang.core.errors import NotFound
from yiwang.core.keyset import KeysetPage, keyset_page
from yiwang.licences.models import Licence

MY_CASES_PAGE_SIZE = 50
MY_CASES_COUNT_CAP = 1000  # totals past it are shown as "1000+"
MY_CASES_ORDER = ("-submitted_at", "-id")
MY_CASE_COLUMNS = (
    "id",
    "public_id",
    "number",
    "status",
    "outcome",
    "submitted_at",
    "item__name",
    "handling_organisation__name",
)
_PLACEHOLDER = UUID(int=0)


@dataclass(frozen=True, slots=True)
class MyCaseRow:
    """One printed row of 我的办件 (every value a string the template prints as it is)."""

    number: str
    item_name: str
    department: str
    submitted: str
    status: str
    status_label: str
    outcome_class: str
    outcome_label: str
    url: str


def my_cases(user: User, status_filter: str = "") -> list[QuerySet[Case]]:
    """The cases 我的办件 lists for ``status_filter`` ("", "open", "done" or one status), as two
    disjoint parts: the cases he filed, and those he filed as agent (代办) in someone else's name
    (:func:`yiwang.cases.services.own_case_parts`; docs/adr/0009, off switch
    ``YIWANG_MY_CASES_UNION=0``: one part, the ``OR`` of :func:`visible_cases`)."""
    parts = own_case_parts(user) if settings.YIWANG_MY_CASES_UNION else [visible_cases(user)]
    if status_filter == "open":
        return [part.exclude(status__in=TERMINAL_STATUSES) for part in parts]
    if status_filter == "done":
        return [part.filter(status__in=TERMINAL_STATUSES) for part in parts]
    if status_filter in CaseStatus.values:
        return [part.filter(status=status_filter) for part in parts]
    return parts


def my_case_rows(values: list[dict[str, Any]]) -> list[MyCaseRow]:
    """Printed rows from :data:`MY_CASE_COLUMNS` values (one ``reverse`` for the whole page)."""
    detail = reverse("portal:case_detail", args=[_PLACEHOLDER])
    placeholder = str(_PLACEHOLDER)
    rows = []
    for value in values:
        outcome = value["outcome"] or ""
        rows.append(
            MyCaseRow(
                number=value["number"],
                item_name=value["item__name"],
                department=value["handling_organisation__name"],
                submitted=timezone.localtime(value["submitted_at"]).strftime("%Y-%m-%d %H:%M"),
                status=value["status"],
                status_label=label(CaseStatus, value["status"]),
                outcome_class=("completed" if outcome == CaseOutcome.APPROVED else "refused")
                if outcome
                else "",
                outcome_label=label(CaseOutcome, outcome) if outcome else "",
                url=detail.replace(placeholder, str(value["public_id"])),
            )
        )
    return rows


def my_cases_page(
    user: User, status_filter: str, cursor: str | None, *, size: int = MY_CASES_PAGE_SIZE
) -> tuple[KeysetPage, list[MyCaseRow]]:
    """One keyset page of 我的办件 (one query) and its printed rows."""
    parts = [part.values(*MY_CASE_COLUMNS) for part in my_cases(user, status_filter)]
    page = keyset_page(parts, MY_CASES_ORDER, cursor, size=size)
    return page, my_case_rows(page.rows)


def my_cases_total(user: User, status_filter: str = "") -> int:
    """The number of cases the filter lists, counted up to :data:`MY_CASES_COUNT_CAP` + 1 (one
    bounded ``COUNT`` over both parts: an applicant with a hundred thousand cases — a company filing
    every day — does not pay for counting them all on every page; the page shows "1000+")."""
    first, *others = (part.order_by().values("id") for part in my_cases(user, status_filter))
    both = first.union(*others, all=True) if others else first
    return both[: MY_CASES_COUNT_CAP + 1].count()


def total_text(total: int) -> str:
    """A total as the list prints it: the number, or "1000+" past the cap."""
    return f"{MY_CASES_COUNT_CAP}+" if total > MY_CASES_COUNT_CAP else str(total)


# --- the case page ---------------------------------------------------------------------------------
def case_for_page(user: User, public_id: Any) -> Case:
    """The user's case with item, department and delivery (one query); else 404 (no existence leak)."""
    documents = CaseDocument.objects.select_related("seal")
    licences = Licence.objects.select_related("licence_type")
    try:
        return (
            visible_cases(user)
            .select_related("delivery")
            .prefetch_related(
                Prefetch("documents", queryset=documents), Prefetch("licences", queryset=licences)
            )
            .get(public_id=public_id)
        )
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("办件不存在") from exc


@dataclass(frozen=True)
class CasePageReads:
    events: list[CaseEvent]
    notices: list[CorrectionNotice]
    notice: CorrectionNotice | None
    materials: list[CaseMaterial]
    special_procedures: list[Any]


def case_page_reads(case: Case) -> CasePageReads:
    """What the case page lists, one query each; the open notice is found among the notices (the
    newest unresolved round, as :func:`yiwang.cases.services.open_correction_notice` answers)."""
    notices = list(case.correction_notices.order_by("round"))
    open_notices = [notice for notice in notices if notice.resolved_at is None]
    return CasePageReads(
        events=list(case.events.order_by("sequence")),
        notices=notices,
        notice=max(open_notices, key=lambda notice: notice.round) if open_notices else None,
        materials=list(case.materials.order_by("material_name", "correction_round", "created_at")),
        special_procedures=list(case.special_procedures.all()),
    )


__all__ = [
    "MY_CASES_ORDER",
    "MY_CASES_PAGE_SIZE",
    "CasePageReads",
    "MyCaseRow",
    "case_for_page",
    "case_page_reads",
    "my_case_rows",
    "my_cases",
    "my_cases_page",
    "my_cases_total",
    "total_text",
]
