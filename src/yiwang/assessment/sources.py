"""Indicator sources assessment adds to the registry (``yiwang.metrics.sources``), registered in
:meth:`AssessmentConfig.ready`.

``sharing_response_rate`` (共享申请按时答复率): of the share requests (共享申请) whose answer was due
in the period, the share (%) the provider decided (approved, narrowed or refused) by the deadline;
per provider department, and per region of the providers.  Withdrawn requests do not count; a unit
without a request due has no value (None is never returned: such units are absent).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from yiwang.metrics import sources
from yiwang.sharing.models import RequestStatus, ShareRequest

DECIDED = (RequestStatus.APPROVED, RequestStatus.NARROWED, RequestStatus.REFUSED)


def _bounds(period: sources.Period) -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(period.start, time.min, tzinfo=zone)
    end = datetime.combine(period.end, time.max, tzinfo=zone)
    return start, end


def sharing_response_rate(period: sources.Period, level: str) -> dict[str, float | None]:
    start, end = _bounds(period)
    rows = (
        ShareRequest.objects.filter(due_at__gte=start, due_at__lte=end)
        .exclude(status=RequestStatus.WITHDRAWN)
        .values_list(
            "resource__provider__public_id",
            "resource__provider__region__code",
            "status",
            "decided_at",
            "due_at",
        )
    )
    due: dict[str, int] = defaultdict(int)
    on_time: dict[str, int] = defaultdict(int)
    for provider, region, status, decided_at, due_at in rows:
        key = str(provider) if level == "department" else str(region)
        due[key] += 1
        if status in DECIDED and decided_at is not None and due_at is not None and decided_at <= due_at:
            on_time[key] += 1
    return {key: round(100.0 * on_time[key] / n, 2) for key, n in due.items()}


def register_sources() -> None:
    sources.register(
        sources.Source(
            name="sharing_response_rate",
            label=_("共享申请按时答复率"),
            unit="%",
            higher_is_better=True,
            fn=sharing_response_rate,
            levels=("department", "region"),
            context="assessment",
        )
    )
