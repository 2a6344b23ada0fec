"""Consistency check (一致性核查): does every case agree with its events, process, counters and snapshots?

After a crash (a web or task worker killed, the database restarted) no case may be half-applied: a
transition writes the case row, its event, the queue counters and (through triggers) its detail
snapshot's revision in one transaction, and starts or ends its process in the same one.  This module
counts, for every case:

* **events** — the sequence is gap-free from 1, the first event is the application, each event starts
  where the one before it ended, and the last one ends in the case's status;
* **process** — an accepted case has a running process when its item's process is deployed, a closed
  case has none running, a case not yet accepted has none;
* **counters** — the queue counters (:mod:`yiwang.cases.queues`) equal the open cases per department
  and status;
* **snapshots** — a stored detail body that claims to be current (``built_revision == revision``)
  shows the case's status and all its events;

and, for what the task worker does after commit, **duplicates**: two in-site messages for one event
(same person, text and event time) or two licences from one case; SMS with the same number and text
are counted for information (a repeated correction request legitimately sends the same text again).  ``manage.py check_consistency`` prints the counts
(and exits 1 when anything disagrees); the fault tests (``tests/test_faults.py``) run it after
killing workers and restarting PostgreSQL.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F

from yiwang.accounts.models import InboxMessage, SmsOutboxMessage
from yiwang.cases import queues
from yiwang.cases.models import (
    TERMINAL_STATUSES,
    Case,
    CaseDetailSnapshot,
    CaseEvent,
    CaseEventType,
    CaseStatus,
)
from yiwang.cases.services.process_steps import DEFAULT_PROCESS, SUBJECT_TYPE
from yiwang.core.keyring import decrypt_text
from yiwang.licences.models import Licence
from yiwang.workflow.models import ProcessDefinition, ProcessInstance, ProcessStatus

# Statuses a case reaches without passing acceptance: no process may run for them.
BEFORE_ACCEPTANCE = {CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUIRED}


@dataclass
class Report:
    """What :func:`check` found: counts, and up to ``limit`` examples per kind of problem."""

    cases: int = 0
    events: int = 0
    event_problems: list[str] = field(default_factory=list)
    process_problems: list[str] = field(default_factory=list)
    counter_drift: list[str] = field(default_factory=list)
    snapshot_problems: list[str] = field(default_factory=list)
    duplicate_messages: int = 0
    duplicate_sms: int = 0
    duplicate_licences: int = 0
    snapshots_checked: int = 0
    processes_checked: int = 0

    @property
    def half_applied(self) -> int:
        """Cases with any disagreement between their row, events, process or snapshot."""
        return len(
            {p.split(" ", 1)[0] for p in self.event_problems + self.process_problems + self.snapshot_problems}
        )

    @property
    def ok(self) -> bool:
        return not (
            self.half_applied or self.counter_drift or self.duplicate_messages or self.duplicate_licences
        )

    def lines(self) -> list[str]:
        out = [
            f"办件 {self.cases} 件，过程记录 {self.events} 条",
            f"过程与状态不一致：{len(self.event_problems)}",
            f"流程状态不一致：{len(self.process_problems)}（核对流程实例 {self.processes_checked} 个）",
            f"待办计数不一致：{len(self.counter_drift)}",
            f"详情快照不一致：{len(self.snapshot_problems)}（核对当前快照 {self.snapshots_checked} 个）",
            f"半途办件：{self.half_applied}",
            f"重复站内信：{self.duplicate_messages}，重复证照：{self.duplicate_licences}",
            f"同号码同内容短信：{self.duplicate_sms}（同一事件再次发生时属正常，仅供参考）",
        ]
        for problem in (
            self.event_problems[:20]
            + self.process_problems[:20]
            + self.counter_drift[:20]
            + self.snapshot_problems[:20]
        ):
            out.append(f"  {problem}")
        out.append("一致" if self.ok else "不一致")
        return out


def _event_problems(case: Case, events: list[tuple[int, str, str, str]]) -> list[str]:
    problems: list[str] = []
    if not events:
        return [f"{case.number} 无过程记录"]
    sequences = [e[0] for e in events]
    if sequences != list(range(1, len(events) + 1)):
        problems.append(f"{case.number} 过程序号不连续 {sequences}")
    if events[0][1] != CaseEventType.APPLIED:
        problems.append(f"{case.number} 首条过程不是申请（{events[0][1]}）")
    previous, previous_from = "", ""
    for sequence, event_type, from_status, to_status in events:
        # One transition may record several events (批准 and 办结), each from the status it started in.
        same_transition = from_status == previous_from and to_status == previous
        if previous and from_status and from_status != previous and not same_transition:
            problems.append(
                f"{case.number} 第 {sequence} 条 {event_type} 自 {from_status}，前一条止于 {previous}"
            )
        previous, previous_from = to_status, from_status
    if previous != case.status:
        problems.append(f"{case.number} 状态 {case.status}，末条过程止于 {previous}")
    return problems


def _process_problems(case: Case, instances: list[tuple[str, str]], deployed: set[str]) -> list[str]:
    running = [key for key, status in instances if status == ProcessStatus.RUNNING]
    if case.status in BEFORE_ACCEPTANCE and instances:
        return [f"{case.number} 尚未受理却有流程实例"]
    if case.status in TERMINAL_STATUSES and running:
        return [f"{case.number} 已{case.get_status_display()}，流程仍在运行"]
    if case.status == CaseStatus.ACCEPTED and not running:
        key = case.item.process_key or DEFAULT_PROCESS
        if key in deployed:
            return [f"{case.number} 审查中，流程 {key} 已部署却无运行中的实例"]
    if len(running) > 1:
        return [f"{case.number} 有 {len(running)} 个运行中的流程实例"]
    return []


def _snapshot_problems(case: Case, body: str, events: int) -> list[str]:
    try:
        data = json.loads(decrypt_text(body))  # stored encrypted, as the detail cache does
    except ValueError:
        return [f"{case.number} 详情快照不是 JSON"]
    problems = []
    if data.get("status") != case.status:
        problems.append(f"{case.number} 详情快照状态 {data.get('status')}，办件状态 {case.status}")
    if len(data.get("events", [])) != events:
        problems.append(f"{case.number} 详情快照过程 {len(data.get('events', []))} 条，实际 {events} 条")
    return problems


def _duplicates(rows: Any) -> int:
    """How many rows beyond the first in each group of ``.values(...).annotate(n=Count(...))``."""
    return sum(row["n"] - 1 for row in rows)


def check(batch: int = 2000) -> Report:
    """Count every disagreement; reads in batches of ``batch`` cases."""
    report = Report()
    deployed = set(ProcessDefinition.objects.values_list("key", flat=True).distinct())
    last_id = 0
    while True:
        cases = list(
            Case.objects.filter(pk__gt=last_id)
            .select_related("item")
            .only("id", "number", "status", "public_id", "item__process_key")
            .order_by("pk")[:batch]
        )
        if not cases:
            break
        last_id = cases[-1].pk
        ids = [case.pk for case in cases]
        events: dict[int, list[tuple[int, str, str, str]]] = defaultdict(list)
        for case_id, *row in (
            CaseEvent.objects.filter(case_id__in=ids)
            .order_by("case_id", "sequence")
            .values_list("case_id", "sequence", "event_type", "from_status", "to_status")
        ):
            events[case_id].append(tuple(row))  # type: ignore[arg-type]
        instances: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for subject_id, key, status in ProcessInstance.objects.filter(
            subject_type=SUBJECT_TYPE, subject_id__in=[str(case.public_id) for case in cases]
        ).values_list("subject_id", "definition__key", "status"):
            instances[subject_id].append((key, status))
        snapshots = dict(
            CaseDetailSnapshot.objects.filter(case_id__in=ids, built_revision=F("revision"))
            .exclude(body="")
            .values_list("case_id", "body")
        )
        for case in cases:
            report.cases += 1
            report.events += len(events[case.pk])
            report.event_problems += _event_problems(case, events[case.pk])
            case_instances = instances[str(case.public_id)]
            report.processes_checked += len(case_instances)
            report.process_problems += _process_problems(case, case_instances, deployed)
            if case.pk in snapshots:
                report.snapshots_checked += 1
                report.snapshot_problems += _snapshot_problems(case, snapshots[case.pk], len(events[case.pk]))
    for d in queues.drift():
        report.counter_drift.append(f"部门 {d.organisation_id} {d.status}：计数 {d.counted}，实际 {d.actual}")
    report.duplicate_messages = _duplicates(
        list(
            InboxMessage.objects.values("user_id", "title", "body", "link", "occurred_at")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .values("n")
        )
    )
    report.duplicate_sms = _duplicates(
        list(
            SmsOutboxMessage.objects.values("phone", "body")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .values("n")
        )
    )
    report.duplicate_licences = _duplicates(
        list(
            Licence.objects.filter(source_case__isnull=False)
            .values("source_case_id")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .values("n")
        )
    )
    return report
