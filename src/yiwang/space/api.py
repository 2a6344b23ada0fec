"""JSON API of the space app (/api/v1/space/).  Errors answer ``{"code","message","fields"}``."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["space"])
