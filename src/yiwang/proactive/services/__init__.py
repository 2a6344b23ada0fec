"""Use cases of proactive services (callers import ``yiwang.proactive.services``)."""

from yiwang.proactive.services.delivery import deliver_pending
from yiwang.proactive.services.objections import decide_objection, file_objection
from yiwang.proactive.services.preferences import set_push_enabled
from yiwang.proactive.services.rules import activate_rule, create_rule, retire_rule, update_rule
from yiwang.proactive.services.scan import ScanReport, run_scan

__all__ = [
    "ScanReport",
    "activate_rule",
    "create_rule",
    "decide_objection",
    "deliver_pending",
    "file_objection",
    "retire_rule",
    "run_scan",
    "set_push_enabled",
    "update_rule",
]
