from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "yiwang.cases"
    label = "cases"
    verbose_name = "办件 Cases"

    def ready(self) -> None:
        from yiwang.cases import process  # noqa: F401  (connects the workflow → case bridge)
