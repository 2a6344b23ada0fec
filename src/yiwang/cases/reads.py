"""Cases read path (读取): list rows, the case detail, the to-do and its totals.

The one place for the read-path optimisations of the cases app; the API (``api.py``,
``staff_api.py``), the records API and the workbench pages read through these functions, so a page
and an endpoint that show the same thing show the same numbers.  Each mechanism has an ADR with its
cost and its off switch:

* wire rows (:func:`summary_page`): list rows built from column values in wire form, derived from
  :class:`~yiwang.cases.schemas.CaseSummaryOut` by field name — ``tests/test_list_rows.py``;
* detail snapshots (:func:`detail_response`, :mod:`yiwang.cases.detail_cache`) — docs/adr/0002,
  ``YIWANG_DETAIL_SNAPSHOTS``;
* queue counters (:func:`todo_counts`, :func:`todo_total`, :mod:`yiwang.cases.queues`) —
  docs/adr/0003, ``YIWANG_QUEUE_COUNTERS``;
* compiled to-do SQL (:func:`todo_page`, :mod:`yiwang.core.compiled`) — docs/adr/0004,
  ``YIWANG_COMPILED_ROWS``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable
from datetime import date, datetime
from operator import attrgetter
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import Count, QuerySet, Sum, TextChoices
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja.responses import Response as NinjaResponse
from pydantic import BaseModel

from yiwang.accounts.models import User
from yiwang.cases import detail_cache, queues, services
from yiwang.cases.clock import ClockState, clock_state_of, due_soon_days, gap_overdue
from yiwang.cases.models import (
    Case,
    CaseDelivery,
    CaseDocument,
    CaseEventType,
    CaseMaterial,
    CaseStatus,
    QueueCounter,
)
from yiwang.cases.schemas import CaseDetailOut, CaseDocumentOut, CaseMaterialOut, CaseSummaryOut, DeliveryOut
from yiwang.core.calendar import add_working_days
from yiwang.core.compiled import CompiledRows
from yiwang.core.keyset import KeysetPage, keyset_page
from yiwang.core.wire import json_response, wire_date, wire_datetime

# --- switches (docs/adr/0002, 0003: default on; off gives the same answers, only slower) -----------


def detail_snapshots_enabled() -> bool:
    """``YIWANG_DETAIL_SNAPSHOTS``: serve stored case details (off: render every detail afresh)."""
    return bool(getattr(settings, "YIWANG_DETAIL_SNAPSHOTS", True))


def queue_counters_enabled() -> bool:
    """``YIWANG_QUEUE_COUNTERS``: to-do totals from the counters (off: count the cases)."""
    return bool(getattr(settings, "YIWANG_QUEUE_COUNTERS", True))


# --- labels --------------------------------------------------------------------------------------
def label(choices: type[TextChoices], value: str) -> str:
    """The display label of a stored choice (the value itself if the choice is unknown).

    Direct enum lookup: ``get_FOO_display()`` hashes every lazy choice on each call, which showed up
    as the largest single cost of a 50-row to-do page."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def status_label(status: str) -> str:
    return label(CaseStatus, status)


# --- list rows (wire rows) -----------------------------------------------------------------------
# Where each field of CaseSummaryOut comes from: a column of the case (Django lookup path) ...
SUMMARY_SOURCES: dict[str, str] = {
    "id": "public_id",
    "number": "number",
    "item_id": "item__public_id",
    "item_name": "item__name",
    "handling_organisation": "handling_organisation__name",
    "applicant_name": "applicant_name",
    "status": "status",
    "outcome": "outcome",
    "channel": "channel",
    "submitted_at": "submitted_at",
    "accepted_at": "accepted_at",
    "due_date": "due_date",
    "completed_at": "completed_at",
    "lock_version": "lock_version",
}
# ... or worked out from the row (the label and the clock).
SUMMARY_COMPUTED = frozenset({"status_label", "due_soon", "overdue", "clock_paused", "working_days_left"})
# Columns the computed fields read besides the sourced ones.
_CLOCK_COLUMNS = ("status", "due_date", "completed_at", "clock_paused")


