from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "yiwang.ratings"
    label = "ratings"
    verbose_name = "好差评 Ratings"

    def ready(self) -> None:
        from yiwang.cases.signals import case_completed
        from yiwang.ratings import hooks, sources

        case_completed.connect(hooks.on_case_completed, dispatch_uid="ratings.case_completed")
        sources.register_all()
