from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "yiwang.ratings"
    label = "ratings"
    verbose_name = "好差评 Ratings"

    def ready(self) -> None:
        from django.utils.translation import gettext_noop

        from yiwang.cases.signals import case_completed
        from yiwang.metrics import screen_panels
        from yiwang.ratings import hooks, reads, sources

        case_completed.connect(hooks.on_case_completed, dispatch_uid="ratings.case_completed")
        sources.register_all()
        screen_panels.register_panel("ratings", gettext_noop("好差评"), reads.screen_figures)
