"""Account services: every state change of accounts goes through here; pages, API and commands stay thin.

Split by use case:

* :mod:`.sms_codes` — SMS verification codes (rate limits, tries);
* :mod:`.registration` — account creation, self-registration, walk-in applicants (现场办理);
* :mod:`.login` — lockout with back-off, login records;
* :mod:`.recovery` — password change, account recovery, phone change;
* :mod:`.assurance` — assurance levels (实名认证等级) and the refusal when too low;
* :mod:`.api_tokens` — bearer tokens;
* :mod:`.agents` — company registration and agent authorisations (代办授权);
* :mod:`.mfa` — staff second factor;
* :mod:`.staff` — the staff user centre (三员).

Queries live in :mod:`yiwang.accounts.reads` (re-exported here for the callers that used them from
this module), roles and data scope in :mod:`yiwang.accounts.roles`.
"""

from __future__ import annotations

from yiwang.accounts.reads import (
    applicant_identity,
    companies_for_agent,
    companies_managed_by,
    find_applicant,
    login_history,
)
from yiwang.accounts.services.agents import (
    check_agent_may_act,
    grant_agent_authorisation,
    register_company,
    revoke_agent_authorisation,
)
from yiwang.accounts.services.api_tokens import API_TOKEN_LIFETIME, issue_api_token, revoke_api_token
from yiwang.accounts.services.assurance import effective_assurance_level, require_assurance, upgrade_url
from yiwang.accounts.services.federation import asserted_level, federated_account, sign_in_federated
from yiwang.accounts.services.login import (
    check_login_allowed,
    login_check,
    register_login_failure,
    register_login_success,
)
from yiwang.accounts.services.recovery import (
    change_password,
    change_phone,
    recover_account,
    send_phone_change_code,
    send_recovery_code,
)
from yiwang.accounts.services.registration import (
    create_legal_person_account,
    create_natural_person_account,
    create_staff_account,
    register_natural_person,
    walk_in_applicant,
)
from yiwang.accounts.services.sms_codes import (
    SMS_MAX_ATTEMPTS,
    SMS_MAX_PER_HOUR,
    SMS_MIN_INTERVAL_SECONDS,
    check_verification_code,
    send_verification_code,
)
from yiwang.accounts.services.staff import staff_roles

__all__ = [
    "API_TOKEN_LIFETIME",
    "SMS_MAX_ATTEMPTS",
    "SMS_MAX_PER_HOUR",
    "SMS_MIN_INTERVAL_SECONDS",
    "applicant_identity",
    "asserted_level",
    "change_password",
    "change_phone",
    "check_agent_may_act",
    "check_login_allowed",
    "check_verification_code",
    "companies_for_agent",
    "companies_managed_by",
    "create_legal_person_account",
    "create_natural_person_account",
    "create_staff_account",
    "effective_assurance_level",
    "federated_account",
    "find_applicant",
    "grant_agent_authorisation",
    "issue_api_token",
    "login_check",
    "login_history",
    "recover_account",
    "register_company",
    "register_login_failure",
    "register_login_success",
    "register_natural_person",
    "require_assurance",
    "revoke_agent_authorisation",
    "revoke_api_token",
    "send_phone_change_code",
    "send_recovery_code",
    "send_verification_code",
    "sign_in_federated",
    "staff_roles",
    "upgrade_url",
    "walk_in_applicant",
]
