"""Case lifecycle variants (办件变体): 即办件, 告知承诺, 容缺受理, 延长, 特别程序, 终止, 补正超期.

Kept under its old path; the code is in the use-case modules of :mod:`yiwang.cases.services`
(acceptance, commitment, gap, extension, special, termination) and follows the same house rules
(:mod:`yiwang.cases.transitions`).
"""

from yiwang.cases.queries import verification_todo
from yiwang.cases.services.acceptance import after_acceptance
from yiwang.cases.services.commitment import approve_on_commitment, verify_commitment
from yiwang.cases.services.decision import check_decision_allowed
from yiwang.cases.services.extension import (
    EXTENSION_MAX_DAYS,
    HANDLING_ROLES,
    JOINT_EXTENSION_MAX_DAYS,
    decide_extension,
    extension_limit,
    request_extension,
)
from yiwang.cases.services.gap import DEFAULT_GAP_DAYS, accept_with_gap, supply_gap_materials
from yiwang.cases.services.process_steps import terminate_process
from yiwang.cases.services.special import end_special_procedure, start_special_procedure
from yiwang.cases.services.termination import CORRECTION_TIMEOUT_REASON, expire_corrections, terminate_case

__all__ = [
    "CORRECTION_TIMEOUT_REASON",
    "DEFAULT_GAP_DAYS",
    "EXTENSION_MAX_DAYS",
    "HANDLING_ROLES",
    "JOINT_EXTENSION_MAX_DAYS",
    "accept_with_gap",
    "after_acceptance",
    "approve_on_commitment",
    "check_decision_allowed",
    "decide_extension",
    "end_special_procedure",
    "expire_corrections",
    "extension_limit",
    "request_extension",
    "start_special_procedure",
    "supply_gap_materials",
    "terminate_case",
    "terminate_process",
    "verification_todo",
    "verify_commitment",
]
