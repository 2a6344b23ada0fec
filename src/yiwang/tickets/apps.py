from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "yiwang.tickets"
    label = "tickets"
    verbose_name = "12345 工单 Tickets"
