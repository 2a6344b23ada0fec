"""JSON API of payments (mounted in yiwang.api at /api/v1/payments)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["payments"])
