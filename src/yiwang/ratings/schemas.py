"""Schemas of the ratings API (all named Rating… so they stay unique in the OpenAPI document)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Schema

from yiwang.ratings.models import COMMENT_MAX

TEXT_MAX = 2000


class RatingReasonOut(Schema):
    code: str
    kind: str
    label: str


class RatingGivenOut(Schema):
    level: int
    level_label: str
    channel: str
    reasons: list[str]
    comment: str
    is_default: bool
    rated_at: datetime
    followup_comment: str
    followup_at: datetime | None


class RatingInvitationOut(Schema):
    id: UUID
    subject_kind: str
    subject_label: str
    department: str
    item: str
    served_at: datetime
    status: str
    status_label: str
    rating: RatingGivenOut | None
    reply: str
    allowed_actions: list[str]


class RatingInvitationPageOut(Schema):
    count: int
    results: list[RatingInvitationOut]


class RatingIn(Schema):
    level: int = Field(
        ..., ge=1, le=5, description="5 非常满意 · 4 满意 · 3 基本满意 · 2 不满意 · 1 非常不满意"
    )
    channel: Literal["pc", "mobile", "qr", "hall_device", "sms", "phone"] = "pc"
    reasons: list[str] = Field(default_factory=list, max_length=10, description="reason codes (GET /reasons)")
    comment: str = Field("", max_length=COMMENT_MAX)


class RatingFollowUpIn(Schema):
    comment: str = Field(..., min_length=1, max_length=COMMENT_MAX)


class RatingRectificationFilter(Schema):
    status: str = Field("", max_length=10, description="a status, or `active` for all not closed")
    warning: bool | None = None


class RatingRectificationOut(Schema):
    id: UUID
    subject_label: str
    department_id: UUID
    department: str
    item: str
    level: int
    level_label: str
    reasons: list[str]
    comment: str
    status: str
    status_label: str
    callback_due: date
    rectify_due: date
    genuine: bool | None
    callback_note: str
    rectification_text: str
    reply_text: str
    revisit_satisfied: bool | None
    revisit_note: str
    overdue_stage: str
    contact_phone: str = Field("", description="申请人联系电话（脱敏，仅详情返回；查看记入个人信息访问记录）")
    warning: bool
    escalated_at: datetime | None
    created_at: datetime
    closed_at: datetime | None
    allowed_actions: list[str]


class RatingRectificationPageOut(Schema):
    count: int
    results: list[RatingRectificationOut]


class RatingCallbackIn(Schema):
    genuine: bool = Field(..., description="核实结果：属实 true / 不属实 false")
    note: str = Field(..., min_length=1, max_length=TEXT_MAX)


class RatingTextIn(Schema):
    text: str = Field(..., min_length=1, max_length=TEXT_MAX)


class RatingRevisitIn(Schema):
    satisfied: bool
    note: str = Field("", max_length=TEXT_MAX)


class RatingCloseIn(Schema):
    comment: str = Field(..., min_length=1, max_length=TEXT_MAX)


class RatingIndicatorFilter(Schema):
    start: date | None = Field(None, description="first day of the period (default: the first of this month)")
    end: date | None = Field(None, description="last day of the period (default: today)")
    by: Literal["department", "item", "region", "month"] = "department"


class RatingIndicatorOut(Schema):
    key: str
    label: str
    invited: int
    rated: int
    bad: int
    good_rate: float | None = Field(description="好评率 %")
    active_good_rate: float | None = Field(description="主动评价好评率 %")
    unrated_rate: float | None = Field(description="未评率 %")
    bad_reply_rate: float | None = Field(description="差评回复率 %")
    bad_rectify_rate: float | None = Field(description="差评整改率 %")
    revisit_satisfaction_rate: float | None = Field(description="回访整改满意率 %")


class RatingExportFilter(Schema):
    start: date | None = Field(None, description="first day (default: the first of this month)")
    end: date | None = Field(None, description="last day (default: today)")


class RatingExportRecordOut(Schema):
    """One rating in the shape of the 国家政务服务平台好差评 feed (modelled on it, docs/ratings.md)."""

    projectNo: str = Field(description="办件编号/服务标识 (subject id)")
    subjectType: str = Field(description="case / ticket / hall_visit / conversation")
    serviceName: str
    taskCode: str = Field(description="事项实施编码")
    taskName: str
    deptCode: str = Field(description="统一社会信用代码")
    deptName: str
    areaCode: str = Field(description="行政区划代码")
    serviceTime: datetime
    evaluateTime: datetime
    alternate: int = Field(description="评价等级 1–5")
    evaluateLevel: str = Field(description="非常满意…非常不满意")
    evaluateChannel: str = Field(description="pc / mobile / qr / hall_device / sms / phone")
    evaluateReasons: list[str]
    writingEvaluation: str = Field(description="文字评价")
    isDefault: bool = Field(description="默认好评")
    followUp: str = Field(description="追评")


class RatingExportPageOut(Schema):
    count: int
    results: list[RatingExportRecordOut]
