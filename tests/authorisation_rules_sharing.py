"""Who may call each page and API operation of `sharing` (merged into ``authorisation_rules.RULES``).

The catalogue (published resources) is read by every staff member; everything else needs a data
official (数据专员), and none of the probe identities is one: those rows allow nobody (``of()``).
The sharing tests prove what data officials and catalogue reviewers may do."""

from __future__ import annotations

from authorisation_rules_base import STAFF, Rule, of

OFFICIALS_ONLY = of()  # data officials (数据专员): none among the probe identities

RULES: dict[str, Rule] = {
    # --- catalogue, resources, requests, grants (API) ---
    "GET /api/v1/sharing/catalogues": Rule(STAFF),
    "POST /api/v1/sharing/catalogues": Rule(OFFICIALS_ONLY),
    "GET /api/v1/sharing/resources": Rule(STAFF),
    "POST /api/v1/sharing/resources": Rule(OFFICIALS_ONLY),
    "GET /api/v1/sharing/resources/{resource_id}": Rule(STAFF, absent_ok=True),
    "PUT /api/v1/sharing/resources/{resource_id}": Rule(OFFICIALS_ONLY),
    "POST /api/v1/sharing/resources/{resource_id}/submit": Rule(OFFICIALS_ONLY),
    "POST /api/v1/sharing/resources/{resource_id}/review": Rule(OFFICIALS_ONLY),
    "POST /api/v1/sharing/resources/{resource_id}/retire": Rule(OFFICIALS_ONLY),
    "GET /api/v1/sharing/resources/{resource_id}/versions": Rule(STAFF, absent_ok=True),
    "POST /api/v1/sharing/requests": Rule(OFFICIALS_ONLY),
    "GET /api/v1/sharing/requests": Rule(OFFICIALS_ONLY),
    "GET /api/v1/sharing/requests/{request_id}": Rule(OFFICIALS_ONLY),
    "POST /api/v1/sharing/requests/{request_id}/decision": Rule(OFFICIALS_ONLY),
    "POST /api/v1/sharing/requests/{request_id}/withdraw": Rule(OFFICIALS_ONLY),
    "GET /api/v1/sharing/grants": Rule(OFFICIALS_ONLY),
    "POST /api/v1/sharing/grants/{grant_id}/revoke": Rule(OFFICIALS_ONLY),
    # --- pages (/workbench/sharing/) ---
    "PAGE /workbench/sharing/": Rule(STAFF),
    "PAGE /workbench/sharing/resources/new/": Rule(OFFICIALS_ONLY),
    "PAGE /workbench/sharing/resources/<uuid:resource_id>/": Rule(STAFF, absent_ok=True),
    "PAGE /workbench/sharing/resources/<uuid:resource_id>/edit/": Rule(OFFICIALS_ONLY),
    "PAGE /workbench/sharing/resources/<uuid:resource_id>/request/": Rule(OFFICIALS_ONLY),
    "PAGE /workbench/sharing/resources/<uuid:resource_id>/<slug:action>/": Rule(OFFICIALS_ONLY),
    "PAGE /workbench/sharing/requests/": Rule(OFFICIALS_ONLY),
    "PAGE /workbench/sharing/requests/<uuid:request_id>/": Rule(OFFICIALS_ONLY),
    "PAGE /workbench/sharing/requests/<uuid:request_id>/<slug:action>/": Rule(OFFICIALS_ONLY),
    "PAGE /workbench/sharing/grants/": Rule(OFFICIALS_ONLY),
    "PAGE /workbench/sharing/grants/<uuid:grant_id>/revoke/": Rule(OFFICIALS_ONLY),
}

# --- data-quality tickets (数据纠错; helper h5): quality_api router mounted at /api/v1/sharing, pages at
# /workbench/sharing/quality/ (quality_urls) and /my/data-quality/ (quality_my_urls).  Every staff member
# reaches the staff endpoints (the probe's resource and tickets do not exist: 404); applicants are
# refused there, and only applicants reach their own reports.
from authorisation_rules_base import APPLICANTS, USERS  # noqa: E402

RULES.update(
    {
        "GET /api/v1/sharing/quality/tickets": Rule(STAFF),
        "POST /api/v1/sharing/quality/tickets": Rule(STAFF, absent_ok=True),
        "GET /api/v1/sharing/quality/statistics": Rule(STAFF),
        "GET /api/v1/sharing/quality/tickets/{ticket_id}": Rule(STAFF, absent_ok=True),
        "POST /api/v1/sharing/quality/tickets/{ticket_id}/accept": Rule(STAFF, absent_ok=True),
        "POST /api/v1/sharing/quality/tickets/{ticket_id}/fix": Rule(STAFF, absent_ok=True),
        "POST /api/v1/sharing/quality/tickets/{ticket_id}/fix-values": Rule(
            STAFF,
            absent_ok=True,
            body={"subject": "340104199003071234", "values": {"name": "x"}, "note": "x"},
        ),
        "POST /api/v1/sharing/quality/tickets/{ticket_id}/reject": Rule(STAFF, absent_ok=True),
        "POST /api/v1/sharing/quality/tickets/{ticket_id}/comments": Rule(USERS, absent_ok=True),
        "GET /api/v1/sharing/quality/mine": Rule(APPLICANTS),
        "POST /api/v1/sharing/quality/mine": Rule(APPLICANTS, absent_ok=True),
        "GET /api/v1/sharing/quality/mine/{ticket_id}": Rule(APPLICANTS, absent_ok=True),
        "PAGE /workbench/sharing/quality/": Rule(STAFF),
        "PAGE /workbench/sharing/quality/new/": Rule(STAFF),
        "PAGE /workbench/sharing/quality/<uuid:public_id>/": Rule(STAFF, absent_ok=True),
        "PAGE /workbench/sharing/quality/<uuid:public_id>/<slug:action>/": Rule(STAFF, absent_ok=True),
        "PAGE /my/data-quality/": Rule(APPLICANTS),
        "PAGE /my/data-quality/<uuid:public_id>/": Rule(APPLICANTS, absent_ok=True),
    }
)

# 供数授权 (feed_views): the system administrator only; the probed authorisation id does not exist.
RULES.update(
    {
        "PAGE /workbench/sharing/feed-sources/": Rule(of("admin")),
        "PAGE /workbench/sharing/feed-sources/<int:source_id>/revoke/": Rule(of("admin"), absent_ok=True),
    }
)
