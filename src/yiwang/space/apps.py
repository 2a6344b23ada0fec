from django.apps import AppConfig


class SpaceConfig(AppConfig):
    """办事空间 The applicant's own space: material store (材料库) and the files (一人一档、一企一档)."""

    name = "yiwang.space"
    label = "space"
    verbose_name = "个人与企业空间 Applicant space"

    def ready(self) -> None:
        from yiwang.cases import reused_materials
        from yiwang.cases.signals import case_completed, case_event_recorded
        from yiwang.space.services import capture, reuse

        case_event_recorded.connect(capture.on_case_event, dispatch_uid="space.case_event_recorded")
        case_completed.connect(capture.on_case_completed, dispatch_uid="space.case_completed")
        reused_materials.register_planner(reuse.plan_for_filing)  # POST /api/v1/cases store_<material>
