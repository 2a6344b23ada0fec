"""JSON API of the hall (/api/v1/hall/): appointments (slots, bookings, check-in, blocks), the queue
(tickets, calling) and windows.  Errors answer ``{"code","message","fields"}``."""

from __future__ import annotations

from ninja import Router

from yiwang.hall.api_agency import router as agency_router
from yiwang.hall.api_appointments import router as appointments_router
from yiwang.hall.api_queue import router as queue_router

router = Router(tags=["hall"])
router.add_router("", appointments_router)
router.add_router("", queue_router)
router.add_router("", agency_router)
