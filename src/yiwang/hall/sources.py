"""Indicator sources fed by the hall queue (registered in :mod:`yiwang.metrics.sources`): average
wait and service minutes and the green-channel share of the halls of each region, for the
dashboards and the assessment scheme."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from yiwang.hall.reads_queue import region_figures
from yiwang.metrics.sources import Period, Source, register

INDICATORS: list[tuple[str, Any, str, str, bool]] = [
    ("hall_average_wait_minutes", _("大厅平均等候时长"), "average_wait_minutes", "minutes", False),
    ("hall_average_service_minutes", _("大厅平均办理时长"), "average_service_minutes", "minutes", False),
    ("hall_green_share", _("绿色通道占比"), "green_share", "%", True),
]


def _source(attribute: str) -> Callable[[Period, str], dict[str, float | None]]:
    def fn(period: Period, level: str) -> dict[str, float | None]:
        return {
            region: figures[attribute] for region, figures in region_figures(period.start, period.end).items()
        }

    return fn


def register_all() -> None:
    for name, label, attribute, unit, higher in INDICATORS:
        register(Source(name, label, unit, higher, _source(attribute), levels=("region",), context="hall"))
