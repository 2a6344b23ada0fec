from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "yiwang.supervision"
    label = "supervision"
    verbose_name = "电子监察 Electronic supervision"

    def ready(self) -> None:
        from yiwang.cases.signals import case_event_recorded
        from yiwang.supervision import checks, sources

        case_event_recorded.connect(checks.on_case_event, dispatch_uid="supervision.checks")
        sources.register_all()
