from django.apps import AppConfig


class HallConfig(AppConfig):
    name = "yiwang.hall"
    label = "hall"
    verbose_name = "智能化大厅 Service hall"

    def ready(self) -> None:
        from django.utils.translation import gettext_noop

        from yiwang.cases import intake
        from yiwang.hall import reads_queue, sources
        from yiwang.hall.services.agency import may_act_for_principal
        from yiwang.hall.services.console import (
            may_hand_over_at_general_window,
            may_register_at_general_window,
        )
        from yiwang.metrics import screen_panels

        intake.register("hall.general_window", may_register_at_general_window)
        intake.register_handover("hall.general_window", may_hand_over_at_general_window)
        intake.register_personal_agency("hall.agency", may_act_for_principal)
        sources.register_all()
        screen_panels.register_panel("hall", gettext_noop("大厅排队"), reads_queue.screen_figures)
