from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "yiwang.metrics"
    label = "metrics"
    verbose_name = "运行指标与视窗 Metrics and dashboards"

    def ready(self) -> None:
        from yiwang.cases.signals import case_event_recorded
        from yiwang.metrics.aggregates import mark_dirty
        from yiwang.metrics.indicators import register_sources

        case_event_recorded.connect(mark_dirty, dispatch_uid="metrics.mark_dirty")
        register_sources()
