from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "yiwang.cases"
    label = "cases"
    verbose_name = "办件 Cases"

    def ready(self) -> None:
        from yiwang.cases import (  # noqa: F401  (connect signal receivers)
            bundles,
            delivery,
            process,
        )
