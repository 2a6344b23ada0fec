from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "yiwang.assessment"
    label = "assessment"
    verbose_name = "考核评估 Assessment"

    def ready(self) -> None:
        from yiwang.assessment.sources import register_sources

        register_sources()
