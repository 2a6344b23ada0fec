from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "yiwang.logistics"
    label = "logistics"
    verbose_name = "物流 Logistics"
