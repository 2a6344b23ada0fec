"""JSON API of tickets (/api/v1/tickets/)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["tickets"])
