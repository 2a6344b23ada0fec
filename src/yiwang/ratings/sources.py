"""Indicator sources fed by ratings (registered in :mod:`yiwang.metrics.sources`)."""

from __future__ import annotations


def register_all() -> None:
    return None
