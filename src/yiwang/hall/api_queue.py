"""Queue part of /api/v1/hall/: tickets, calling, windows, statistics."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["hall"])
