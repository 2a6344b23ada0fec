"""Models of the smart service hall (智能化大厅)."""

from yiwang.hall.models.agency import AgencyAuthorisation, AgencyKind, AgencyStatus
from yiwang.hall.models.appointments import (
    Appointment,
    AppointmentChannel,
    AppointmentKind,
    AppointmentSchedule,
    AppointmentSlot,
    AppointmentStatus,
    BlockStatus,
    BookingBlock,
)
from yiwang.hall.models.halls import BusinessCategory, Hall, Window, WindowGroup, WindowStatus
from yiwang.hall.models.queue import (
    GreenReason,
    QueueCounter,
    QueueEvent,
    QueueEventKind,
    QueueStatus,
    QueueTicket,
    TicketPriority,
    TicketSource,
)

__all__ = [
    "AgencyAuthorisation",
    "AgencyKind",
    "AgencyStatus",
    "Appointment",
    "AppointmentChannel",
    "AppointmentKind",
    "AppointmentSchedule",
    "AppointmentSlot",
    "AppointmentStatus",
    "BlockStatus",
    "BookingBlock",
    "BusinessCategory",
    "GreenReason",
    "Hall",
    "QueueCounter",
    "QueueEvent",
    "QueueEventKind",
    "QueueStatus",
    "QueueTicket",
    "TicketPriority",
    "TicketSource",
    "Window",
    "WindowGroup",
    "WindowStatus",
]