def _plain(annotation: Any) -> Any:
    """``X | None`` → ``X``."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _wire(annotation: Any) -> Callable[[Any], Any] | None:
    """How a value of the field's type is put on the wire (None: as it is)."""
    kind = _plain(annotation)
    if kind is UUID:
        return lambda value: None if value is None else str(value)
    if kind is datetime:
        return wire_datetime
    if kind is date:
        return wire_date
    return None


RowPlan = tuple[tuple[str, int, Callable[[Any], Any] | None], ...]


def summary_plan(schema: type[BaseModel] = CaseSummaryOut) -> tuple[tuple[str, ...], RowPlan]:
    """The columns a list row reads and, per response field in schema order, (name, column index
    or -1 for a computed field, wire converter).  Derived once from the response model by name: a
    field added to :class:`CaseSummaryOut` without a source here stops the import."""
    fields = schema.model_fields
    unmapped = set(fields) - set(SUMMARY_SOURCES) - SUMMARY_COMPUTED
    stale = (set(SUMMARY_SOURCES) | SUMMARY_COMPUTED) - set(fields)
    if unmapped or stale:
        raise TypeError(
            f"{schema.__name__} and reads.SUMMARY_SOURCES disagree: unmapped {sorted(unmapped)}, "
            f"not in the schema {sorted(stale)}"
        )
    columns = list(dict.fromkeys(SUMMARY_SOURCES[name] for name in fields if name in SUMMARY_SOURCES))
    columns += [c for c in _CLOCK_COLUMNS if c not in columns]
    plan = tuple(
        (name, columns.index(SUMMARY_SOURCES[name]), _wire(field.annotation))
        if name in SUMMARY_SOURCES
        else (name, -1, None)
        for name, field in fields.items()
    )
    return tuple(columns), plan


# The columns list endpoints load as plain values — not the guide snapshot, form data or the item's
# guide text (a 50-row to-do page otherwise moves ~100 KB per request), and no model instances.
SUMMARY_COLUMNS, _SUMMARY_PLAN = summary_plan()
_STATUS, _DUE, _COMPLETED, _PAUSED = (SUMMARY_COLUMNS.index(c) for c in _CLOCK_COLUMNS)
_CASE_VALUES = tuple(attrgetter(column.replace("__", ".")) for column in SUMMARY_COLUMNS)


def summary_row_of(
    row: tuple[Any, ...], today: date | None = None, memo: dict[Any, Any] | None = None
) -> dict[str, Any]:
    """One list row (the fields of :class:`CaseSummaryOut`, in its order) from the values of
    :data:`SUMMARY_COLUMNS`, in wire form (:mod:`yiwang.core.wire`: strings for ids and times, so
    the C encoder renders the page).

    ``memo``: shared by the rows of one page — many rows share a due date and a status, and the
    clock and the label then need working out once.
    """
    status, due_date, completed_at, paused = row[_STATUS], row[_DUE], row[_COMPLETED], row[_PAUSED]
    state: ClockState
    if memo is None:
        state = clock_state_of(due_date, completed_at, paused, today)
        text = status_label(status)
    else:
        key = (due_date, completed_at, paused)
        state = memo.get(key) or memo.setdefault(key, clock_state_of(due_date, completed_at, paused, today))
        text = memo.get(status) or memo.setdefault(status, status_label(status))
    computed = {
        "status_label": text,
        "due_soon": state.due_soon,
        "overdue": state.overdue,
        "clock_paused": state.paused,
        "working_days_left": state.working_days_left,
    }
    return {
        name: computed[name] if index < 0 else row[index] if wire is None else wire(row[index])
        for name, index, wire in _SUMMARY_PLAN
    }


def summary_row(case: Case) -> dict[str, Any]:
    """One list row of a loaded case in wire form (the detail view starts from it)."""
    return summary_row_of(tuple(get(case) for get in _CASE_VALUES))


def summary(case: Case) -> CaseSummaryOut:
    """One list row of a loaded case, as the response model."""
    return CaseSummaryOut.model_validate(summary_row(case))


def rows_page(values: Iterable[tuple[Any, ...]], count: int) -> HttpResponse:
    """A :class:`~yiwang.cases.schemas.CasePageOut` body from rows of :data:`SUMMARY_COLUMNS`."""
    today = timezone.localdate()
    memo: dict[Any, Any] = {}
    return json_response({"items": [summary_row_of(row, today, memo) for row in values], "count": count})


