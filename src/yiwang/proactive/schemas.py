"""Input and output schemas of proactive services (pages parse forms with the same ones)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field, field_validator, model_validator

EventName = Literal["birth", "company_established", "licence_expiring", "retirement", "policy_match"]
CompanyTypeName = Literal[
    "enterprise",
    "individual_business",
    "farmers_cooperative",
    "public_institution",
    "social_organisation",
    "private_non_enterprise",
    "organ",
]


def _digits(value: str, name: str, max_len: int) -> str:
    value = (value or "").strip()
    if value and (not value.isascii() or not value.isdigit() or len(value) > max_len):
        raise ValueError(f"{name}须为不超过 {max_len} 位的数字")
    return value


class RuleConditions(Schema):
    """条件 What selects a subject (every condition given must hold)."""

    region_prefix: str = Field("", max_length=12, description="GB/T 2260 code prefix (户籍地 / 住所)")
    genders: list[Literal["male", "female"]] = Field(default_factory=list, max_length=2)
    min_age: int | None = Field(None, ge=0, le=150)
    max_age: int | None = Field(None, ge=0, le=150)
    industry_prefixes: list[str] = Field(
        default_factory=list, max_length=20, description="GB/T 4754 prefixes"
    )
    capital_min_fen: int | None = Field(None, ge=0)
    capital_max_fen: int | None = Field(None, ge=0)
    company_types: list[CompanyTypeName] = Field(default_factory=list, max_length=7)
    licence_type_code: str = Field("", max_length=64, description="licence type code (empty: every type)")
    days_before: int = Field(30, ge=1, le=365, description="licence_expiring: valid_until within N days")
    male_age: int = Field(60, ge=40, le=80, description="retirement: age for men")
    female_age: int = Field(55, ge=40, le=80, description="retirement: age for women")
    item_id: UUID | None = Field(None, description="birth: also a completed case of this catalogue item")

    @field_validator("region_prefix")
    @classmethod
    def _region(cls, value: str) -> str:
        return _digits(value, "行政区划代码前缀", 12)

    @field_validator("industry_prefixes")
    @classmethod
    def _industries(cls, value: list[str]) -> list[str]:
        cleaned = []
        for raw in value:
            code = (raw or "").strip().upper()
            if not code:
                continue
            if not code.isascii() or not code[0].isalpha() or not code[1:].isdigit() or len(code) > 5:
                raise ValueError("行业代码须为 GB/T 4754 代码（门类字母加数字，如 I65）")
            cleaned.append(code)
        return cleaned

    @model_validator(mode="after")
    def _ranges(self) -> RuleConditions:
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError("最小年龄不能大于最大年龄")
        if (
            self.capital_min_fen is not None
            and self.capital_max_fen is not None
            and self.capital_min_fen > self.capital_max_fen
        ):
            raise ValueError("注册资本下限不能大于上限")
        return self


class ProactiveRuleIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    event: EventName
    conditions: RuleConditions = Field(default_factory=lambda: RuleConditions.model_validate({}))
    action: Literal["notify", "grant"] = "notify"
    title: str = Field(min_length=1, max_length=200)
    message: str = Field("", max_length=2000)
    link: str = Field("", max_length=300)
    benefit_name: str = Field("", max_length=120)
    amount_fen: int = Field(0, ge=0, le=10_000_000_000)
    legal_basis: str = Field("", max_length=300)
    organisation_id: UUID | None = None

    @field_validator("link")
    @classmethod
    def _link(cls, value: str) -> str:
        value = (value or "").strip()
        if value and not value.startswith("/"):
            raise ValueError("链接须为本站路径（以 / 开头）")
        return value

    @model_validator(mode="after")
    def _grant(self) -> ProactiveRuleIn:
        if self.action == "grant" and (not self.benefit_name.strip() or not self.legal_basis.strip()):
            raise ValueError("免申即享须填写待遇名称和政策依据")
        return self


class ProactiveReasonIn(Schema):
    reason: str = Field(min_length=2, max_length=2000)


class ProactiveDecisionIn(Schema):
    outcome: Literal["upheld", "rejected"]
    note: str = Field(min_length=2, max_length=2000)
    corrected_amount_fen: int | None = Field(None, ge=0, le=10_000_000_000)


class ProactivePreferenceIn(Schema):
    rule_id: UUID | None = None  # empty: every push
    enabled: bool


class ProactiveReachOut(Schema):
    matching: int
    pushes: int
    sent: int
    skipped: int
    no_account: int
    grants: int
    objections: int
    open_objections: int
    opt_outs: int


class ProactiveRuleOut(Schema):
    id: UUID
    name: str
    event: str
    event_label: str
    conditions: dict[str, object]
    action: str
    title: str
    message: str
    link: str
    benefit_name: str
    amount_fen: int
    legal_basis: str
    status: str
    version: int
    organisation: str
    updated_at: datetime
    allowed_actions: list[str]


class ProactiveRulePageOut(Schema):
    count: int
    results: list[ProactiveRuleOut]


class ProactivePushOut(Schema):
    id: UUID
    rule_id: UUID
    rule_name: str
    rule_version: int
    title: str
    message: str
    link: str
    status: str
    grant_status: str
    benefit_name: str
    amount_fen: int
    legal_basis: str
    facts: dict[str, object]
    created_at: datetime
    objection_status: str
    allowed_actions: list[str]


class ProactivePushPageOut(Schema):
    count: int
    results: list[ProactivePushOut]


class ProactiveObjectionOut(Schema):
    id: UUID
    push_id: UUID
    rule_name: str
    reason: str
    status: str
    decision_note: str
    corrected_amount_fen: int | None
    amount_fen: int
    created_at: datetime
    decided_at: datetime | None


class ProactiveObjectionPageOut(Schema):
    count: int
    results: list[ProactiveObjectionOut]


class ProactivePreferenceOut(Schema):
    all_off: bool
    rules_off: list[UUID]
