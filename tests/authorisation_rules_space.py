"""Who may call each page and API operation of the space app (merged into ``authorisation_rules.RULES``).

The material store (材料库) and the applicant's file (一人一档/一企一档) are for applicants: staff
are sent to their workbench (pages) or refused 403 (API); an entry that is not the caller's (the
probed ids do not exist) is a 404.  The staff files (``/workbench/files/``, ``/api/v1/space/files…``)
are for staff with a role (every identity of the matrix has one); applicants get 403; the probed
subject does not exist (404).
"""

from __future__ import annotations

from authorisation_rules_base import APPLICANTS, STAFF, Rule

MATERIAL = "/api/v1/space/materials/{material_id}"

RULES: dict[str, Rule] = {
    "PAGE /my/materials/": Rule(APPLICANTS),
    "PAGE /my/materials/<uuid:public_id>/": Rule(APPLICANTS, absent_ok=True),
    "PAGE /my/materials/<uuid:public_id>/download/": Rule(APPLICANTS, absent_ok=True),
    "PAGE /my/materials/<uuid:public_id>/delete/": Rule(APPLICANTS, absent_ok=True),
    "PAGE /my/file/": Rule(APPLICANTS),
    "PAGE /workbench/files/": Rule(STAFF),
    "PAGE /workbench/files/<uuid:subject_id>/": Rule(STAFF, absent_ok=True),
    "GET /api/v1/space/materials": Rule(APPLICANTS),
    "POST /api/v1/space/materials": Rule(APPLICANTS, body={}),
    f"GET {MATERIAL}": Rule(APPLICANTS, absent_ok=True),
    f"DELETE {MATERIAL}": Rule(APPLICANTS, absent_ok=True),
    "GET /api/v1/space/licences": Rule(APPLICANTS),
    "GET /api/v1/space/file": Rule(APPLICANTS),
    "GET /api/v1/space/files/search": Rule(STAFF),
    "GET /api/v1/space/files/{subject_id}": Rule(STAFF, absent_ok=True),
}
