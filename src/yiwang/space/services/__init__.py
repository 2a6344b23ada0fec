"""Use cases of the applicant space (材料库): capture from cases, upload, delete, reuse on apply."""

from yiwang.space.services.capture import capture_case_materials, capture_case_result
from yiwang.space.services.reuse import plan_reuse
from yiwang.space.services.store import delete_material, upload_material

__all__ = [
    "capture_case_materials",
    "capture_case_result",
    "delete_material",
    "plan_reuse",
    "upload_material",
]