def summary_page(qs: QuerySet[Case], offset: int, limit: int, *, count: int | None = None) -> HttpResponse:
    """A :class:`CasePageOut` page rendered straight from column values.

    The hot lists (a clerk's to-do is reloaded all day) skip model instances and the second
    validation pass of the response model: the rows are built from typed database values with the
    schema's field names, already in wire form, so the body is what django-ninja would render for
    the schema (``tests/test_list_rows.py`` checks both).  ``count``: the total when the caller
    has it without counting (the to-do's queue counters).
    """
    values = qs.values_list(*SUMMARY_COLUMNS)[offset : offset + limit]
    return rows_page(values, qs.count() if count is None else count)


# --- the to-do (待办): one read for the API and the workbench page ---------------------------------
_TODO_ROWS = CompiledRows("workbench.todo")


TODO_PAGE_SIZE = 50  # rows of a to-do page (HTML); the API pages by ?limit=
TODO_ORDERING = ("submitted_at", "id")  # staff_todo's order, made unique for keyset paging
TODO_CLOCK_CAP = 1000  # overdue / due-soon tiles count up to this, then say "1000+"
# The columns a to-do row shows (workbench/_case_rows.html): nothing else is loaded.
TODO_ROW_FIELDS = (
    "id",
    "public_id",
    "number",
    "applicant_name",
    "submitted_at",
    "status",
    "outcome",
    "due_date",
    "deadline_provisional",
    "accepted_at",
    "completed_at",
    "clock_paused",
    "item__name",
)


def todo_cases(user: User, limit: int) -> list[Case]:
    """The first ``limit`` cases of the staff member's to-do, as model instances (the HTML page)."""
    return list(services.staff_todo(user)[:limit])


def todo_rows(user: User, cursor: str | None, size: int = TODO_PAGE_SIZE) -> KeysetPage:
    """A keyset page of the to-do (the API's rows, in its order): ``size`` cases after/before
    ``cursor``, each loaded with :data:`TODO_ROW_FIELDS` only.  One query whatever the queue's
    length or the page's depth; a forged cursor gives the first page."""
    return keyset_page(todo_row_queryset(user), TODO_ORDERING, cursor, size=size)


def todo_row_queryset(user: User) -> QuerySet[Case]:
    """The to-do's cases with :data:`TODO_ROW_FIELDS` only (the rows of :func:`todo_rows`)."""
    return services.staff_todo(user).select_related(None).select_related("item").only(*TODO_ROW_FIELDS)


def todo_clock_querysets(user: User) -> tuple[QuerySet[Case], QuerySet[Case]] | None:
    """The running to-do cases that are overdue, and those due soon (None: no to-do)."""
    if services.todo_scope(user) is None:
        return None
    today = timezone.localdate()
    # due soon ⟺ today ≤ due_date and working_days_between(today, due_date) ≤ N
    #          ⟺ today ≤ due_date < add_working_days(today, N + 1)
    soon_end = add_working_days(today, due_soon_days() + 1)
    running = services.staff_todo(user).filter(clock_paused=False, completed_at__isnull=True).order_by()
    return running.filter(due_date__lt=today), running.filter(due_date__gte=today, due_date__lt=soon_end)


def todo_clock_counts(user: User, cap: int = TODO_CLOCK_CAP) -> dict[str, int]:
    """Open to-do cases that are overdue and due soon (cases/clock.py's flags, as SQL): each
    counted up to ``cap + 1`` rows (a bounded count), so a department with 130,000 open cases costs
    no more than one with 1,001.  A paused clock is neither; a case without a due date neither."""
    querysets = todo_clock_querysets(user)
    if querysets is None:
        return {"overdue": 0, "due_soon": 0}
    overdue, due_soon = querysets
    return {
        "overdue": overdue.values("id")[: cap + 1].count(),
        "due_soon": due_soon.values("id")[: cap + 1].count(),
    }


