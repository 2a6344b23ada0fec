"""事项管理 Every state change of the catalogue: base items, drafts, review, publication, withdrawal.

One module per use case: :mod:`.base_items` (基本目录), :mod:`.items` (drafts, files, revisions),
:mod:`.review` (submit, approve/reject), :mod:`.publication` (publish, withdraw, schedule),
:mod:`.synonyms` (search synonyms); the shared rules are :mod:`.validation` and :mod:`.checks`.
Reads live in :mod:`yiwang.catalog.reads`, permissions in :mod:`yiwang.catalog.permissions` and
:mod:`yiwang.catalog.actions`; this package re-exports what callers use.

Lifecycle of an implementation item (实施清单):

    草稿 draft → 待审核 submitted → 审核通过 approved → 已发布 published → 已撤销 withdrawn
                 ↖ 退回 rejected ↙

A service manager of the owning body's region edits a draft and submits it; a *different* service
manager covering the region approves or rejects it with a comment (``review_item``); an approved
item is published at once or at its ``publish_at`` (``apply_schedule``).  A published item is frozen:
to change it, :func:`start_revision` makes a revision draft (修订稿, a separate row sharing the
item's code) that goes through the same review; publishing it copies its content onto the item,
increases ``version`` and writes an immutable :class:`ServiceItemVersion` with the full guide.  Cases
keep :func:`guide_snapshot` and the version number they were filed under.

Publishing refuses an item that breaks 四级四同 (``inconsistent_with_base``, see
:mod:`yiwang.catalog.consistency`); codes follow :mod:`yiwang.catalog.coding` and are never reused.

``actor=None`` means the system itself (demo loader, imports, the scheduler); it may publish a
draft without review (imports are reviewed at the source).  Any other actor must be a staff member
holding the 事项管理员 (service_manager) role whose organisation's region covers the item's region.
"""

from yiwang.catalog.actions import can_review
from yiwang.catalog.coding import BASE_CODE_RE, make_implementation_code, normalise_base_code
from yiwang.catalog.consistency import REGION_PREFIX_LENGTH, item_violations
from yiwang.catalog.permissions import (
    can_manage_region,
    is_service_manager,
    region_covers,
    require_base_manager,
    require_manager,
)
from yiwang.catalog.reads import (
    diff_versions,
    diff_with_published,
    get_base_item,
    get_item,
    get_published_item,
    get_version,
    guide_snapshot,
    review_history,
    versions_of,
)
from yiwang.catalog.services.base_items import (
    BASE_ITEM_FIELDS,
    create_base_item,
    retire_base_item,
    update_base_item,
)
from yiwang.catalog.services.checks import violation_fields
from yiwang.catalog.services.items import (
    create_item,
    discard_revision,
    ensure_version_recorded,
    increment_popularity,
    set_item_file,
    set_item_process,
    start_revision,
    update_item,
)
from yiwang.catalog.services.publication import apply_schedule, publish_item, schedule_item, withdraw_item
from yiwang.catalog.services.review import review_item, submit_item
from yiwang.catalog.services.synonyms import delete_synonym, get_synonym, save_synonym
from yiwang.catalog.services.validation import (
    CODE_FIELDS,
    CODE_LIST_FIELDS,
    EDITABLE_FIELD_ORDER,
    EDITABLE_FIELDS,
    FEE_ITEM_FIELDS,
    MATERIAL_FIELDS,
    REVISION_FIELDS,
    FaqEntry,
    FormFieldSpec,
    SpecialProcedureSpec,
)

__all__ = [
    "BASE_CODE_RE",
    "BASE_ITEM_FIELDS",
    "CODE_FIELDS",
    "CODE_LIST_FIELDS",
    "EDITABLE_FIELDS",
    "EDITABLE_FIELD_ORDER",
    "FEE_ITEM_FIELDS",
    "MATERIAL_FIELDS",
    "REGION_PREFIX_LENGTH",
    "REVISION_FIELDS",
    "FaqEntry",
    "FormFieldSpec",
    "SpecialProcedureSpec",
    "apply_schedule",
    "can_manage_region",
    "can_review",
    "create_base_item",
    "create_item",
    "delete_synonym",
    "diff_versions",
    "diff_with_published",
    "discard_revision",
    "ensure_version_recorded",
    "get_base_item",
    "get_item",
    "get_published_item",
    "get_synonym",
    "get_version",
    "guide_snapshot",
    "increment_popularity",
    "is_service_manager",
    "item_violations",
    "make_implementation_code",
    "normalise_base_code",
    "publish_item",
    "region_covers",
    "require_base_manager",
    "require_manager",
    "retire_base_item",
    "review_history",
    "review_item",
    "save_synonym",
    "schedule_item",
    "set_item_file",
    "set_item_process",
    "start_revision",
    "submit_item",
    "update_base_item",
    "update_item",
    "versions_of",
    "violation_fields",
    "withdraw_item",
]
