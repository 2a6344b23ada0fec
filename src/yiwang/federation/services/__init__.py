"""Use cases of federation: up-push (city), province handlers and 四级四同, back-flow."""

from yiwang.federation.services.backflow import apply_backflow, build_backflow, push_backflow
from yiwang.federation.services.consistency import check_items
from yiwang.federation.services.push import KINDS, build_next, federation_role, push_changes
from yiwang.federation.services.receive import (
    apply_cases,
    apply_catalogue,
    apply_licences,
    apply_ratings,
)

__all__ = [
    "KINDS",
    "apply_backflow",
    "apply_cases",
    "apply_catalogue",
    "apply_licences",
    "apply_ratings",
    "build_backflow",
    "build_next",
    "check_items",
    "federation_role",
    "push_backflow",
    "push_changes",
]
