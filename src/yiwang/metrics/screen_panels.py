"""Panels of the big screen (视窗) fed by the apps above metrics: the hall's queues, 好差评.

An app registers ``(key, title, figures)`` at start (``AppConfig.ready``); ``figures()`` returns
today's rows ``[{"label": <msgid>, "value": <number or text>}]``.  Titles and labels are the Chinese
message ids (marked with ``gettext_noop``): the screen's snapshot is shared by every language and the
template translates them when it renders.  The snapshot's cache (``metrics.screen``) bounds how often
they run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Figures = Callable[[], list[dict[str, Any]]]


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    figures: Figures


_PANELS: dict[str, Panel] = {}


def register_panel(key: str, title: str, figures: Figures) -> None:
    """Add (or replace, on a re-import) the panel ``key``."""
    _PANELS[key] = Panel(key, title, figures)


def unregister_panel(key: str) -> None:
    _PANELS.pop(key, None)


def panels() -> list[dict[str, Any]]:
    """Every registered panel with today's rows, in registration order."""
    return [{"key": p.key, "title": p.title, "rows": p.figures()} for p in list(_PANELS.values())]
