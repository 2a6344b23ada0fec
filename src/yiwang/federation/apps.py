from django.apps import AppConfig


class FederationConfig(AppConfig):
    """省市协同 Federation between levels."""

    name = "yiwang.federation"
    label = "federation"
    verbose_name = "省市协同 Federation"
