from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "yiwang.metrics"
    label = "metrics"
    verbose_name = "运行指标与视窗 Metrics and dashboards"
