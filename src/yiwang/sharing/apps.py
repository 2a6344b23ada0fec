from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "yiwang.sharing"
    label = "sharing"
    verbose_name = "信息资源共享 Information resource sharing"
