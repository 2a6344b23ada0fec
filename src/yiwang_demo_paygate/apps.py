from django.apps import AppConfig


class PaygateConfig(AppConfig):
    name = "yiwang_demo_paygate"
    verbose_name = "模拟非税收缴网关"
    default_auto_field = "django.db.models.BigAutoField"
