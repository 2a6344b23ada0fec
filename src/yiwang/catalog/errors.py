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
    # governance (基本目录, 编码, 四级四同, 版本与审核)
    BASE_ITEM_NOT_FOUND = "base_item_not_found"
    BASE_ITEM_REQUIRED = "base_item_required"
    INVALID_IMPLEMENTATION_CODE = "invalid_implementation_code"
    CODE_ALREADY_USED = "code_already_used"
    CODE_FROZEN = "code_frozen"
    INCONSISTENT_WITH_BASE = "inconsistent_with_base"
    REVISION_EXISTS = "revision_exists"
    SELF_REVIEW = "self_review"
    VERSION_NOT_FOUND = "version_not_found"
    INVALID_SCHEDULE = "invalid_schedule"
    # discovery and channels: scenarios, bundles, search, import/export
    SCENARIO_ANSWERS_INVALID = "scenario_answers_invalid"
    INVALID_SCENARIO = "invalid_scenario"
    BUNDLE_NOT_FOUND = "bundle_not_found"
    INVALID_BUNDLE = "invalid_bundle"
    INVALID_SYNONYM = "invalid_synonym"
    SYNONYM_NOT_FOUND = "synonym_not_found"
    IMPORT_INVALID = "import_invalid"
    IMPORT_UNREADABLE = "import_unreadable"
