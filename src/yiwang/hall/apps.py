from django.apps import AppConfig


class HallConfig(AppConfig):
    name = "yiwang.hall"
    label = "hall"
    verbose_name = "智能化大厅 Service hall"
