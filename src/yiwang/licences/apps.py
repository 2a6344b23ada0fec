from django.apps import AppConfig


class LicencesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yiwang.licences"
    label = "licences"
    verbose_name = "电子证照"

    def ready(self) -> None:
        from yiwang.cases.signals import case_completed
        from yiwang.licences.signals import on_case_completed

        case_completed.connect(on_case_completed, dispatch_uid="licences.issue_on_case_completed")
