"""Pydantic schemas of the catalogue API (the edge); the guide mirrors :func:`services.guide_snapshot`."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field


class CodeLabelOut(Schema):
    code: str
    label: str


class DepartmentRefOut(Schema):
    public_id: UUID
    name: str
    short_name: str


class ItemSummaryOut(Schema):
    """One row of the item list (事项列表)."""

    public_id: UUID
    name: str
    implementation_code: str
    item_type: str
    item_type_label: str
    department: DepartmentRefOut
    committed_limit_days: int
    statutory_limit_days: int
    visits_required: int
    case_kind_label: str
    fee_required: bool
    online_apply: bool
    is_fully_online: bool
    required_assurance_level: int
    version: int
    published_at: datetime | None


class ItemListOut(Schema):
    items: list[ItemSummaryOut]
    count: int


class ImplementingBodyOut(Schema):
    public_id: UUID
    name: str
    short_name: str
    credit_code: str
    nature: str
    nature_label: str
    address: str
    phone: str
    office_hours: str


class RegionRefOut(Schema):
    code: str
    name: str


class MaterialOut(Schema):
    public_id: UUID
    name: str
    description: str
    source: str
    mandatory: bool
    originals: int
    copies: int
    material_form: str
    material_form_label: str
    source_kind: str = "upload"
    source_kind_label: str = ""
    licence_type_code: str = ""
    shared_resource_code: str = ""
    shared_fields: list[str] = []
    licence_legal_basis: str = ""
    order: int
    blank_form_url: str
    sample_url: str


class FormFieldOut(Schema):
    name: str
    label: str
    type: str
    required: bool = False
    choices: list[str] = Field(default_factory=list)
    help_text: str = ""
    prefill: str = ""
    component: str = ""
    kind: str = ""


class BaseItemRefOut(Schema):
    code: str
    name: str


class ItemSpecialProcedureOut(Schema):
    kind: str
    kind_label: str = ""
    name: str
    limit_days: int | None = None
    note: str = ""


class FeeItemOut(Schema):
    name: str
    standard: str
    legal_basis: str


class FaqOut(Schema):
    question: str
    answer: str


class ItemGuideOut(Schema):
    """办事指南 The full guide of one published item."""

    public_id: UUID
    name: str
    base_code: str
    implementation_code: str
    version: int
    status: str
    published_at: datetime | None
    item_type: str
    item_type_label: str
    exercise_level: str
    exercise_level_label: str
    implementing_body: ImplementingBodyOut
    region: RegionRefOut
    legal_basis: str
    conditions: str
    process_description: str
    statutory_limit_days: int
    committed_limit_days: int
    limit_note: str
    fee_required: bool
    fee_description: str
    fee_basis: str
    visits_required: int
    handling_forms: list[CodeLabelOut]
    online_depth: list[CodeLabelOut]
    is_fully_online: bool
    service_objects: list[CodeLabelOut]
    case_kind: str
    case_kind_label: str
    required_assurance_level: int
    required_assurance_level_label: str
    result_name: str
    place: str
    office_hours: str
    consult_phone: str
    supervise_phone: str
    online_apply: bool
    appointment_supported: bool
    online_payment_supported: bool
    express_supported: bool
    form_fields: list[FormFieldOut]
    #: 电子表单 The Form.io definition (docs/forms.md); ``form_fields`` is derived from it.
    form_definition: dict[str, Any] = Field(default_factory=dict)
    materials: list[MaterialOut]
    # GB/T 39046 fields added with the catalogue governance (基本目录, 通办, 收费项目, 常见问题 …)
    base_item: BaseItemRefOut | None = None
    legal_basis_url: str = ""
    authority_division: str = ""
    exercise_content: str = ""
    jurisdiction: str = ""
    joint_bodies: str = ""
    intermediary_services: str = ""
    quantity_limits: str = ""
    special_procedures: list[ItemSpecialProcedureOut] = Field(default_factory=list)
    fee_items: list[FeeItemOut] = Field(default_factory=list)
    result_sample_url: str = ""
    tongban_range: str = ""
    tongban_range_label: str = ""
    online_url: str = ""
    faq: list[FaqOut] = Field(default_factory=list)


class DepartmentOut(Schema):
    """A department that has published items (部门)."""

    public_id: UUID
    name: str
    short_name: str
    credit_code: str
    region_code: str
    region_name: str
    address: str
    phone: str
    office_hours: str
    item_count: int


class ItemStateOut(Schema):
    public_id: UUID
    name: str
    status: str
    version: int
    published_at: datetime | None


class ItemWithdrawIn(Schema):
    reason: str = Field(default="", max_length=500)


def summary_dict(item: Any) -> dict[str, Any]:
    """The list row of an item (needs implementing_body loaded)."""
    body = item.implementing_body
    return {
        "public_id": item.public_id,
        "name": item.name,
        "implementation_code": item.implementation_code,
        "item_type": item.item_type,
        "item_type_label": str(item.get_item_type_display()),
        "department": {"public_id": body.public_id, "name": body.name, "short_name": body.short_name},
        "committed_limit_days": item.committed_limit_days,
        "statutory_limit_days": item.statutory_limit_days,
        "visits_required": item.visits_required,
        "case_kind_label": str(item.get_case_kind_display()),
        "fee_required": item.fee_required,
        "online_apply": item.online_apply,
        "is_fully_online": item.is_fully_online,
        "required_assurance_level": item.required_assurance_level,
        "version": item.version,
        "published_at": item.published_at,
    }


# --- discovery and channels: scenarios (情形引导), bundles (一件事), themes ------------------------
class ScenarioOptionOut(Schema):
    value: str
    label: str
    selected: bool


class ScenarioQuestionOut(Schema):
    key: str
    param: str
    text: str
    help_text: str
    answer: str | None
    options: list[ScenarioOptionOut]


class ApplicableMaterialOut(Schema):
    public_id: UUID
    name: str
    mandatory: bool


class ScenarioOut(Schema):
    """情形引导 The questions of an item and what applies for the given answers."""

    item_public_id: UUID
    complete: bool
    answers: dict[str, str]
    questions: list[ScenarioQuestionOut]
    conditions: list[str]
    materials: list[ApplicableMaterialOut]
    excluded_materials: list[ApplicableMaterialOut]


class BundleMemberOut(Schema):
    public_id: UUID
    name: str
    implementation_code: str
    department: str
    optional: bool


class BundleSummaryOut(Schema):
    """一件事 One bundle of the list."""

    public_id: UUID
    code: str
    name: str
    audience: str
    audience_label: str
    event: str
    description: str
    lead_department: str
    committed_limit_days: int
    visits_required: int
    members: list[BundleMemberOut]


class BundleFieldTargetOut(Schema):
    item_public_id: UUID
    item_name: str
    field: str


class BundleFieldOut(Schema):
    name: str
    label: str
    type: str
    required: bool
    choices: list[str]
    help_text: str
    maps_to: list[BundleFieldTargetOut]


class BundleMemberFieldsOut(Schema):
    item_public_id: UUID
    item_name: str
    fields: list[FormFieldOut]


class BundleMaterialOut(Schema):
    name: str
    licence_type: str
    mandatory: bool
    originals: int
    copies: int
    description: str
    source: str
    needed_by: list[str]


class BundleGuideOut(BundleSummaryOut):
    """一件事指南: merged form (多表合一) and materials asked once."""

    fields: list[BundleFieldOut]
    member_fields: list[BundleMemberFieldsOut]
    materials: list[BundleMaterialOut]
    materials_without_bundle: int


class ThemeOut(Schema):
    code: str
    label: str
