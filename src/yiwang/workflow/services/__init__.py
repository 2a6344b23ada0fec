"""Workflow services: deploy definitions, start processes, offer user tasks as work items to staff
by role and department, claim/release/delegate/complete them, and record automatic decisions.

Split by use case: :mod:`.definitions` (definitions and variants), :mod:`.instances` (running
processes), :mod:`.steps` (work items and decisions after each engine step), :mod:`.work_items`
(the staff work queue and the actions on one item) and :mod:`.batch` (批量操作).  The public names
are re-exported here, so callers keep ``from yiwang.workflow import services``.

The workflow knows nothing of cases: the case bridge (``yiwang.cases.process``) listens to
:data:`task_completed`, and the work-queue filters that match case facts live in
``yiwang.cases.work_queue``.
"""

from yiwang.workflow.services.batch import BATCH_ACTIONS, BatchResult, batch
from yiwang.workflow.services.definitions import (
    BPMN_NS,
    DECIDING_ROLES,
    DEFAULT_DEFINITIONS,
    DEFINITIONS_DIR,
    MAX_BPMN_BYTES,
    assign_process,
    check_roles,
    deploy_definition,
    inspect_bpmn,
    install_default_definitions,
    latest_definition,
    upload_variant,
)
from yiwang.workflow.services.instances import run_to_end, start_process, terminate
from yiwang.workflow.services.steps import OPEN_STATUSES
from yiwang.workflow.services.work_items import (
    approval_result,
    claim,
    complete,
    decide,
    delegate,
    delegation_candidates,
    done,
    eligible,
    get_work_item,
    offer_condition,
    release,
    task_completed,
    todo,
)

__all__ = [
    "BATCH_ACTIONS",
    "BPMN_NS",
    "DECIDING_ROLES",
    "DEFAULT_DEFINITIONS",
    "DEFINITIONS_DIR",
    "MAX_BPMN_BYTES",
    "OPEN_STATUSES",
    "BatchResult",
    "approval_result",
    "assign_process",
    "batch",
    "check_roles",
    "claim",
    "complete",
    "decide",
    "delegate",
    "delegation_candidates",
    "deploy_definition",
    "done",
    "eligible",
    "get_work_item",
    "inspect_bpmn",
    "install_default_definitions",
    "latest_definition",
    "offer_condition",
    "release",
    "run_to_end",
    "start_process",
    "task_completed",
    "terminate",
    "todo",
    "upload_variant",
]
