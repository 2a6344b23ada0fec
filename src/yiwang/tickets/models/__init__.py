from yiwang.tickets.models.rules import DeadlineRule, RoutingRule, TicketKeyword
from yiwang.tickets.models.tickets import (
    OPEN_STATUSES,
    RUNNING_STATUSES,
    ExtensionStatus,
    RevisitResult,
    Ticket,
    TicketCategory,
    TicketChannel,
    TicketCounter,
    TicketEvent,
    TicketExtension,
    TicketStatus,
    TicketTerm,
)

__all__ = [
    "OPEN_STATUSES",
    "RUNNING_STATUSES",
    "DeadlineRule",
    "ExtensionStatus",
    "RevisitResult",
    "RoutingRule",
    "Ticket",
    "TicketCategory",
    "TicketChannel",
    "TicketCounter",
    "TicketEvent",
    "TicketExtension",
    "TicketKeyword",
    "TicketStatus",
    "TicketTerm",
]
