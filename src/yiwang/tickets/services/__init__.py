"""Use cases of tickets (工单)."""

from yiwang.tickets.services.intake import create_ticket

__all__ = ["create_ticket"]
