from django.apps import AppConfig


class SpaceConfig(AppConfig):
    """办事空间 The applicant's own space: material store (材料库) and the files (一人一档、一企一档)."""

    name = "yiwang.space"
    label = "space"
    verbose_name = "个人与企业空间 Applicant space"
