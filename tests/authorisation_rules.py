"""Who may call each endpoint (issue 19): the table the authorisation matrix test
(``tests/test_authorisation_matrix.py``) checks every page and API operation against.

Keys: ``PAGE /<route>`` for a page pattern of the URL conf, ``<METHOD> /api/v1/<path>`` for an
operation of the OpenAPI document.  A new endpoint must get a line here (or in its app's table,
``authorisation_rules_<app>.py``), or the test fails.
"""

from __future__ import annotations

import authorisation_rules_assessment
import authorisation_rules_bases
import authorisation_rules_crossregion
import authorisation_rules_exchange
import authorisation_rules_federation
import authorisation_rules_forms
import authorisation_rules_gateway
import authorisation_rules_hall_agency
import authorisation_rules_hall_appointments
import authorisation_rules_hall_queue
import authorisation_rules_kiosk
import authorisation_rules_knowledge
import authorisation_rules_logistics
import authorisation_rules_metrics
import authorisation_rules_opendata
import authorisation_rules_payments
import authorisation_rules_proactive
import authorisation_rules_ratings
import authorisation_rules_receipts
import authorisation_rules_sharing
import authorisation_rules_space
import authorisation_rules_supervision
import authorisation_rules_tickets
from authorisation_rules_base import (  # noqa: F401 - re-exported for the matrix test
    ANON,
    APPLICANTS,
    EVERYONE,
    IDENTITIES,
    NOBODY,
    STAFF,
    USERS,
    Rule,
    of,
)

