"""JSON API of the proactive app (/api/v1/proactive/).  Errors answer ``{"code","message","fields"}``."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["proactive"])
