"""Who may call each page and API operation of `receipts` (merge into ``authorisation_rules.RULES``).

The list answers every logged-in user with what he may see (an applicant his own receipts, finance
officers those of their departments, others none). A receipt and its PDF are seen by its payer and
the finance officers of the collecting department (others 404); the probed ids do not exist (no demo
receipts), so allowed identities get 404 too. The verification pages are public; an unknown code is
a 404 for everyone.
"""

from __future__ import annotations

from authorisation_rules_base import EVERYONE, USERS, Rule

RULES: dict[str, Rule] = {
    "GET /api/v1/receipts": Rule(USERS),
    "GET /api/v1/receipts/{receipt_id}": Rule(USERS, absent_ok=True),
    "GET /api/v1/receipts/{receipt_id}/pdf": Rule(USERS, absent_ok=True),
    "PAGE /verify/receipts/": Rule(EVERYONE),
    "PAGE /verify/receipts/<str:code>/": Rule(EVERYONE, absent_ok=True),
}
