"""Appointments part of /api/v1/hall/: halls, slots, bookings, check-in, booking blocks."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["hall"])
