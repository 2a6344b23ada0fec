from django.apps import AppConfig


class FederationConfig(AppConfig):
    """省市协同 Federation between levels."""

    name = "yiwang.federation"
    label = "federation"
    verbose_name = "省市协同 Federation"

    def ready(self) -> None:
        # The four up-push kinds (province) and the back-flow kind (city) through the exchange.
        from yiwang.federation.hooks import register_handlers
        from yiwang.federation.lookup import find_licence
        from yiwang.licences import remote_lookup

        register_handlers()
        # A licence issued in a city verifies at the province (the public /verify/ page).
        remote_lookup.register(find_licence)
