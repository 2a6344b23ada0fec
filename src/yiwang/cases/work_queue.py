"""The staff work queue (流程待办 / 已办) seen through the cases: the filters that match case facts,
the case behind each work item and the deadline colour of an item (the earlier of the task's own
deadline and the case's committed date).

The workflow app knows nothing of cases (it sits below them); this module joins its work items to
the cases they serve through the process reference (the case number).  The workbench page and the
API (:mod:`yiwang.cases.work_queue_api`) share :class:`TaskFilters` and these reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, field_validator

from yiwang.accounts.models import User
from yiwang.cases.models import Case
from yiwang.core import calendar
from yiwang.core.errors import DomainError
from yiwang.core.inputs import parse_day
from yiwang.workflow.models import WorkItem, WorkItemStatus
from yiwang.workflow.services import OPEN_STATUSES

DUE_SOON_WORKING_DAYS = 3
STATUS_CHOICES = (WorkItemStatus.OPEN.value, WorkItemStatus.CLAIMED.value)
MINE_CHOICES = ("mine", "unclaimed")


# --- filters ------------------------------------------------------------------------------------
class TaskFilters(BaseModel):
    """待办筛选 Filters of the to-do and done lists (the workbench page and the API share them).

    Lenient like a search form: an unknown status, a bad date or an over-long text is dropped or
    cut, never refused, so a stale bookmark still opens the list.
    """

    model_config = ConfigDict(frozen=True)

    item: str = ""  # ServiceItem public id
    status: str = ""  # open | claimed
    task: str = ""  # BPMN element id (task type)
    due_from: date | None = None
    due_to: date | None = None
    mine: str = ""  # "mine": claimed by me, "unclaimed": open
    q: str = ""  # case number or applicant name

    @field_validator("item", "task", "q", mode="before")
    @classmethod
    def _text(cls, value: Any, info: Any) -> str:
        limit = {"item": 40, "task": 64, "q": 50}[info.field_name]
        return str(value or "").strip()[:limit]

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> str:
        return value if value in STATUS_CHOICES else ""

    @field_validator("mine", mode="before")
    @classmethod
    def _mine(cls, value: Any) -> str:
        return value if value in MINE_CHOICES else ""

    @field_validator("due_from", "due_to", mode="before")
    @classmethod
    def _day(cls, value: Any) -> date | None:
        return value if isinstance(value, date) else parse_day(value)

    @property
    def active(self) -> bool:
        return any((self.item, self.status, self.task, self.due_from, self.due_to, self.mine, self.q))


def filter_tasks(qs: QuerySet[WorkItem], filters: TaskFilters, *, user: User) -> QuerySet[WorkItem]:
    """Apply :class:`TaskFilters`; case facts (item, applicant) are matched through the case number."""
    if filters.status in STATUS_CHOICES:
        qs = qs.filter(status=filters.status)
    if filters.task:
        qs = qs.filter(task_name=filters.task)
    if filters.due_from:
        qs = qs.filter(due_date__gte=filters.due_from)
    if filters.due_to:
        qs = qs.filter(due_date__lte=filters.due_to)
    if filters.mine == "mine":
        qs = qs.filter(assignee=user)
    elif filters.mine == "unclaimed":
        qs = qs.filter(status=WorkItemStatus.OPEN)
    if filters.item:
        try:
            item_id = UUID(filters.item)
        except ValueError:
            return qs.none()
        qs = qs.filter(instance__reference__in=Case.objects.filter(item__public_id=item_id).values("number"))
    if filters.q:
        term = filters.q.strip()[:50]
        qs = qs.filter(
            Q(instance__reference__icontains=term)
            | Q(instance__reference__in=Case.objects.filter(applicant_name__icontains=term).values("number"))
        )
    return qs


def cases_of(items: Iterable[WorkItem]) -> dict[str, Case]:
    """The cases behind the work items (one query), by case number (the process reference)."""
    numbers = {item.instance.reference for item in items if item.instance.reference}
    if not numbers:
        return {}
    return {c.number: c for c in Case.objects.filter(number__in=numbers).select_related("item")}


def case_of(item: WorkItem) -> Case | None:
    """The case behind one work item, if its process serves one."""
    return Case.objects.select_related("item").filter(number=item.instance.reference).first()


# --- deadline colours (时限预警) ------------------------------------------------------------------
def clock_state(due: date | None, today: date) -> dict[str, str] | None:
    """绿 / 黄 / 红: on time, due within 3 working days, or overdue (working days, holidays and 调休)."""
    if due is None:
        return None
    if due < today:
        return {"css": "due-overdue", "label": _("已超期 %(n)d 天") % {"n": (today - due).days}}
    try:
        left = calendar.working_days_between(today, due)
    except DomainError:  # calendar year not loaded: count calendar days
        left = (due - today).days
    if left <= DUE_SOON_WORKING_DAYS:
        return {"css": "due-soon", "label": _("即将到期（剩 %(n)d 个工作日）") % {"n": left}}
    return {"css": "due-ok", "label": _("正常（剩 %(n)d 个工作日）") % {"n": left}}


def task_due(item: WorkItem, case: Case | None) -> date | None:
    """The earlier of the task's own deadline and the case's committed date (the case clock)."""
    dates = [d for d in (item.due_date, case.due_date if case is not None else None) if d is not None]
    return min(dates) if dates else None


def case_clock(item: WorkItem, case: Case | None, today: date) -> dict[str, str] | None:
    """The deadline colour of an open work item; ``None`` once it is closed."""
    if item.status not in OPEN_STATUSES:
        return None
    # The clock helper's flags on the case (due_soon / is_overdue), when present, win.
    if case is not None and getattr(case, "is_overdue", False) is True:
        return {"css": "due-overdue", "label": _("已超期")}
    return clock_state(task_due(item, case), today)
