from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "yiwang.cases"
    label = "cases"
    verbose_name = "办件 Cases"

    def ready(self) -> None:
        from yiwang.cases import archive, process  # noqa: F401  (process connects the workflow → case bridge)

        archive.connect()  # 电子归档 on every terminal transition