def todo_counts(user: User) -> dict[str, int]:
    """How many cases of the to-do are in each of its statuses (every to-do status is a key).

    From the queue counters (one grouped read of a few rows), or with ``YIWANG_QUEUE_COUNTERS`` off
    by counting the cases.  The sum is :func:`todo_total`."""
    scope = services.todo_scope(user)
    if scope is None:
        return {}
    organisation_id, statuses = scope
    counts = dict.fromkeys(statuses, 0)
    grouped: Iterable[tuple[str, int | None]]
    if queue_counters_enabled():
        grouped = (
            QueueCounter.objects.filter(organisation_id=organisation_id, status__in=statuses)
            .values_list("status")
            .annotate(n=Sum("count"))
            .order_by()
        )
    else:
        grouped = (
            Case.objects.filter(handling_organisation_id=organisation_id, status__in=statuses)
            .values_list("status")
            .annotate(n=Count("id"))
            .order_by()
        )
    for status, n in grouped:
        counts[status] = int(n or 0)
    return counts


def todo_total(user: User) -> int:
    """How many cases the staff member's to-do holds (the total the API and the page show)."""
    scope = services.todo_scope(user)
    if scope is None:
        return 0
    if queue_counters_enabled():
        return queues.total(*scope)
    return services.staff_todo(user).count()


def todo_page(user: User, offset: int, limit: int) -> HttpResponse:
    """``GET /workbench/todo``: a page of the to-do with :func:`todo_total` as its count.

    The page asked all day by every clerk: its SQL is built once per shape
    (:mod:`yiwang.core.compiled`), with the department and statuses as named parameters."""
    scope = services.todo_scope(user)
    if scope is None:
        return summary_page(services.staff_todo(user), offset, limit, count=0)
    organisation_id, statuses = scope
    values = _TODO_ROWS.rows(
        lambda: services.staff_todo(user).values_list(*SUMMARY_COLUMNS)[offset : offset + limit],
        shape=(statuses, offset, limit),
        params={"organisation_id": organisation_id, "statuses": statuses},
    )
    return rows_page(values, todo_total(user))


def todo_compiled() -> CompiledRows:
    """The compiled to-do query (tests and checks look at its shapes)."""
    return _TODO_ROWS


# --- one case ------------------------------------------------------------------------------------
def material_out(case: Case, material: CaseMaterial) -> CaseMaterialOut:
    return CaseMaterialOut(
        id=material.public_id,
        material_name=material.material_name,
        original_name=material.original_name,
        content_type=material.content_type,
        size=material.size,
        sha256=material.sha256,
        correction_round=material.correction_round,
        superseded=material.superseded,
        source=material.source,
        source_label=str(material.get_source_display()),
        trust_level=material.trust_level,
        trust_level_label=str(material.get_trust_level_display()),
        licence_identifier=material.licence_identifier,
        download_url=reverse("api:case_material", args=[case.public_id, material.public_id]),
    )


def document_out(document: CaseDocument) -> CaseDocumentOut:
    if document.case is not None:
        url = reverse("api:case_document", args=[document.case.public_id, document.public_id])
    else:
        assert document.bundle_application is not None
        url = reverse("api:bundle_document", args=[document.bundle_application.public_id, document.public_id])
    return CaseDocumentOut(
        id=document.public_id,
        kind=document.kind,
        kind_label=str(document.get_kind_display()),
        title=document.title,
        sha256=document.sha256,
        signed=document.signed,
        created_at=document.created_at,
        download_url=url,
    )


def delivery_out(case: Case, *, loaded: bool = False) -> DeliveryOut:
    """``loaded``: ``case.delivery`` was selected with the case just now (otherwise read it fresh)."""
    if loaded:
        try:
            record: CaseDelivery | None = case.delivery
        except CaseDelivery.DoesNotExist:
            record = None
    else:
        record = CaseDelivery.objects.filter(case=case).first()
    if record is None:
        record = CaseDelivery(case=case, method=case.delivery_method)
    return DeliveryOut(
        method=record.method,
        method_label=str(record.get_method_display()),
        address=record.address,
        status=record.status,
        status_label=str(record.get_status_display()),
        delivered_at=record.delivered_at,
        recipient_name=record.recipient_name,
        tracking_number=record.tracking_number,
    )


# Timeline events that prove a case has rows in a side table: without one of them the detail view
# does not query that table (every service that creates such a row records its event in the same
# transaction).
_NOTICE_EVENTS = frozenset({CaseEventType.CORRECTION_REQUESTED})
_SPECIAL_EVENTS = frozenset({CaseEventType.SPECIAL_PROCEDURE_STARTED})
_EXTENSION_EVENTS = frozenset({CaseEventType.EXTENSION_REQUESTED})