# Written from the probes and reviewed: no row lets ``citizen2`` reach ``citizen``'s case, licence or
# authorisation, or ``clerk_ps`` (another department) reach the case of 市场监管局.  ``absent_ok``
# rows are endpoints whose object the probe data does not hold (bundles, results, work items,
# shares…): for them the table still proves that everyone outside ``allowed`` is refused.
# ``supervisor`` (监察人员, region scope) sees every case of the region read-only: on the case actions he
# gets as far as the state check (the probed case is in no state for them) and his missing role is
# refused after it, as for the clerk on the approver's actions.
# ``agent`` (12345 热线坐席, region scope) reads the cases of the region the same way, to answer callers
# about their cases (every read of personal data logged), and acts on none.
RULES: dict[str, Rule] = {
    "DELETE /api/v1/accounts/token": Rule(USERS, skip="revokes the token every later probe uses"),
    "GET /api/v1/accounts/agents": Rule(USERS),
    "GET /api/v1/accounts/identity-checks/{check_id}": Rule(USERS, absent_ok=True),
    "GET /api/v1/accounts/me": Rule(USERS),
    "GET /api/v1/accounts/me/data-access-log": Rule(USERS),
    "GET /api/v1/accounts/me/logins": Rule(USERS),
    "GET /api/v1/accounts/sso/mappings/{sub}": Rule(NOBODY),
    "GET /api/v1/archives/{case_id}": Rule(of("approver"), absent_ok=True),
    "GET /api/v1/archives/{case_id}/package": Rule(of("approver"), absent_ok=True),
    "GET /api/v1/bundle-applications": Rule(USERS),
    "GET /api/v1/bundle-applications/{application_id}": Rule(USERS, absent_ok=True),
    "GET /api/v1/bundle-applications/{application_id}/documents/{document_id}": Rule(USERS, absent_ok=True),
    "GET /api/v1/cases": Rule(USERS),
    "GET /api/v1/cases/apply-form/{item_id}": Rule(APPLICANTS, absent_ok=True),
    "GET /api/v1/cases/status": Rule(EVERYONE),
    "GET /api/v1/cases/{case_id}": Rule(of("citizen", "clerk", "approver", "admin", "supervisor", "agent")),
    "GET /api/v1/cases/{case_id}/documents/{document_id}": Rule(of("citizen"), absent_ok=True),
    "GET /api/v1/cases/{case_id}/materials/{material_id}": Rule(
        of("citizen", "clerk", "approver", "admin", "supervisor", "agent")
    ),
    "GET /api/v1/cases/{case_id}/result": Rule(of("citizen"), absent_ok=True),
    "GET /api/v1/catalog/bundles": Rule(EVERYONE),
    "GET /api/v1/catalog/bundles/{public_id}": Rule(EVERYONE, absent_ok=True),
    "GET /api/v1/catalog/departments": Rule(EVERYONE),
    "GET /api/v1/catalog/items": Rule(EVERYONE),
    "GET /api/v1/catalog/items/{public_id}": Rule(EVERYONE),
    "GET /api/v1/catalog/items/{public_id}/scenarios": Rule(EVERYONE),
    "GET /api/v1/catalog/manage/consistency": Rule(of("manager")),
    "GET /api/v1/catalog/manage/items/{public_id}/diff": Rule(of("manager")),
    "GET /api/v1/catalog/manage/items/{public_id}/scenarios": Rule(of("manager")),
    "GET /api/v1/catalog/manage/items/{public_id}/versions": Rule(of("manager")),
    "GET /api/v1/catalog/themes": Rule(EVERYONE),
    "GET /api/v1/datasets/exports": Rule(NOBODY),
    "GET /api/v1/library/cases": Rule(of("clerk", "approver", "clerk_ps", "supervisor")),
    "GET /api/v1/library/report": Rule(of("clerk", "approver", "clerk_ps", "supervisor")),
    "GET /api/v1/licences/consents": Rule(USERS),
    "GET /api/v1/licences/lookup": Rule(USERS),
    "GET /api/v1/licences/mine": Rule(USERS),
    "GET /api/v1/licences/mine/{licence_id}": Rule(of("citizen")),
    "GET /api/v1/licences/mine/{licence_id}/document": Rule(of("citizen")),
    "GET /api/v1/licences/mine/{licence_id}/shares": Rule(of("citizen")),
    "GET /api/v1/licences/mine/{licence_id}/uses": Rule(of("citizen")),
    "GET /api/v1/licences/represented": Rule(USERS),
    "GET /api/v1/licences/shared/{token}": Rule(EVERYONE, absent_ok=True),
    "GET /api/v1/licences/types": Rule(EVERYONE),
    "GET /api/v1/licences/uses": Rule(USERS),
    "GET /api/v1/licences/verify/{identifier}": Rule(EVERYONE),
    "GET /api/v1/seals": Rule(STAFF),
    "GET /api/v1/seals/authorities/{authority_id}/crl": Rule(EVERYONE, absent_ok=True),
    "GET /api/v1/seals/{seal_id}": Rule(of("clerk", "approver", "admin")),
    "GET /api/v1/seals/{seal_id}/stampings": Rule(of("clerk", "approver", "admin")),
    "GET /api/v1/workbench/cases/{case_id}": Rule(of("clerk", "approver", "admin", "supervisor", "agent")),
    "GET /api/v1/workbench/cases/{case_id}/actions": Rule(
        of("clerk", "approver", "admin", "supervisor", "agent")
    ),
    "GET /api/v1/workbench/todo": Rule(STAFF),
    "GET /api/v1/workbench/verifications": Rule(STAFF),
    "GET /api/v1/workflow/definitions": Rule(of("manager")),
    "GET /api/v1/workflow/tasks": Rule(STAFF),
    "PAGE /": Rule(EVERYONE),
    "PAGE /.well-known/openid-configuration": Rule(EVERYONE),
    "PAGE /admin/": Rule(of("secadmin", "auditor", "admin")),
    "PAGE /bundles/": Rule(EVERYONE),
    "PAGE /bundles/<uuid:public_id>/": Rule(EVERYONE, absent_ok=True),
    "PAGE /bundles/<uuid:public_id>/apply/": Rule(APPLICANTS, absent_ok=True),
    "PAGE /dev/sms/": Rule(EVERYONE),
    "PAGE /favicon.ico": Rule(EVERYONE),
    "PAGE /hall/items/": Rule(EVERYONE),
    "PAGE /healthz": Rule(EVERYONE),
    "PAGE /i18n/setlang/": Rule(EVERYONE),
    "PAGE /items/<uuid:public_id>/": Rule(EVERYONE),
    "PAGE /items/<uuid:public_id>/apply/": Rule(APPLICANTS),
    "PAGE /licences/": Rule(APPLICANTS),
    "PAGE /licences/<uuid:public_id>/": Rule(of("citizen")),
    "PAGE /licences/<uuid:public_id>/consents/": Rule(of("citizen")),
    "PAGE /licences/<uuid:public_id>/document/": Rule(of("citizen")),
    "PAGE /licences/<uuid:public_id>/print/": Rule(of("citizen")),
    "PAGE /licences/<uuid:public_id>/shares/": Rule(of("citizen")),
    "PAGE /licences/consents/<uuid:public_id>/revoke/": Rule(of("citizen"), absent_ok=True),
    "PAGE /licences/shared/<str:token>/": Rule(EVERYONE, absent_ok=True),
    "PAGE /licences/shares/<uuid:public_id>/revoke/": Rule(of("citizen"), absent_ok=True),
    "PAGE /licences/staff/<uuid:public_id>/use/": Rule(of("clerk", "approver", "clerk_ps", "admin")),
    "PAGE /licences/staff/lookup/": Rule(STAFF),
    "PAGE /login/": Rule(APPLICANTS | of("anon")),
    "PAGE /logout/": Rule(EVERYONE, skip="ends the session every later probe uses"),
    # Log-in through the province (docs/identity.md): 404 where no upstream provider is configured.
    "PAGE /accounts/upstream/login/": Rule(EVERYONE, absent_ok=True),
    "PAGE /accounts/upstream/callback/": Rule(EVERYONE, absent_ok=True),
    "PAGE /accounts/upstream/logout/": Rule(EVERYONE, skip="ends the session every later probe uses"),
    "PAGE /metrics": Rule(EVERYONE),
    "PAGE /mode/elderly/": Rule(EVERYONE),
    "PAGE /my/agents/": Rule(APPLICANTS),
    "PAGE /my/agents/<uuid:public_id>/revoke/": Rule(of("citizen"), absent_ok=True),
    "PAGE /my/bundles/<uuid:public_id>/": Rule(of("citizen"), absent_ok=True),
    "PAGE /my/bundles/<uuid:public_id>/documents/<uuid:document_id>/": Rule(of("citizen"), absent_ok=True),
    "PAGE /my/cases/": Rule(APPLICANTS),
    "PAGE /my/cases/<uuid:public_id>/": Rule(of("citizen")),
    "PAGE /my/cases/<uuid:public_id>/correction/": Rule(of("citizen")),
    "PAGE /my/cases/<uuid:public_id>/delivery/": Rule(of("citizen")),
    "PAGE /my/cases/<uuid:public_id>/documents/<uuid:document_id>/": Rule(of("citizen"), absent_ok=True),
    "PAGE /my/cases/<uuid:public_id>/gap/": Rule(of("citizen")),
    "PAGE /my/cases/<uuid:public_id>/materials/<uuid:material_id>/": Rule(of("citizen")),
    "PAGE /my/cases/<uuid:public_id>/result/": Rule(of("citizen"), absent_ok=True),
    "PAGE /my/cases/<uuid:public_id>/withdraw/": Rule(of("citizen")),
    "PAGE /my/company/register/": Rule(APPLICANTS),
    "PAGE /my/data-access/": Rule(APPLICANTS),
    "PAGE /my/messages/": Rule(APPLICANTS),
    "PAGE /my/security/": Rule(APPLICANTS),
    "PAGE /my/security/password/": Rule(APPLICANTS),
    "PAGE /my/security/phone/": Rule(APPLICANTS),
    "PAGE /my/security/phone/sms/": Rule(APPLICANTS),
    "PAGE /my/upgrade/": Rule(APPLICANTS),
    "PAGE /my/upgrade/bank-card/": Rule(of("citizen", "citizen2")),
    "PAGE /my/upgrade/checks/": Rule(APPLICANTS),
    "PAGE /my/upgrade/face/": Rule(of("citizen", "citizen2")),
    "PAGE /my/upgrade/population/": Rule(APPLICANTS),
    "PAGE /o/.well-known/jwks.json": Rule(EVERYONE),
    r"PAGE /o/^\.well-known/openid-configuration/?$": Rule(EVERYONE),
    "PAGE /o/authorize/": Rule(USERS),
    "PAGE /o/introspect/": Rule(NOBODY),
    "PAGE /o/logout/": Rule(EVERYONE, skip="ends the session every later probe uses"),
    "PAGE /o/revoke_token/": Rule(EVERYONE),
    "PAGE /o/token/": Rule(EVERYONE),
    "PAGE /o/userinfo/": Rule(NOBODY),
    "PAGE /pki/^$": Rule(EVERYONE),
    r"PAGE /pki/^(?P<name>root|issuing)\.(?P<extension>crt|cer|pem|crl)$": Rule(EVERYONE, absent_ok=True),
    "PAGE /readyz": Rule(EVERYONE),
    "PAGE /recover/": Rule(EVERYONE),
    "PAGE /register/": Rule(EVERYONE),
    "PAGE /register/sms/": Rule(EVERYONE),
    "PAGE /seals/verify/": Rule(EVERYONE),
    "PAGE /search/": Rule(EVERYONE),
    "PAGE /sso/choose/": Rule(APPLICANTS),
    "PAGE /status/": Rule(EVERYONE),
    "PAGE /verify/": Rule(EVERYONE),
    "PAGE /verify/<str:identifier>/": Rule(EVERYONE),
    "PAGE /workbench/": Rule(STAFF),
    "PAGE /workbench/archives/<uuid:public_id>/": Rule(of("approver"), absent_ok=True),
    "PAGE /workbench/audit/": Rule(of("auditor")),
    "PAGE /workbench/calendar/": Rule(of("admin")),
    "PAGE /workbench/cases/": Rule(STAFF),
    "PAGE /workbench/cases/<uuid:public_id>/": Rule(of("clerk", "approver", "admin", "supervisor", "agent")),
    "PAGE /workbench/cases/<uuid:public_id>/accept/": Rule(
        of("clerk", "approver", "admin", "supervisor", "agent")
    ),
    "PAGE /workbench/cases/<uuid:public_id>/correction/": Rule(
        of("clerk", "approver", "admin", "supervisor", "agent")
    ),
    "PAGE /workbench/cases/<uuid:public_id>/decide/": Rule(
        of("clerk", "approver", "admin", "supervisor", "agent")
    ),
    "PAGE /workbench/cases/<uuid:public_id>/documents/<uuid:document_id>/": Rule(
        of("clerk", "approver", "admin"), absent_ok=True
    ),
    "PAGE /workbench/cases/<uuid:public_id>/handover/": Rule(
        of("clerk", "approver", "admin", "supervisor", "agent")
    ),
    "PAGE /workbench/cases/<uuid:public_id>/materials/<uuid:material_id>/": Rule(
        of("clerk", "approver", "admin", "supervisor", "agent")
    ),
    "PAGE /workbench/cases/<uuid:public_id>/materials/<uuid:material_id>/verify/": Rule(
        of("clerk", "approver")
    ),
    "PAGE /workbench/cases/<uuid:public_id>/refuse/": Rule(
        of("clerk", "approver", "admin", "supervisor", "agent")
    ),
    "PAGE /workbench/cases/<uuid:public_id>/result/": Rule(of("clerk", "approver", "admin"), absent_ok=True),
    "PAGE /workbench/cases/<uuid:public_id>/variant/<slug:action>/": Rule(
        of("clerk", "approver", "admin", "supervisor", "agent")
    ),
    "PAGE /workbench/catalog/": Rule(of("manager")),
    "PAGE /workbench/catalog/<uuid:public_id>/": Rule(of("manager")),
    "PAGE /workbench/catalog/<uuid:public_id>/compare/": Rule(of("manager")),
    "PAGE /workbench/catalog/<uuid:public_id>/discard/": Rule(of("manager")),
    "PAGE /workbench/catalog/<uuid:public_id>/edit/": Rule(of("manager")),
    "PAGE /workbench/catalog/<uuid:public_id>/publish/": Rule(of("manager")),
    "PAGE /workbench/catalog/<uuid:public_id>/review/": Rule(of("manager")),
    "PAGE /workbench/catalog/<uuid:public_id>/revise/": Rule(of("manager")),
    "PAGE /workbench/catalog/<uuid:public_id>/scenarios/": Rule(of("manager")),
    "PAGE /workbench/catalog/<uuid:public_id>/schedule/": Rule(of("manager")),
    "PAGE /workbench/catalog/<uuid:public_id>/submit/": Rule(of("manager")),
    "PAGE /workbench/catalog/<uuid:public_id>/withdraw/": Rule(of("manager")),
    "PAGE /workbench/catalog/base-items/": Rule(of("manager")),
    "PAGE /workbench/catalog/base-items/<uuid:public_id>/": Rule(of("manager"), absent_ok=True),
    "PAGE /workbench/catalog/base-items/<uuid:public_id>/retire/": Rule(of("manager"), absent_ok=True),
    "PAGE /workbench/catalog/consistency/": Rule(of("manager")),
    "PAGE /workbench/catalog/io/": Rule(of("manager")),
    "PAGE /workbench/catalog/io/export.<str:fmt>": Rule(of("manager")),
    "PAGE /workbench/catalog/new/": Rule(of("manager")),
    "PAGE /workbench/catalog/quality/": Rule(of("manager")),
    "PAGE /workbench/catalog/review/": Rule(of("manager")),
    "PAGE /workbench/catalog/statistics/": Rule(of("manager")),
    "PAGE /workbench/catalog/synonyms/": Rule(of("manager")),
    "PAGE /workbench/catalog/synonyms/<uuid:public_id>/": Rule(of("manager"), absent_ok=True),
    "PAGE /workbench/catalog/synonyms/<uuid:public_id>/delete/": Rule(of("manager"), absent_ok=True),
    "PAGE /workbench/identity/": Rule(of("clerk", "clerk_ps")),
    "PAGE /workbench/library/": Rule(of("clerk", "approver", "clerk_ps", "supervisor")),
    "PAGE /workbench/library/report/": Rule(of("clerk", "approver", "clerk_ps", "supervisor")),
    "PAGE /workbench/login/": Rule(APPLICANTS | of("anon")),
    "PAGE /workbench/mfa/": Rule(APPLICANTS),
    "PAGE /workbench/mfa/enrol/": Rule(APPLICANTS),
    "PAGE /workbench/mfa/recovery-codes/": Rule(STAFF),
    "PAGE /workbench/processes/": Rule(of("manager")),
    "PAGE /workbench/processes/<slug:key>/": Rule(of("manager"), absent_ok=True),
    "PAGE /workbench/seals/": Rule(STAFF),
    "PAGE /workbench/seals/<uuid:public_id>/": Rule(of("clerk", "approver", "admin")),
    "PAGE /workbench/seals/<uuid:public_id>/<slug:action>/": Rule(STAFF, absent_ok=True),
    "PAGE /workbench/seals/<uuid:public_id>/authorise/": Rule(STAFF, absent_ok=True),
    "PAGE /workbench/seals/<uuid:public_id>/stamp/": Rule(of("clerk", "approver", "admin")),
    "PAGE /workbench/seals/apply/": Rule(STAFF),
    "PAGE /workbench/security/policy/": Rule(of("secadmin")),
    "PAGE /workbench/staff/": Rule(of("secadmin", "admin")),
    "PAGE /workbench/staff/<uuid:public_id>/": Rule(STAFF, absent_ok=True),
    "PAGE /workbench/staff/create/": Rule(STAFF, absent_ok=True),
    "PAGE /workbench/tasks/": Rule(STAFF),
    "PAGE /workbench/tasks/<uuid:public_id>/<str:action>/": Rule(STAFF, absent_ok=True),
    "PAGE /workbench/tasks/batch/": Rule(STAFF),
    "PAGE /workbench/tasks/done/": Rule(STAFF),
    "PAGE /workbench/window/receipt/<uuid:public_id>/": Rule(
        of("clerk", "approver", "admin", "supervisor", "agent")
    ),
    "PAGE /workbench/window/register/": Rule(of("clerk", "clerk_ps")),
    "PATCH /api/v1/catalog/manage/items/{public_id}": Rule(of("manager")),
    "POST /api/v1/accounts/agents": Rule(of("citizen", "company")),
    "POST /api/v1/accounts/agents/{agent_id}/revoke": Rule(of("citizen"), absent_ok=True),
    "POST /api/v1/accounts/identity-checks": Rule(of("citizen", "citizen2")),
    "POST /api/v1/accounts/recovery": Rule(EVERYONE),
    "POST /api/v1/accounts/recovery/sms": Rule(EVERYONE),
    "POST /api/v1/accounts/register": Rule(EVERYONE),
    "POST /api/v1/accounts/sms-codes": Rule(EVERYONE),
    "POST /api/v1/accounts/sso/mappings": Rule(NOBODY),
    "POST /api/v1/accounts/token": Rule(NOBODY),
    "POST /api/v1/archives/{case_id}/verify": Rule(of("approver"), absent_ok=True),
    "POST /api/v1/bundle-applications": Rule(USERS, absent_ok=True),
    "POST /api/v1/bundle-applications/{application_id}/handover": Rule(USERS, absent_ok=True),
    "POST /api/v1/cases": Rule(USERS, absent_ok=True),
    "POST /api/v1/cases/{case_id}/corrections": Rule(of("citizen")),
    "POST /api/v1/cases/{case_id}/delivery": Rule(
        of("citizen", "clerk", "approver", "admin", "supervisor", "agent")
    ),
    "POST /api/v1/cases/{case_id}/gap-materials": Rule(of("citizen")),
    "POST /api/v1/cases/{case_id}/withdraw": Rule(of("citizen")),
    "POST /api/v1/catalog/items/{public_id}/publish": Rule(of("manager")),
    "POST /api/v1/catalog/items/{public_id}/withdraw": Rule(of("manager")),
    "POST /api/v1/catalog/manage/base-items": Rule(USERS),
    "POST /api/v1/catalog/manage/items": Rule(of("manager"), absent_ok=True),
    "POST /api/v1/catalog/manage/items/{public_id}/review": Rule(of("manager")),
    "POST /api/v1/catalog/manage/items/{public_id}/revision": Rule(of("manager")),
    "POST /api/v1/catalog/manage/items/{public_id}/schedule": Rule(of("manager")),
    "POST /api/v1/catalog/manage/items/{public_id}/submit": Rule(of("manager")),
    "POST /api/v1/datasets/exports": Rule(NOBODY),
    "POST /api/v1/licences/consents": Rule(USERS, absent_ok=True),
    "POST /api/v1/licences/consents/{consent_id}/revoke": Rule(of("citizen"), absent_ok=True),
    "POST /api/v1/licences/import": Rule(of("admin")),
    "POST /api/v1/licences/issue": Rule(of("approver", "admin"), absent_ok=True),
    "POST /api/v1/licences/mine/{licence_id}/shares": Rule(USERS),
    "POST /api/v1/licences/shares/{share_id}/revoke": Rule(of("citizen"), absent_ok=True),
    "POST /api/v1/licences/verify": Rule(EVERYONE),
    "POST /api/v1/licences/{licence_id}/change": Rule(of("admin")),
    "POST /api/v1/licences/{licence_id}/resume": Rule(of("admin")),
    "POST /api/v1/licences/{licence_id}/revoke": Rule(of("admin")),
    "POST /api/v1/licences/{licence_id}/suspend": Rule(of("admin")),
    "POST /api/v1/licences/{licence_id}/use": Rule(NOBODY),
    "POST /api/v1/seals": Rule(USERS, absent_ok=True),
    "POST /api/v1/seals/trusted-authorities": Rule(of("admin")),
    "POST /api/v1/seals/verify": Rule(EVERYONE),
    "POST /api/v1/seals/{seal_id}/authorisations": Rule(STAFF, absent_ok=True),
    "POST /api/v1/seals/{seal_id}/destroy": Rule(of("admin")),
    "POST /api/v1/seals/{seal_id}/file": Rule(of("admin")),
    "POST /api/v1/seals/{seal_id}/issue": Rule(of("admin")),
    "POST /api/v1/seals/{seal_id}/make": Rule(of("admin")),
    "POST /api/v1/seals/{seal_id}/report-loss": Rule(of("admin")),
    "POST /api/v1/seals/{seal_id}/review": Rule(
        NOBODY
    ),  # the demo seal is issued: nobody may review it again
    "POST /api/v1/seals/{seal_id}/stamp": Rule(USERS),
    "POST /api/v1/workbench/cases/{case_id}/accept": Rule(of("clerk")),
    "POST /api/v1/workbench/cases/{case_id}/accept-with-gap": Rule(of("clerk")),
    "POST /api/v1/workbench/cases/{case_id}/approve-on-commitment": Rule(
        of("clerk", "approver", "admin", "supervisor", "agent")
    ),
    "POST /api/v1/workbench/cases/{case_id}/decide": Rule(
        of("clerk", "approver", "admin", "supervisor", "agent")
    ),
    "POST /api/v1/workbench/cases/{case_id}/extension": Rule(
        of("clerk", "approver", "admin", "supervisor", "agent")
    ),
    "POST /api/v1/workbench/cases/{case_id}/extension/decide": Rule(
        of("clerk", "approver", "admin", "supervisor", "agent")
    ),
    "POST /api/v1/workbench/cases/{case_id}/handover": Rule(
        of("clerk", "approver", "admin", "supervisor", "agent")
    ),
    "POST /api/v1/workbench/cases/{case_id}/materials/{material_id}/verify": Rule(of("clerk", "approver")),
    "POST /api/v1/workbench/cases/{case_id}/refuse-acceptance": Rule(of("clerk")),
    "POST /api/v1/workbench/cases/{case_id}/request-correction": Rule(of("clerk")),
    "POST /api/v1/workbench/cases/{case_id}/special-procedures": Rule(
        of("clerk", "approver", "admin", "supervisor", "agent")
    ),
    "POST /api/v1/workbench/cases/{case_id}/special-procedures/end": Rule(
        of("clerk", "approver", "admin", "supervisor", "agent")
    ),
    "POST /api/v1/workbench/cases/{case_id}/terminate": Rule(of("approver")),
    "POST /api/v1/workbench/cases/{case_id}/verify-commitment": Rule(
        of("clerk", "approver", "admin", "supervisor", "agent")
    ),
    "POST /api/v1/workflow/definitions": Rule(of("manager")),
    "POST /api/v1/workflow/items/{item_id}/process": Rule(of("manager"), absent_ok=True),
    "POST /api/v1/workflow/tasks/batch": Rule(STAFF),
    "POST /api/v1/workflow/tasks/{task_id}/claim": Rule(STAFF, absent_ok=True),
    "POST /api/v1/workflow/tasks/{task_id}/complete": Rule(STAFF, absent_ok=True),
    "POST /api/v1/workflow/tasks/{task_id}/delegate": Rule(STAFF, absent_ok=True),
    "POST /api/v1/workflow/tasks/{task_id}/release": Rule(STAFF, absent_ok=True),
    "PUT /api/v1/catalog/manage/items/{public_id}/scenarios": Rule(of("manager")),
}

# The sharing platform's apps (ADR 0013), logistics, payments and receipts keep their own tables.
for _table in (
    authorisation_rules_sharing.RULES,
    authorisation_rules_gateway.RULES,
    authorisation_rules_bases.RULES,
    authorisation_rules_exchange.RULES,
    authorisation_rules_opendata.RULES,
    authorisation_rules_logistics.RULES,
    authorisation_rules_payments.RULES,
    authorisation_rules_receipts.RULES,
    authorisation_rules_supervision.RULES,
    authorisation_rules_metrics.RULES,
    authorisation_rules_assessment.RULES,
    authorisation_rules_ratings.RULES,
    authorisation_rules_tickets.RULES,
    authorisation_rules_knowledge.RULES,
    authorisation_rules_hall_agency.RULES,
    authorisation_rules_hall_appointments.RULES,
    authorisation_rules_hall_queue.RULES,
    authorisation_rules_kiosk.RULES,
    authorisation_rules_space.RULES,
    authorisation_rules_proactive.RULES,
    authorisation_rules_forms.RULES,
    authorisation_rules_federation.RULES,
    authorisation_rules_crossregion.RULES,
):
    RULES.update(_table)
