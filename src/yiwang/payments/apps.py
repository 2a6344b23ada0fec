from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "yiwang.payments"
    label = "payments"
    verbose_name = "统一支付 Payments"
