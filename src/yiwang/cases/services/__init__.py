"""Case services (办件): filing, pre-review and correction, acceptance, decision, completion and the
lifecycle variants, one module per use case.

Every state change goes through :mod:`yiwang.cases.transitions`: it locks the case row, checks the
state it expects (so two clerks racing on one case get exactly one winner and one clear conflict),
moves the queue counters, writes an immutable :class:`CaseEvent` and an audit record, and sends
notifications only after the transaction commits.  Read-only queries are in
:mod:`yiwang.cases.queries`; everything public is re-exported here.
"""

from yiwang.accounts.services import staff_roles
from yiwang.cases.queries import (
    case_queryset_for_events,
    materials_of,
    open_correction_notice,
    own_case_parts,
    staff_todo,
    staff_todo_count,
    todo_scope,
    verification_todo,
    visible_cases,
)
from yiwang.cases.services.acceptance import accept_case, after_acceptance, refuse_acceptance
from yiwang.cases.services.access import (
    PublicStatus,
    applicant_acting_for,
    case_document_for,
    get_case_for,
    public_status,
    status_lookup,
)
from yiwang.cases.services.applicants import (
    APPLICANT_OBJECTS,
    check_applicant,
    check_assurance_level,
    check_case_party,
)
from yiwang.cases.services.commitment import approve_on_commitment, revoke_case_licences, verify_commitment
from yiwang.cases.services.correction import (
    CORRECTION_DEADLINE_WORKING_DAYS,
    OTHER_PREFIX,
    request_correction,
    supply_correction,
)
from yiwang.cases.services.deadlines import recompute_provisional_deadlines
from yiwang.cases.services.decision import check_decision_allowed, decide_case
from yiwang.cases.services.extension import decide_extension, extension_limit, request_extension
from yiwang.cases.services.filing import file_application, next_case_number, submit_application
from yiwang.cases.services.gap import accept_with_gap, supply_gap_materials
from yiwang.cases.services.materials import (
    MaterialUpload,
    check_material_uploads,
    validate_application,
    validate_form_data,
    verify_material,
)
from yiwang.cases.services.special import end_special_procedure, start_special_procedure
from yiwang.cases.services.termination import expire_corrections, terminate_case
from yiwang.cases.services.withdrawal import withdraw_case
from yiwang.cases.transitions import actor_label

__all__ = [
    "APPLICANT_OBJECTS",
    "CORRECTION_DEADLINE_WORKING_DAYS",
    "OTHER_PREFIX",
    "MaterialUpload",
    "PublicStatus",
    "accept_case",
    "accept_with_gap",
    "actor_label",
    "after_acceptance",
    "applicant_acting_for",
    "approve_on_commitment",
    "case_document_for",
    "case_queryset_for_events",
    "check_applicant",
    "check_assurance_level",
    "check_case_party",
    "check_decision_allowed",
    "check_material_uploads",
    "decide_case",
    "decide_extension",
    "end_special_procedure",
    "expire_corrections",
    "extension_limit",
    "file_application",
    "get_case_for",
    "materials_of",
    "next_case_number",
    "open_correction_notice",
    "own_case_parts",
    "public_status",
    "recompute_provisional_deadlines",
    "refuse_acceptance",
    "request_correction",
    "request_extension",
    "revoke_case_licences",
    "staff_roles",
    "staff_todo",
    "staff_todo_count",
    "start_special_procedure",
    "status_lookup",
    "submit_application",
    "supply_correction",
    "supply_gap_materials",
    "terminate_case",
    "todo_scope",
    "validate_application",
    "validate_form_data",
    "verification_todo",
    "verify_commitment",
    "verify_material",
    "visible_cases",
    "withdraw_case",
]
