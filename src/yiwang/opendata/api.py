"""JSON API of opendata (mounted in yiwang.api)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["opendata"])
