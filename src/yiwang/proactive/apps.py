from django.apps import AppConfig


class ProactiveConfig(AppConfig):
    """主动服务 Proactive services: rules on life and business events, pushes and 免申即享 grants."""

    name = "yiwang.proactive"
    label = "proactive"
    verbose_name = "主动服务 Proactive services"
