"""Who may call each page and API operation of the hall's queue (/api/v1/hall/ tickets, windows, statistics; /workbench/hall/; /hall/)
(merged into ``authorisation_rules.RULES``).

The device pages (queue screen, board, announcements, ticket machine) and the board data are
public; the probed hall code does not exist, so they answer 404.  The rating device needs the
window's key (404 without it).  The window console is for the hall's window clerks (window_clerk of
the hall's region); the statistics page for the hall's managers, supervisors and staff.  Probed
tickets, windows and appointments do not exist: 404 to everyone.
"""

from __future__ import annotations

from authorisation_rules_base import EVERYONE, NOBODY, USERS, Rule, of

WINDOW_STAFF = of("clerk", "clerk_ps")
HALL_MANAGERS = of("manager", "admin")
STATS_READERS = of("clerk", "clerk_ps", "manager", "admin", "supervisor")

RULES: dict[str, Rule] = {
    "PAGE /hall/queue/<slug:hall_code>/": Rule(EVERYONE, absent_ok=True),
    "PAGE /hall/queue/<slug:hall_code>/board/": Rule(EVERYONE, absent_ok=True),
    "PAGE /hall/queue/<slug:hall_code>/announcements.json": Rule(EVERYONE, absent_ok=True),
    "PAGE /hall/take/<slug:hall_code>/": Rule(EVERYONE, absent_ok=True),
    "PAGE /hall/rate/<uuid:window_id>/": Rule(NOBODY, absent_ok=True),
    "PAGE /workbench/hall/": Rule(WINDOW_STAFF),
    "PAGE /workbench/hall/stats/": Rule(STATS_READERS),
    "PAGE /workbench/hall/setup/": Rule(HALL_MANAGERS),
    "PAGE /workbench/hall/setup/schedules/": Rule(HALL_MANAGERS),
    "PAGE /workbench/hall/setup/schedules/<uuid:schedule_id>/": Rule(NOBODY, absent_ok=True),
    "PAGE /workbench/hall/setup/close-day/": Rule(HALL_MANAGERS),
    "PAGE /workbench/hall/setup/slots/": Rule(HALL_MANAGERS),
    "PAGE /workbench/hall/windows/<uuid:window_id>/<slug:action>/": Rule(WINDOW_STAFF, absent_ok=True),
    "PAGE /workbench/hall/tickets/<uuid:ticket_id>/<slug:action>/": Rule(WINDOW_STAFF, absent_ok=True),
    # 前台综合受理: the clerk must be signed in to a window (409 otherwise: allowed, not refused)
    "PAGE /workbench/hall/register/": Rule(WINDOW_STAFF),
    "PAGE /workbench/hall/register/<uuid:item_id>/": Rule(WINDOW_STAFF, absent_ok=True),
    "PAGE /workbench/hall/cases/<uuid:case_id>/": Rule(WINDOW_STAFF, absent_ok=True),
    "PAGE /workbench/hall/cases/<uuid:case_id>/receipt/": Rule(WINDOW_STAFF, absent_ok=True),
    "PAGE /workbench/hall/cases/<uuid:case_id>/scans/": Rule(WINDOW_STAFF, absent_ok=True),
    "PAGE /workbench/hall/handover/": Rule(WINDOW_STAFF),
    "PAGE /workbench/hall/handover/<uuid:case_id>/": Rule(WINDOW_STAFF, absent_ok=True),
    "PAGE /workbench/hall/person/": Rule(WINDOW_STAFF),
    "POST /api/v1/hall/halls/{hall_id}/tickets": Rule(USERS, absent_ok=True, body={"category": "A"}),
    "GET /api/v1/hall/halls/{hall_id}/queue": Rule(EVERYONE, absent_ok=True),
    "GET /api/v1/hall/tickets/{ticket_id}": Rule(NOBODY, absent_ok=True),
    "POST /api/v1/hall/windows/{window_id}/open": Rule(NOBODY, absent_ok=True, body={}),
    "POST /api/v1/hall/windows/{window_id}/pause": Rule(NOBODY, absent_ok=True, body={}),
    "POST /api/v1/hall/windows/{window_id}/close": Rule(NOBODY, absent_ok=True, body={}),
    "POST /api/v1/hall/windows/{window_id}/call-next": Rule(NOBODY, absent_ok=True, body={}),
    "POST /api/v1/hall/tickets/{ticket_id}/recall": Rule(NOBODY, absent_ok=True, body={}),
    "POST /api/v1/hall/tickets/{ticket_id}/skip": Rule(NOBODY, absent_ok=True, body={}),
    "POST /api/v1/hall/tickets/{ticket_id}/requeue": Rule(NOBODY, absent_ok=True, body={}),
    "POST /api/v1/hall/tickets/{ticket_id}/start": Rule(NOBODY, absent_ok=True, body={}),
    "POST /api/v1/hall/tickets/{ticket_id}/finish": Rule(NOBODY, absent_ok=True, body={}),
    "POST /api/v1/hall/tickets/{ticket_id}/transfer": Rule(NOBODY, absent_ok=True, body={"category": "A"}),
    "POST /api/v1/hall/appointments/{appointment_id}/check-in": Rule(NOBODY, absent_ok=True, body={}),
    "GET /api/v1/hall/halls/{hall_id}/statistics": Rule(NOBODY, absent_ok=True),
}
