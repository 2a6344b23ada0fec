"""Use cases of tickets (工单)."""

from yiwang.tickets.services.defaults import install_defaults
from yiwang.tickets.services.followup import close, decide_extension, merge, request_extension, revisit
from yiwang.tickets.services.handling import accept, answer, dispatch, reply, return_ticket, transfer
from yiwang.tickets.services.intake import create_ticket
from yiwang.tickets.services.overdue import scan_overdue

__all__ = [
    "accept",
    "answer",
    "close",
    "create_ticket",
    "decide_extension",
    "dispatch",
    "install_defaults",
    "merge",
    "reply",
    "request_extension",
    "return_ticket",
    "revisit",
    "scan_overdue",
    "transfer",
]
