from django.apps import AppConfig


class ProactiveConfig(AppConfig):
    """主动服务 Proactive services: rules on life and business events, pushes and 免申即享 grants."""

    name = "yiwang.proactive"
    label = "proactive"
    verbose_name = "主动服务 Proactive services"

    def ready(self) -> None:
        from yiwang.cases.signals import case_completed
        from yiwang.proactive.services import case_events

        case_completed.connect(case_events.on_case_completed, dispatch_uid="proactive.case_completed")
