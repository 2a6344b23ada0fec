"""The case metrics (运行指标) computed from aggregate sums, and their registration as sources.

Each metric is a function of the sums of one unit (:func:`yiwang.metrics.reads.totals`) and, for
运行率, the unit's number of published items.  ``None`` when the denominator is zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from yiwang.metrics import reads, sources
from yiwang.metrics.sources import Period, Source


def _ratio(numerator: float, denominator: float, scale: float = 100.0) -> float | None:
    return round(numerator * scale / denominator, 2) if denominator else None


@dataclass(frozen=True)
class Metric:
    name: str
    label: Any
    unit: str
    higher_is_better: bool
    compute: Callable[[dict[str, int], int], float | None]  # (sums, published items) → value


METRICS: tuple[Metric, ...] = (
    Metric("filed_count", _("申请件数"), "count", True, lambda t, n: float(t["filed"])),
    Metric("completed_count", _("办结件数"), "count", True, lambda t, n: float(t["completed"])),
    Metric("operation_rate", _("运行率"), "%", True, lambda t, n: _ratio(min(t["items_used"], n), n)),
    Metric("on_time_rate", _("按时办结率"), "%", True, lambda t, n: _ratio(t["on_time"], t["with_due"])),
    Metric(
        "overdue_rate",
        _("超期率"),
        "%",
        False,
        lambda t, n: _ratio(t["late"] + t["overdue_open"], t["with_due"] + t["overdue_open"]),
    ),
    Metric("refusal_rate", _("结果否定率"), "%", False, lambda t, n: _ratio(t["refused"], t["decided"])),
    Metric(
        "avg_handling_days",
        _("平均办理时长"),
        "days",
        False,
        lambda t, n: _ratio(t["handling_days"], t["timed"], 1),
    ),
    Metric(
        "avg_committed_days",
        _("平均承诺时限"),
        "days",
        False,
        lambda t, n: _ratio(t["committed_days"], t["timed"], 1),
    ),
    Metric(
        "avg_statutory_days",
        _("平均法定时限"),
        "days",
        False,
        lambda t, n: _ratio(t["statutory_days"], t["timed"], 1),
    ),
    Metric("online_share", _("网上办理占比"), "%", True, lambda t, n: _ratio(t["online"], t["filed"])),
    Metric("zero_visit_share", _("零跑动占比"), "%", True, lambda t, n: _ratio(t["zero_visit"], t["filed"])),
    Metric(
        "one_visit_share", _("最多跑一次占比"), "%", True, lambda t, n: _ratio(t["one_visit"], t["filed"])
    ),
    Metric("visits_saved", _("减少跑动次数"), "count", True, lambda t, n: float(t["visits_saved"])),
    Metric("immediate_share", _("即办件占比"), "%", True, lambda t, n: _ratio(t["immediate"], t["filed"])),
    Metric(
        "time_saved_days",
        _("平均节省时间（较法定时限）"),
        "days",
        True,
        lambda t, n: _ratio(t["time_saved_days"], t["timed"], 1),
    ),
    Metric(
        "time_saved_rate",
        _("时限压缩率（较法定时限）"),
        "%",
        True,
        lambda t, n: _ratio(t["time_saved_days"], t["statutory_days"]),
    ),
)
BY_NAME = {m.name: m for m in METRICS}


def evaluate(sums: dict[str, int], items: int) -> dict[str, float | None]:
    return {m.name: m.compute(sums, items) for m in METRICS}


def per_unit(
    period: Period, level: str, scope: Any = None, filters: reads.Filters | None = None
) -> list[dict[str, Any]]:
    """One row per unit of ``level`` with activity or published items: key, label, every metric.

    Three queries: the grouped sums, the published items per unit, the units' labels."""
    sums = reads.grouped(period, level, scope, filters)
    items = reads.published_items(level, scope, filters) if level != "channel" else {}
    ids = sorted(set(sums) | {k for k in items if k is not None}, key=str)
    labels = reads.unit_labels(level, ids)
    out: list[dict[str, Any]] = []
    for unit in ids:
        unit_sums = sums.get(unit) or _empty_sums()
        key, label = labels.get(unit, (str(unit), str(unit)))
        out.append(
            {"key": key, "label": label, "sums": unit_sums, "values": evaluate(unit_sums, items.get(unit, 0))}
        )
    out.sort(key=lambda r: (-r["sums"]["filed"], r["label"]))
    return out


def _empty_sums() -> dict[str, int]:
    return dict.fromkeys(reads.SUM_NAMES, 0)


def _source_fn(metric: Metric) -> sources.SourceFn:
    def fn(period: Period, level: str) -> dict[str, float | None]:
        return {row["key"]: row["values"][metric.name] for row in per_unit(period, level)}

    return fn


def register_sources() -> None:
    """Register every metric in :mod:`yiwang.metrics.sources` (called by ``MetricsConfig.ready``)."""
    for metric in METRICS:
        sources.register(
            Source(
                name=metric.name,
                label=metric.label,
                unit=metric.unit,
                higher_is_better=metric.higher_is_better,
                fn=_source_fn(metric),
                context="metrics",
            )
        )
