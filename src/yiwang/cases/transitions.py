"""Case transitions (办件状态变更): the one way a service changes a case.

Every state change of a case follows the same steps, in this order:

1. lock the case row (``select_for_update``; the case before any of its children — notices,
   extensions, procedures, materials — so two transactions never lock them in opposite orders),
2. check the state it expects and, when the caller sent one, the version it read (optimistic
   concurrency: a stale form gets a clear 409 instead of overwriting a newer decision),
3. check the actor's role and data scope,
4. change the case and save only the fields that changed (plus status, ``lock_version`` and
   ``updated_at``),
5. move the case between the queue counters (待办计数, :mod:`yiwang.cases.queues`) when its status
   changed — an explicit step here, not a side effect of ``Case.save``,
6. record the immutable :class:`CaseEvent` (which recomputes the clock and writes the audit entry),
7. notify the applicant after commit.

:func:`transition` does 1–3 and hands a :class:`Transition` whose ``save``, ``record`` and
``notify`` do 4–7; the lower-level functions are public for the few paths that lock differently
(filing a new case, recomputing deadlines, delivery at completion).  Files written during a
transition are deleted again when it fails (:func:`files_removed_on_failure`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from yiwang.accounts import staff as staff_scope
from yiwang.accounts.models import AccountKind, User
from yiwang.accounts.refusals import record_refusal
from yiwang.accounts.services import staff_roles
from yiwang.cases import queues
from yiwang.cases.clock import recompute_clock
from yiwang.cases.documents import case_context, issue_document
from yiwang.cases.errors import CaseErrorCode
from yiwang.cases.models import Case, CaseEvent
from yiwang.cases.notifications import notify_applicant as notify_applicant_task
from yiwang.cases.signals import case_event_recorded
from yiwang.core import audit, request_context
from yiwang.core.errors import Conflict, DomainError, PermissionDenied

SYSTEM_ACTOR_LABEL = "系统"


def local_today() -> date:
    return timezone.localdate()


def actor_label(user: User | None) -> str:
    """How an event names its actor: the system, a clerk with his department, or the user."""
    if user is None:
        return SYSTEM_ACTOR_LABEL
    if user.kind == AccountKind.STAFF and hasattr(user, "staff_profile"):
        return f"{user.staff_profile.real_name}（{user.staff_profile.organisation.name}）"
    return user.display_name or user.username


def require_reason(value: str, field_name: str = "reason", message: str = "须说明理由") -> str:
    """The stripped reason or comment a transition requires (400 ``reason_required`` when blank)."""
    value = (value or "").strip()
    if not value:
        raise DomainError(CaseErrorCode.REASON_REQUIRED, message, {field_name: ["必填"]})
    return value


# --- locking and checks --------------------------------------------------------------------------
def locked_case(case: Case | int, allowed: Iterable[str], expected_version: int | None = None) -> Case:
    """Lock the case row and check it is in one of the allowed states (and not stale)."""
    pk = case.pk if isinstance(case, Case) else case
    locked = (
        Case.objects.select_for_update()
        .select_related("item", "handling_organisation", "applicant")
        .get(pk=pk)
    )
    allowed_set = set(allowed)
    if locked.status not in allowed_set:
        raise Conflict(
            f"办件当前状态为“{locked.get_status_display()}”，不能执行此操作（可能已被他人处理）",
            code=CaseErrorCode.INVALID_TRANSITION,
            fields={"status": [locked.status]},
        )
    if expected_version is not None and locked.lock_version != expected_version:
        raise Conflict(
            "办件已被更新，请刷新后重试",
            code=CaseErrorCode.STALE_CASE,
            fields={"lock_version": [locked.lock_version]},
        )
    return locked


def require_staff_role(actor: User, case: Case, roles: Sequence[str]) -> None:
    """The actor holds one of ``roles`` for the case's handling organisation (403 otherwise; an
    attempt outside his data scope is recorded as a refusal)."""
    held = staff_roles(actor)
    if not held:
        raise PermissionDenied("仅工作人员可执行此操作")
    in_any_scope = staff_scope.in_scope(actor, case.handling_organisation_id)
    if in_any_scope and not held.intersection(roles):
        raise PermissionDenied("您没有执行此操作的角色", code=CaseErrorCode.ROLE_REQUIRED)
    if not in_any_scope or not staff_scope.in_scope(actor, case.handling_organisation_id, roles):
        record_refusal(
            "staff.out_of_scope",
            actor=actor,
            object_type="cases.Case",
            object_id=str(case.public_id),
            detail={"roles": sorted(roles)},
        )
        raise PermissionDenied("该办件不在您的数据范围内", code=CaseErrorCode.NOT_IN_SCOPE)


# --- saving, events, notifications -----------------------------------------------------------------
def save_transition(case: Case, *fields: str, from_status: str) -> None:
    """Save the case's status and ``fields``, bump ``lock_version``, and move the case between the
    queue counters when its status left ``from_status`` (the status it was locked in)."""
    case.lock_version = F("lock_version") + 1  # type: ignore[assignment]
    case.save(update_fields=["status", "lock_version", "updated_at", *fields])
    if case.status != from_status:
        queues.move(case, (case.handling_organisation_id, from_status))
    case.refresh_from_db(fields=["lock_version"])


def record_event(
    case: Case,
    event_type: str,
    *,
    actor: User | None,
    from_status: str,
    comment: str = "",
    data: dict[str, Any] | None = None,
    sequence: int | None = None,
) -> CaseEvent:
    """Write the immutable event, recompute the clock (once accepted) and append the audit entry.

    ``sequence``: known by the caller (1 for a case just created); otherwise the next one."""
    ctx = request_context.current()
    if sequence is None:
        sequence = (case.events.order_by("-sequence").values_list("sequence", flat=True).first() or 0) + 1
    event = CaseEvent.objects.create(
        case=case,
        sequence=sequence,
        event_type=event_type,
        from_status=from_status,
        to_status=case.status,
        actor=actor,
        actor_label=actor_label(actor),
        channel=ctx.channel,
        ip_address=ctx.ip_address,
        comment=comment,
        data=data or {},
        occurred_at=timezone.now(),
    )
    if case.accepted_at is not None:  # 办理时限: recomputed on every event (cases/clock.py)
        recompute_clock(case)
    case_event_recorded.send(sender=CaseEvent, case=case, event=event)
    # Last: the audit chain's lock is shared by every writer and held until commit.
    audit.record(
        f"case.{event_type}", actor=actor, obj=case, detail={"number": case.number, "comment": comment[:500]}
    )
    return event


def notify_applicant(case: Case, event_type: str) -> None:
    """Tell the applicant about the event once the transaction has committed."""
    case_id = case.pk
    transaction.on_commit(lambda: notify_applicant_task.enqueue(case_id, event_type))


# --- files written during a transition --------------------------------------------------------------
def delete_stored_files(names: Iterable[str]) -> None:
    """Files are written before the rows commit; a failed transaction must not leave orphans."""
    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


@contextlib.contextmanager
def files_removed_on_failure() -> Iterator[list[str]]:
    """Yield a list for the names of files stored meanwhile; they are deleted if the block fails."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        delete_stored_files(stored)
        raise


