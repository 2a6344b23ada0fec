"""The rows of the staff case lists (待办, 部门办件), rendered once per distinct content.

A clerk's to-do page shows 50 rows, and the same rows again on every refresh: a row's HTML depends
only on what it prints (number, item, applicant, times, status, clock flag, link) and the language.
:func:`rows_html` renders ``workbench/_case_row.html`` for a row it has not seen in this process
and reuses the HTML after that (a bounded LRU), so a refresh of an unchanged page renders no row
template at all.  A changed case is a different row (its status, clock flag or due date differ) and
is rendered afresh; nothing has to be invalidated.  docs/adr/0011; off switch
``YIWANG_CASE_ROW_CACHE=0`` renders every row.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from threading import Lock
from typing import Any

from django.conf import settings
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

ROW_TEMPLATE = "workbench/_case_row.html"
CACHE_SIZE = 4096  # rows per process (≈ 1 KB each)


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One printed row (every value a string or flag the row template prints as it is)."""

    number: str
    item_name: str
    applicant_name: str
    submitted_text: str
    status: str
    status_text: str
    outcome: str
    outcome_text: str
    due_text: str
    provisional: bool
    due_css: str
    due_label: str
    url: str


class RowCache:
    """A thread-safe LRU of rendered rows, keyed by (language, row)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.rows: OrderedDict[tuple[str, CaseRow], SafeString] = OrderedDict()
        self.lock = Lock()

    def get(self, key: tuple[str, CaseRow]) -> SafeString | None:
        with self.lock:
            html = self.rows.get(key)
            if html is not None:
                self.rows.move_to_end(key)
            return html

    def put(self, key: tuple[str, CaseRow], html: SafeString) -> None:
        with self.lock:
            self.rows[key] = html
            self.rows.move_to_end(key)
            while len(self.rows) > self.size:
                self.rows.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.rows.clear()


CACHE = RowCache(CACHE_SIZE)


def case_row(case: Any, detail_prefix: str) -> CaseRow:
    """The printed row of a case prepared by ``todo_views.with_due`` (texts already formatted)."""
    due = case.due_info or {}
    return CaseRow(
        number=case.number,
        item_name=case.item.name,
        applicant_name=case.applicant_name,
        submitted_text=case.submitted_text,
        status=case.status,
        status_text=str(case.status_text),
        outcome=case.outcome or "",
        outcome_text=str(case.outcome_text),
        due_text=case.due_text,
        provisional=bool(case.due_text and case.deadline_provisional and case.due_date_provisional),
        due_css=due.get("css", ""),
        due_label=str(due.get("label", "")),
        url=f"{detail_prefix}{case.public_id}/",
    )


def rows_html(cases: Iterable[Any]) -> list[SafeString]:
    """The HTML of each case's row, from the cache where this process rendered it before."""
    template = get_template(ROW_TEMPLATE)
    prefix = reverse("workbench:case_list")
    language = get_language() or ""
    use_cache = settings.YIWANG_CASE_ROW_CACHE
    out = []
    for case in cases:
        row = case_row(case, prefix)
        key = (language, row)
        html = CACHE.get(key) if use_cache else None
        if html is None:
            html = mark_safe(template.render({"row": row}))
            if use_cache:
                CACHE.put(key, html)
        out.append(html)
    return out
