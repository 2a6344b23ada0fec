"""Indicator sources fed by ratings (registered in :mod:`yiwang.metrics.sources`): 好评率 and the
other 好差评 indicators per department, region or item over the services delivered in the period
(definitions: docs/ratings.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from yiwang.metrics.sources import Period, Source, register
from yiwang.ratings.reads import IndicatorRow, indicators

# metrics levels → indicator groups (regions by the department's region code, as supervision does)
LEVEL_GROUPS = {"department": "department", "item": "item", "region": "department_region"}


def _source(attribute: str) -> Callable[[Period, str], dict[str, float | None]]:
    def fn(period: Period, level: str) -> dict[str, float | None]:
        rows = indicators(period.start, period.end, LEVEL_GROUPS[level])
        return {row.key: getattr(row, attribute) for row in rows}

    return fn


INDICATORS: list[tuple[str, Any, str, bool]] = [
    ("rating_good_rate", _("好评率"), "good_rate", True),
    ("rating_active_good_rate", _("主动评价好评率"), "active_good_rate", True),
    ("rating_unrated_rate", _("未评率"), "unrated_rate", False),
    ("rating_bad_reply_rate", _("差评回复率"), "bad_reply_rate", True),
    ("rating_bad_rectify_rate", _("差评整改率"), "bad_rectify_rate", True),
    ("rating_revisit_satisfaction_rate", _("回访整改满意率"), "revisit_satisfaction_rate", True),
]


def register_all() -> None:
    for name, label, attribute, higher in INDICATORS:
        register(Source(name, label, "%", higher, _source(attribute), context="ratings"))


__all__ = ["INDICATORS", "IndicatorRow", "register_all"]