def attach_result_document(case: Case, kind: str, **context: object) -> str:
    """Issue the result document (文书, see cases/documents.py) and keep it as the case's result;
    returns the stored file's name."""
    document = issue_document(
        kind,
        case_context(case, **context),
        organisation=case.handling_organisation,
        number=case.number,
        case=case,
        licensing=case.item.item_type == "01",
    )
    case.result_document.name = document.file.name
    case.result_sha256 = document.sha256
    return str(document.file.name)


# --- the transition --------------------------------------------------------------------------------
@dataclass
class Transition:
    """A locked case on its way from ``from_status``, with the actor and the files stored so far."""

    case: Case
    actor: User | None
    stored: list[str] = field(default_factory=list)
    from_status: str = field(init=False)

    def __post_init__(self) -> None:
        self.from_status = self.case.status

    def save(self, *fields: str) -> None:
        """Steps 4–5: save status, ``fields`` and the version; move the queue counters."""
        save_transition(self.case, *fields, from_status=self.from_status)

    def record(self, event_type: str, *, comment: str = "", data: dict[str, Any] | None = None) -> CaseEvent:
        """Step 6: the event, by this transition's actor, from the status the case was locked in."""
        return record_event(
            self.case, event_type, actor=self.actor, from_status=self.from_status, comment=comment, data=data
        )

    def notify(self, event_type: str) -> None:
        """Step 7: the applicant is told after commit."""
        notify_applicant(self.case, event_type)

    def attach_result(self, kind: str, **context: object) -> None:
        """Issue the case's result document; the file is removed again if the transition fails."""
        self.stored.append(attach_result_document(self.case, kind, **context))


@contextlib.contextmanager
def transition(
    case: Case | int,
    allowed: Iterable[str],
    *,
    actor: User | None,
    roles: Sequence[str] = (),
    expected_version: int | None = None,
) -> Iterator[Transition]:
    """Steps 1–3 in a transaction: lock, check state and version, check ``roles`` (when given).

    Use as ``with transition(case, {CaseStatus.SUBMITTED}, actor=clerk, roles=["window_clerk"]) as t:``
    then change ``t.case`` and call ``t.save(...)``, ``t.record(...)``, ``t.notify(...)``."""
    with files_removed_on_failure() as stored, transaction.atomic():
        locked = locked_case(case, allowed, expected_version)
        if roles:
            if actor is None:  # pragma: no cover - a staff-only transition always has an actor
                raise PermissionDenied("仅工作人员可执行此操作")
            require_staff_role(actor, locked, roles)
        yield Transition(locked, actor, stored)
