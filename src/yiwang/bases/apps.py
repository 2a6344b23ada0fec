from django.apps import AppConfig


class BasesConfig(AppConfig):
    name = "yiwang.bases"
    label = "bases"
    verbose_name = "基础库 Base databases"
