"""JSON API of the federation app (/api/v1/federation/)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["federation"])
