from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "yiwang.catalog"
    label = "catalog"
    verbose_name = "事项 Catalog"

    def ready(self) -> None:
        from yiwang.catalog.search import warm_up
        from yiwang.core.warmup import register_step

        # A web worker loads the search dictionary before it takes traffic (yiwang.core.warmup).
        register_step("search", warm_up)
