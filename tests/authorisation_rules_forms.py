"""Who may call the pages and API operations of the e-form builder and prefill (#25)
(merged into ``authorisation_rules.RULES``).

The builder (电子表单设计器) is for service managers whose region covers the item; the matrix's
manager answers 404 for a random item id (``absent_ok``).  The consent variant of the applicant's form
API is for applicants only (staff 403; an unknown item 404)."""

from __future__ import annotations

from authorisation_rules_base import APPLICANTS, Rule, of

RULES: dict[str, Rule] = {
    "PAGE /workbench/catalog/<uuid:public_id>/form/": Rule(of("manager")),
    "PAGE /workbench/catalog/<uuid:public_id>/form/save/": Rule(of("manager")),
    "PAGE /workbench/catalog/<uuid:public_id>/form/preview/": Rule(of("manager")),
    "POST /api/v1/cases/apply-form/{item_id}/consent": Rule(APPLICANTS, absent_ok=True),
}
