"""Indicator sources (指标来源): a registry every context can feed and every consumer can read.

``metrics`` computes the case metrics from its aggregates; contexts above it (supervision's warning
and anomaly counts, later ratings and hotline figures) register their own sources in their
``AppConfig.ready()``; the dashboards and the assessment scheme (考核评估) read indicators by name
without importing those contexts.

A source answers, for a period and a level, one value per unit::

    def warning_rate(period: Period, level: str) -> dict[str, float | None]:
        # level: "department" (key: organisation public id), "region" (key: GB/T 2260 code),
        #        "item" (key: implementation code of the item)
        ...

    register(Source(name="warning_rate", label=_("预警率"), unit="%", higher_is_better=False,
                    fn=warning_rate, levels=("department", "region", "item")))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

LEVELS = ("department", "region", "item")


@dataclass(frozen=True)
class Period:
    """A closed range of local dates ``[start, end]``."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("period end before start")


SourceFn = Callable[[Period, str], dict[str, float | None]]


@dataclass(frozen=True)
class Source:
    name: str
    label: Any  # a lazy translation
    unit: str  # "%", "days", "count", "hours", …
    higher_is_better: bool
    fn: SourceFn
    levels: tuple[str, ...] = LEVELS
    context: str = ""  # the app that registered it


_SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    """Add (or replace, on a re-import) the source ``source.name``."""
    _SOURCES[source.name] = source


def unregister(name: str) -> None:
    """Remove the source ``name`` if present (tests; a context switched off)."""
    _SOURCES.pop(name, None)


def get(name: str) -> Source | None:
    return _SOURCES.get(name)


def all_sources() -> list[Source]:
    return sorted(_SOURCES.values(), key=lambda s: s.name)


def values(name: str, period: Period, level: str) -> dict[str, float | None]:
    """The values of one indicator for every unit of ``level`` (KeyError: no such source)."""
    source = _SOURCES[name]
    if level not in source.levels:
        raise ValueError(f"{name} has no values per {level}")
    return source.fn(period, level)
