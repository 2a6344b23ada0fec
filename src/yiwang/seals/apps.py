from django.apps import AppConfig


class SealsConfig(AppConfig):
    name = "yiwang.seals"
    label = "seals"
    verbose_name = "电子印章 E-seals"
