from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "yiwang.exchange"
    label = "exchange"
    verbose_name = "交换系统 Exchange"
