"""JSON API of exchange (mounted in yiwang.api)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["exchange"])
