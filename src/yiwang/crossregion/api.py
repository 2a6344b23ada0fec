"""JSON API of the crossregion app (/api/v1/crossregion/)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["crossregion"])
