"""JSON API of sharing (mounted in yiwang.api)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["sharing"])
