from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "yiwang.opendata"
    label = "opendata"
    verbose_name = "数据开放 Open data"
