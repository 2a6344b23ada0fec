from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yiwang.core"
    label = "core"
    verbose_name = "核心 Core"

    def ready(self) -> None:
        # Connects the calendar cache's invalidation signals.
        from yiwang.core import audit_guard, calendar  # noqa: F401
        from yiwang.core.logfilter import install_everywhere

        # Personal data is masked in every log handler, also those Django and libraries add.
        install_everywhere()

        # The audit tables' triggers ask each connection whether it may empty them (tests only).
        audit_guard.connect()
