from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class TicketsConfig(AppConfig):
    name = "yiwang.tickets"
    label = "tickets"
    verbose_name = "12345 工单 Tickets"

    def ready(self) -> None:
        from yiwang.tickets.models import RoutingRule
        from yiwang.tickets.routing import forget_rules

        post_save.connect(forget_rules, sender=RoutingRule, dispatch_uid="tickets.forget_rules.save")
        post_delete.connect(forget_rules, sender=RoutingRule, dispatch_uid="tickets.forget_rules.delete")
