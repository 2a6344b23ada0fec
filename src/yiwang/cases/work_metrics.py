"""The case gauges of /metrics: cases by status and open cases counted on provisional deadlines.

The kernel's exposition (:mod:`yiwang.core.metrics`) names no app; this collector is registered
with :func:`yiwang.core.metrics.register_collector` where the metrics route is wired (yiwang.urls).
"""

from __future__ import annotations

from django.db.models import Count

from yiwang.cases.models import Case, CaseStatus
from yiwang.core.metrics import escape_label


def case_lines() -> list[str]:
    """``yiwang_cases{status=…}`` for every status (0 included) and ``yiwang_cases_deadline_provisional``."""
    lines = [
        "# HELP yiwang_cases Cases by status.",
        "# TYPE yiwang_cases gauge",
    ]
    counts: dict[str, int] = dict.fromkeys(CaseStatus.values, 0)
    for row in Case.objects.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    for status, n in sorted(counts.items()):
        lines.append(f'yiwang_cases{{status="{escape_label(status)}"}} {n}')
    lines += [
        "# HELP yiwang_cases_deadline_provisional Open cases whose deadlines are counted provisionally.",
        "# TYPE yiwang_cases_deadline_provisional gauge",
        "yiwang_cases_deadline_provisional "
        f"{Case.objects.filter(deadline_provisional=True, completed_at__isnull=True).count()}",
    ]
    return lines
