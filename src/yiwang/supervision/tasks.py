"""Tasks of supervision: telling the recipients about warnings after commit (inbox + SMS)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django_tasks import task

from yiwang.cases.notifications import deliver_once
from yiwang.core.models import Organisation
from yiwang.supervision.models import SupervisionWarning, WarningLevel, WarningStatus
from yiwang.supervision.recipients import recipients

LINK = "/workbench/supervision/"


@task()
def notify_case_warning(case_id: int, rule_id: int) -> None:
    """The open warning of ``rule_id`` on ``case_id`` raised at event time (found by the pair: the
    insert that raised it returns no id), told once to each recipient."""
    send_warning_messages(
        SupervisionWarning.objects.filter(case_id=case_id, rule_id=rule_id).exclude(
            status=WarningStatus.CLOSED
        )
    )


def send_warning_messages(candidates: QuerySet[SupervisionWarning]) -> None:
    warning = (
        candidates.select_related("case", "item", "department__region", "rule")
        .filter(notified_at__isnull=True)
        .first()
    )
    if warning is None:
        return
    body = (
        f"【{warning.get_level_display()}】{warning.case.number}“{warning.item.name}”：{warning.rule.name}。"
    )
    for user in recipients(warning.department, warning.case):
        deliver_once(
            user,
            title=f"电子监察预警：{warning.rule.name}",
            body=body,
            link=f"{LINK}warnings/{warning.public_id}/",
            occurred_at=warning.raised_at,
            phone=user.phone,
        )
    SupervisionWarning.objects.filter(pk=warning.pk).update(notified_at=timezone.now())


@task()
def notify_pending_warnings() -> int:
    """After a scan: one digest per department (new red and yellow counts) to each recipient."""
    now = timezone.now()
    pending = SupervisionWarning.objects.filter(notified_at__isnull=True)
    counts = pending.values("department_id").annotate(
        red=Count("pk", filter=Q(level=WarningLevel.RED)),
        yellow=Count("pk", filter=Q(level=WarningLevel.YELLOW)),
    )
    sent = 0
    for row in counts:
        department = Organisation.objects.select_related("region").get(pk=row["department_id"])
        body = (
            f"{department.name}新增电子监察预警：红色 {row['red']} 条，黄色 {row['yellow']} 条，请及时处理。"
        )
        for user in recipients(department):
            deliver_once(
                user, title="电子监察预警汇总", body=body, link=LINK, occurred_at=now, phone=user.phone
            )
            sent += 1
        pending.filter(department_id=row["department_id"]).update(notified_at=now)
    return sent
