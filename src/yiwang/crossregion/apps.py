from django.apps import AppConfig


class CrossregionConfig(AppConfig):
    """跨域通办 Cross-region filing."""

    name = "yiwang.crossregion"
    label = "crossregion"
    verbose_name = "跨域通办 Cross-region filing"
