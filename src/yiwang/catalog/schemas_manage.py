"""Pydantic schemas of the staff catalogue API (事项管理: drafts, review, versions, consistency)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import TextChoices
from ninja import Schema
from pydantic import ConfigDict, Field

from yiwang.catalog.models import ExerciseLevel, ItemType, MaterialForm, MaterialSourceKind


def code_pattern(choices: type[TextChoices], *, blank: bool = False) -> str:
    """A regular expression that admits exactly the code table's values (and ``""`` if ``blank``)."""
    alternatives = "|".join(sorted(choices.values))
    return f"^({alternatives}){'?' if blank else ''}$"


class MaterialIn(Schema):
    model_config = ConfigDict(extra="forbid")

    public_id: UUID | None = None
    name: str = Field(max_length=200)
    description: str = ""
    source: str = Field(default="", max_length=200)
    source_kind: str = Field(default="upload", pattern=code_pattern(MaterialSourceKind, blank=True))
    licence_type_code: str = Field(default="", max_length=40)
    shared_resource_code: str = Field(default="", max_length=60)
    shared_fields: list[str] = Field(default_factory=list, max_length=100)
    licence_legal_basis: str = Field(default="", max_length=300)
    mandatory: bool = True
    originals: int = Field(default=0, ge=0, le=999)
    copies: int = Field(default=0, ge=0, le=999)
    material_form: str = Field(default="electronic", pattern=code_pattern(MaterialForm))
    order: int | None = Field(default=None, ge=0, le=999)


class FeeItemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200)
    standard: str = Field(max_length=300)
    legal_basis: str = ""


class ItemFieldsIn(Schema):
    """The editable fields of a draft (all optional on update; see ``services.EDITABLE_FIELDS``)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    base_code: str | None = Field(default=None, max_length=12)
    item_type: str | None = None
    exercise_level: str | None = None
    legal_basis: str | None = None
    legal_basis_url: str | None = Field(default=None, max_length=500)
    authority_division: str | None = None
    exercise_content: str | None = None
    jurisdiction: str | None = None
    conditions: str | None = None
    process_description: str | None = None
    joint_bodies: str | None = None
    intermediary_services: str | None = None
    quantity_limits: str | None = None
    special_procedures: list[dict[str, Any]] | None = None
    statutory_limit_days: int | None = Field(default=None, ge=0, le=9999)
    committed_limit_days: int | None = Field(default=None, ge=0, le=9999)
    limit_note: str | None = Field(default=None, max_length=300)
    fee_required: bool | None = None
    fee_description: str | None = None
    fee_basis: str | None = None
    visits_required: int | None = Field(default=None, ge=0, le=99)
    handling_forms: list[str] | None = None
    online_depth: list[str] | None = None
    service_objects: list[str] | None = None
    case_kind: str | None = None
    required_assurance_level: int | None = None
    result_name: str | None = Field(default=None, max_length=200)
    tongban_range: str | None = None
    place: str | None = Field(default=None, max_length=300)
    office_hours: str | None = Field(default=None, max_length=200)
    consult_phone: str | None = Field(default=None, max_length=60)
    supervise_phone: str | None = Field(default=None, max_length=60)
    online_apply: bool | None = None
    online_url: str | None = Field(default=None, max_length=500)
    appointment_supported: bool | None = None
    online_payment_supported: bool | None = None
    express_supported: bool | None = None
    form_fields: list[dict[str, Any]] | None = None
    #: 电子表单 (Form.io JSON, docs/forms.md); wins over ``form_fields`` when both are given.
    form_definition: dict[str, Any] | None = None
    faq: list[dict[str, Any]] | None = None
    keywords: str | None = Field(default=None, max_length=300)
    materials: list[MaterialIn] | None = None
    fee_items: list[FeeItemIn] | None = None

    def service_arguments(
        self,
    ) -> tuple[dict[str, Any], list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
        """(fields, materials, fee_items) for ``create_item``/``update_item``: only the keys given."""
        data = self.model_dump(exclude_unset=True)
        data.pop("implementing_body", None)
        data.pop("base_item", None)
        materials = data.pop("materials", None)
        fee_items = data.pop("fee_items", None)
        if materials is not None:
            materials = [{k: v for k, v in m.items() if v is not None} for m in materials]
        return data, materials, fee_items


class ItemFormIn(ItemFieldsIn):
    """The workbench edit form: the same fields and rules, with the numbers the form always shows
    required (an empty box is an error there, not "unchanged")."""

    statutory_limit_days: int = Field(ge=0, le=9999)
    committed_limit_days: int = Field(ge=0, le=9999)
    visits_required: int = Field(ge=0, le=99)
    required_assurance_level: int


class ItemCreateIn(ItemFieldsIn):
    implementing_body: UUID
    base_item: UUID


class BaseItemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(max_length=12)
    name: str = Field(max_length=200)
    item_type: str = Field(pattern=code_pattern(ItemType), description="事项类型 (GB/T 39046 附录A)")
    legal_basis: str
    legal_basis_url: str = Field(default="", max_length=500)
    exercise_level: str = Field(pattern=code_pattern(ExerciseLevel), description="行使层级 1–7")
    defining_region: str = Field(description="行政区划代码")
    statutory_limit_days: int | None = Field(default=None, ge=0, le=9999)


class BaseItemOut(Schema):
    public_id: UUID
    code: str
    name: str
    item_type: str
    legal_basis: str
    legal_basis_url: str
    exercise_level: str
    statutory_limit_days: int | None
    status: str


class ScenariosIn(Schema):
    """情形引导 of a draft or revision draft: the shape of ``catalog.scenarios.define_scenarios``
    (questions are validated there, with one error entry per question)."""

    model_config = ConfigDict(extra="forbid")

    conditions: list[str] = Field(default_factory=list, max_length=50)
    questions: list[dict[str, Any]] = Field(default_factory=list, max_length=40)


class ScenariosOut(Schema):
    conditions: list[str]
    questions: list[dict[str, Any]]


class CommentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    comment: str = Field(default="", max_length=2000)


class ItemReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    approve: bool
    comment: str = Field(default="", max_length=2000)


class ScheduleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    publish_at: datetime | None = None
    withdraw_at: datetime | None = None


class ManagedItemOut(Schema):
    """A draft or item as the managers see it (事项管理)."""

    public_id: UUID
    name: str
    status: str
    version: int
    implementation_code: str
    base_code: str
    revision_of: UUID | None
    publish_at: datetime | None
    withdraw_at: datetime | None
    submitted_at: datetime | None
    reviewed_at: datetime | None
    review_comment: str
    published_at: datetime | None


class VersionOut(Schema):
    version: int
    published_at: datetime
    published_by: str
    reviewed_by: str
    review_comment: str
    snapshot: dict[str, Any]


class DiffRowOut(Schema):
    field: str
    label: str
    old: str
    new: str
    change: str


class DiffOut(Schema):
    old: str
    new: str
    rows: list[DiffRowOut]


class ViolationOut(Schema):
    item_public_id: UUID
    item_name: str
    implementation_code: str
    status: str
    region_name: str
    body_name: str
    field: str
    field_label: str
    expected: str
    actual: str


class ConsistencyOut(Schema):
    region: str
    count: int
    violations: list[ViolationOut]
