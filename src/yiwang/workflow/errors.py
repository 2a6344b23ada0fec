from enum import StrEnum


class WorkflowErrorCode(StrEnum):
    INVALID_DEFINITION = "invalid_process_definition"
    DEFINITION_NOT_FOUND = "process_definition_not_found"
    WORK_ITEM_CLOSED = "work_item_closed"
    WORK_ITEM_TAKEN = "work_item_taken"
    NOT_ELIGIBLE = "not_eligible_for_work_item"
    STALE_PROCESS = "stale_process"
    WORK_ITEM_NOT_FOUND = "work_item_not_found"
    BATCH_NOT_ALLOWED = "batch_approval_not_allowed"
    MISSING_ROLE_LANES = "process_missing_role_lanes"
