"""JSON API of metrics."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["metrics"])
