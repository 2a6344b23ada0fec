"""JSON API of receipts (mounted in yiwang.api at /api/v1/receipts)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["receipts"])
