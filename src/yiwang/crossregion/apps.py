from django.apps import AppConfig


class CrossregionConfig(AppConfig):
    """跨域通办 Cross-region filing."""

    name = "yiwang.crossregion"
    label = "crossregion"
    verbose_name = "跨域通办 Cross-region filing"

    def ready(self) -> None:
        from yiwang.cases.signals import case_event_recorded
        from yiwang.crossregion import services
        from yiwang.exchange import handlers

        handlers.register(services.FILING_KIND, services.receive_filing)
        handlers.register(services.STATUS_KIND, services.receive_status)
        case_event_recorded.connect(services.case_event_recorded, dispatch_uid="crossregion.status")
