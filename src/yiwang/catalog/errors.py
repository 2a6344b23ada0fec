"""Stable error codes of the service-item catalogue (事项目录)."""

from __future__ import annotations

from enum import StrEnum


class CatalogErrorCode(StrEnum):
    ITEM_NOT_FOUND = "item_not_found"
    INVALID_BASE_CODE = "invalid_base_code"
    INVALID_CREDIT_CODE = "invalid_credit_code"
    INVALID_LEVEL = "invalid_level"
    DUPLICATE_IMPLEMENTATION_CODE = "duplicate_implementation_code"
    COMMITTED_EXCEEDS_STATUTORY = "committed_exceeds_statutory"
    INVALID_ITEM = "invalid_item"
    UNKNOWN_FIELD = "unknown_field"
    ITEM_NOT_EDITABLE = "item_not_editable"
    INVALID_TRANSITION = "invalid_transition"
    ROLE_REQUIRED = "role_required"
    NOT_IN_SCOPE = "not_in_scope"
