"""Who may call each page and API operation of the hall's appointments (/api/v1/hall/ slots, appointments, blocks; /my/appointments/; /workbench/hall/appointments/)
(merged into ``authorisation_rules.RULES``).

Halls and free slots are public.  Applicants book for themselves and see their own bookings and
no-show blocks (/my/appointments/); hall staff (window clerks of the hall's region), the hall's
manager and 12345 hotline agents book for callers and see the hall's bookings; only the hall's
manager sees the hall's blocks and decides appeals.  A probed booking or block does not exist, so
the object endpoints answer 404 to everyone.
"""

from __future__ import annotations

from authorisation_rules_base import APPLICANTS, EVERYONE, NOBODY, Rule, of

HALL_STAFF = of("clerk", "clerk_ps", "manager", "agent", "admin")
HALL_MANAGERS = of("manager", "admin")
PROBE_ITEM = "00000000-0000-4000-8000-000000000000"

RULES: dict[str, Rule] = {
    "PAGE /my/appointments/": Rule(APPLICANTS),
    "PAGE /my/appointments/book/": Rule(APPLICANTS, absent_ok=True),
    "PAGE /my/appointments/<uuid:appointment_id>/": Rule(NOBODY, absent_ok=True),
    "PAGE /my/appointments/<uuid:appointment_id>/cancel/": Rule(NOBODY, absent_ok=True),
    "PAGE /my/appointments/<uuid:appointment_id>/reschedule/": Rule(NOBODY, absent_ok=True),
    "PAGE /my/appointments/blocks/<uuid:block_id>/appeal/": Rule(NOBODY, absent_ok=True),
    "PAGE /workbench/hall/appointments/": Rule(HALL_STAFF),
    "PAGE /workbench/hall/appointments/book/": Rule(HALL_STAFF, absent_ok=True),
    "PAGE /workbench/hall/appointments/<uuid:appointment_id>/": Rule(NOBODY, absent_ok=True),
    "PAGE /workbench/hall/appointments/<uuid:appointment_id>/cancel/": Rule(NOBODY, absent_ok=True),
    "PAGE /workbench/hall/appointments/blocks/<uuid:block_id>/decision/": Rule(NOBODY, absent_ok=True),
    "GET /api/v1/hall/halls": Rule(EVERYONE),
    "GET /api/v1/hall/halls/{hall_id}/slots": Rule(EVERYONE, absent_ok=True),
    "POST /api/v1/hall/appointments": Rule(
        APPLICANTS | HALL_STAFF,
        absent_ok=True,
        body={"slot": "00000000-0000-4000-8000-000000000001", "item": PROBE_ITEM},
    ),
    "GET /api/v1/hall/appointments": Rule(APPLICANTS | HALL_STAFF),
    "GET /api/v1/hall/appointments/{appointment_id}": Rule(NOBODY, absent_ok=True),
    "POST /api/v1/hall/appointments/{appointment_id}/cancel": Rule(NOBODY, absent_ok=True, body={}),
    "POST /api/v1/hall/appointments/{appointment_id}/reschedule": Rule(
        NOBODY, absent_ok=True, body={"slot": "00000000-0000-4000-8000-000000000001"}
    ),
    "GET /api/v1/hall/blocks": Rule(APPLICANTS | HALL_MANAGERS),
    "POST /api/v1/hall/blocks/{block_id}/appeal": Rule(NOBODY, absent_ok=True, body={"reason": "probe"}),
    "POST /api/v1/hall/blocks/{block_id}/decision": Rule(NOBODY, absent_ok=True, body={"lift": True}),
}