def detail_data(case: Case, *, delivery_loaded: bool = False) -> dict[str, Any]:
    """The :class:`CaseDetailOut` fields as plain values (the GET endpoints render them directly).

    ``delivery_loaded``: the case was read with ``select_related("delivery")`` just now.
    """
    events = list(services.case_queryset_for_events(case))
    seen = {event.event_type for event in events}
    notice = None
    if seen & _NOTICE_EVENTS:
        notices = list(case.correction_notices.order_by("-round"))
        # The open round if there is one, otherwise the latest (what the applicant last answered).
        notice = next((n for n in notices if n.resolved_at is None), notices[0] if notices else None)
    data = summary_row(case)
    data.update(
        item_version=case.item_version,
        form_data=case.form_data,
        delivery_method=case.delivery_method,
        statutory_due_date=case.statutory_due_date,
        due_date_provisional=case.due_date_provisional,
        statutory_due_date_provisional=case.statutory_due_date_provisional,
        decision_comment=case.decision_comment,
        result_url=reverse("api:case_result", args=[case.public_id]) if case.result_document else None,
        result_sha256=case.result_sha256,
        events=[
            {
                "sequence": event.sequence,
                "event_type": event.event_type,
                "event_label": label(CaseEventType, event.event_type),
                "from_status": event.from_status,
                "to_status": event.to_status,
                "actor": event.actor_label,
                "channel": event.channel,
                "comment": event.comment,
                "data": event.data,
                "occurred_at": event.occurred_at,
            }
            for event in events
        ],
        materials=[material_out(case, material).model_dump() for material in services.materials_of(case)],
        correction_notice={
            "round": notice.round,
            "items": notice.items,
            "comment": notice.comment,
            "deadline": notice.deadline,
            "resolved_at": notice.resolved_at,
        }
        if notice
        else None,
        documents=[document_out(d).model_dump() for d in case.documents.all()],
        delivery=delivery_out(case, loaded=delivery_loaded).model_dump(),
        paused_working_days=case.paused_working_days,
        extension_days=case.extension_days,
        gap_items=case.gap_items or [],
        gap_deadline=case.gap_deadline,
        gap_resolved_at=case.gap_resolved_at,
        gap_overdue=gap_overdue(case),
        commitment_based=case.commitment_based,
        verification_due_date=case.verification_due_date,
        verified_at=case.verified_at,
        special_procedures=[
            {
                "id": p.public_id,
                "kind": p.kind,
                "kind_label": str(p.get_kind_display()),
                "reason": p.reason,
                "started_at": p.started_at,
                "ended_at": p.ended_at,
                "result": p.result,
                "paused_working_days": p.paused_working_days,
            }
            for p in (case.special_procedures.all() if seen & _SPECIAL_EVENTS else [])
        ],
        extensions=[
            {
                "id": x.public_id,
                "days": x.days,
                "reason": x.reason,
                "status": x.status,
                "requested_by": services.actor_label(x.requested_by),
                "decided_by": services.actor_label(x.decided_by) if x.decided_by else "",
                "decided_at": x.decided_at,
                "decision_comment": x.decision_comment,
            }
            for x in (
                case.extensions.select_related("requested_by", "decided_by")
                if seen & _EXTENSION_EVENTS
                else []
            )
        ],
    )
    return data


def detail(case: Case) -> CaseDetailOut:
    """The detail of a case just changed by a service (validated like any response)."""
    return CaseDetailOut.model_validate(detail_data(case))


def detail_response(user: User, case_id: UUID) -> HttpResponse:
    """GET case detail: the stored rendering while it is current (:mod:`yiwang.cases.detail_cache`),
    else one read of the case with what its header shows, rendered without the second validation
    pass (the body equals the schema's rendering; ``tests/test_list_rows.py``).

    With ``YIWANG_DETAIL_SNAPSHOTS`` off every request renders afresh (and stores nothing)."""

    def build() -> tuple[bytes, bool]:
        data = detail_data(services.get_case_for(user, case_id, for_detail=True), delivery_loaded=True)
        # Extensions show the current names of staff (another table): such a detail is not stored.
        return NinjaResponse(data).content, not data["extensions"]

    if not detail_snapshots_enabled():
        return HttpResponse(build()[0], content_type=detail_cache.CONTENT_TYPE)
    return detail_cache.detail_response(user, case_id, build)
