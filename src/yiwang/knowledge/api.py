"""JSON API of knowledge (/api/v1/knowledge/)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["knowledge"])
