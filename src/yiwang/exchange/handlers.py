"""Package handlers (交换包处理函数): what a higher app does with the packages of a kind.

``register("bases.population.feed", apply_population_feed)`` in the app's ``AppConfig.ready()``; the
handler gets a :class:`ReceivedPackage` inside the transaction that marks the package applied, so
what it writes and the receipt commit together.  It returns a small JSON-able result (kept in the
receipt) or raises ``DomainError`` to refuse the package (nothing it wrote is kept).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_HANDLERS: dict[str, Callable[[ReceivedPackage], Any]] = {}


@dataclass(frozen=True)
class ReceivedPackage:
    package_id: str
    sender: str
    kind: str
    sequence: int
    created_at: str
    entries: Mapping[str, bytes]  # entry name → content, every hash already checked


def register(kind: str, handler: Callable[[ReceivedPackage], Any]) -> None:
    """Connect ``handler`` to packages of ``kind`` (one handler per kind; registering again replaces it)."""
    if not kind or len(kind) > 100:
        raise ValueError("kind must be 1..100 characters")
    _HANDLERS[kind] = handler


def unregister(kind: str) -> None:
    _HANDLERS.pop(kind, None)


def handler_for(kind: str) -> Callable[[ReceivedPackage], Any] | None:
    return _HANDLERS.get(kind)


def registered_kinds() -> list[str]:
    return sorted(_HANDLERS)
