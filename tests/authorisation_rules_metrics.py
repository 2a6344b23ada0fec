"""Who may call each page and API operation of `metrics` (merged into ``authorisation_rules.RULES``).

Dashboards: staff with a case-handling or management role (window clerks, handlers, approvers, service
managers, supervisors, admins), each within his data scope; the security administrator and the auditor
(三员) and applicants are refused.  The big screen: supervisors, service managers and admins (or a
device with a display key, not probed).
"""

from __future__ import annotations

from authorisation_rules_base import Rule, of

DASHBOARD = of("clerk", "clerk_ps", "approver", "manager", "admin", "supervisor")
SCREEN = of("manager", "admin", "supervisor")

RULES: dict[str, Rule] = {
    "GET /api/v1/dashboards/summary": Rule(DASHBOARD),
    "GET /api/v1/dashboards/today": Rule(DASHBOARD),
    "GET /api/v1/dashboards/top-items": Rule(DASHBOARD),
    "GET /api/v1/dashboards/metrics": Rule(DASHBOARD),
    "GET /api/v1/dashboards/metrics/export": Rule(DASHBOARD),
    "GET /api/v1/dashboards/sources": Rule(DASHBOARD),
    "PAGE /workbench/dashboards/": Rule(DASHBOARD),
    "PAGE /workbench/dashboards/export.xlsx": Rule(DASHBOARD),
    "PAGE /screen/": Rule(SCREEN),
    "PAGE /screen/figures/": Rule(SCREEN),
    "PAGE /screen/regions.json": Rule(SCREEN),
}
