"""JSON API of ratings (/api/v1/ratings/): the public token endpoints (invitation, rating,
follow-up), my invitations, rectifications with their actions (staff), indicators (staff, within
their data scope), the national feed export (supervisors, admins) and the reason lists.  Lists are
paged and bounded; what a user may not see is a 404; errors answer ``{"code", "message", "fields"}``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router

from yiwang.accounts.models import User
from yiwang.core.errors import NotFound, PermissionDenied
from yiwang.core.paging import PageIn
from yiwang.ratings import reads, services
from yiwang.ratings.actions import (
    invitation_actions,
    may_export,
    rectification_actions,
)
from yiwang.ratings.errors import RatingsErrorCode
from yiwang.ratings.models import Rating, RatingInvitation, RatingLevel, RatingReason, Rectification
from yiwang.ratings.personal_data import masked_contact
from yiwang.ratings.schemas import (
    RatingCallbackIn,
    RatingCloseIn,
    RatingExportFilter,
    RatingExportPageOut,
    RatingFollowUpIn,
    RatingIn,
    RatingIndicatorFilter,
    RatingIndicatorOut,
    RatingInvitationOut,
    RatingInvitationPageOut,
    RatingReasonOut,
    RatingRectificationFilter,
    RatingRectificationOut,
    RatingRectificationPageOut,
    RatingRevisitIn,
    RatingTextIn,
)
from yiwang.web.ui import current_user

router = Router(tags=["ratings"])


def _user(request: HttpRequest) -> Any:
    """The caller (session or bearer token: both set ``request.user``), or None on a public endpoint."""
    user = current_user(request)
    return user if user.is_authenticated else None


def rating_given(rating: Rating | None) -> dict[str, Any] | None:
    if rating is None:
        return None
    return {
        "level": rating.level,
        "level_label": str(RatingLevel(rating.level).label),
        "channel": rating.channel,
        "reasons": rating.reasons,
        "comment": rating.comment,
        "is_default": rating.is_default,
        "rated_at": rating.rated_at,
        "followup_comment": rating.followup_comment,
        "followup_at": rating.followup_at,
    }


def invitation_out(inv: RatingInvitation) -> dict[str, Any]:
    rating = getattr(inv, "rating", None) if inv.status != "pending" else None
    rect = getattr(rating, "rectification", None) if rating is not None and rating.is_bad else None
    return {
        "id": inv.public_id,
        "subject_kind": inv.subject_kind,
        "subject_label": inv.subject_label,
        "department": inv.organisation.name,
        "item": inv.item.name if inv.item else "",
        "served_at": inv.served_at,
        "status": inv.status,
        "status_label": str(inv.get_status_display()),
        "rating": rating_given(rating),
        "reply": rect.reply_text if rect is not None else "",
        "allowed_actions": sorted(
            invitation_actions(inv, rating is not None, rating is not None and rating.followup_at is not None)
        ),
    }


@router.get("/reasons", response=list[RatingReasonOut], auth=None, summary="评价原因（标准列表）")
def list_reasons(request: HttpRequest) -> Any:
    return list(RatingReason.objects.filter(active=True).values("code", "kind", "label"))


@router.get("/invitations/{token}", response=RatingInvitationOut, auth=None, summary="评价邀请（凭链接）")
def read_invitation(request: HttpRequest, token: str) -> dict[str, Any]:
    return invitation_out(reads.by_token(token))


@router.post("/invitations/{token}/rating", response=RatingInvitationOut, auth=None, summary="提交评价")
def submit_rating(request: HttpRequest, token: str, body: RatingIn) -> dict[str, Any]:
    inv = reads.by_token(token)
    services.rate(
        inv,
        level=body.level,
        channel=body.channel,
        reasons=body.reasons,
        comment=body.comment,
        actor=_user(request),
    )
    return invitation_out(reads.by_token(token))


@router.post("/invitations/{token}/followup", response=RatingInvitationOut, auth=None, summary="追评")
def submit_followup(request: HttpRequest, token: str, body: RatingFollowUpIn) -> dict[str, Any]:
    inv = reads.by_token(token)
    services.follow_up(inv, comment=body.comment, actor=_user(request))
    return invitation_out(reads.by_token(token))


@router.get("/mine", response=RatingInvitationPageOut, summary="我的评价邀请")
def my_invitations(request: HttpRequest, paging: Query[PageIn]) -> dict[str, Any]:
    rows = reads.my_invitations(_user(request)).select_related("rating__rectification")
    return {"count": rows.count(), "results": [invitation_out(i) for i in paging.window(rows)]}


# --- rectifications (staff) ---------------------------------------------------------------------
def rectification_out(user: User, r: Rectification) -> dict[str, Any]:
    return {
        "id": r.public_id,
        "subject_label": r.invitation.subject_label,
        "department_id": r.department.public_id,
        "department": r.department.name,
        "item": r.invitation.item.name if r.invitation.item else "",
        "level": r.rating.level,
        "level_label": str(RatingLevel(r.rating.level).label),
        "reasons": r.rating.reasons,
        "comment": r.rating.comment,
        "status": r.status,
        "status_label": str(r.get_status_display()),
        "callback_due": r.callback_due,
        "rectify_due": r.rectify_due,
        "genuine": r.genuine,
        "callback_note": r.callback_note,
        "rectification_text": r.rectification_text,
        "reply_text": r.reply_text,
        "revisit_satisfied": r.revisit_satisfied,
        "revisit_note": r.revisit_note,
        "overdue_stage": r.overdue_stage,
        "warning": r.warning,
        "escalated_at": r.escalated_at,
        "created_at": r.created_at,
        "closed_at": r.closed_at,
        "allowed_actions": sorted(rectification_actions(user, r)),
    }


def get_rectification(user: User, rectification_id: UUID) -> Rectification:
    r = reads.visible_rectifications(user).filter(public_id=rectification_id).first()
    if r is None:
        raise NotFound("整改任务不存在", code=RatingsErrorCode.NOT_FOUND)
    return r


@router.get("/rectifications", response=RatingRectificationPageOut, summary="差评整改任务")
def list_rectifications(
    request: HttpRequest, filters: Query[RatingRectificationFilter], paging: Query[PageIn]
) -> dict[str, Any]:
    user = _user(request)
    rows = reads.filtered_rectifications(
        reads.visible_rectifications(user), status=filters.status, warning=filters.warning
    )
    return {"count": rows.count(), "results": [rectification_out(user, r) for r in paging.window(rows)]}


@router.get(
    "/rectifications/{uuid:rectification_id}", response=RatingRectificationOut, summary="一条整改任务"
)
def read_rectification(request: HttpRequest, rectification_id: UUID) -> dict[str, Any]:
    user = _user(request)
    r = get_rectification(user, rectification_id)
    return {**rectification_out(user, r), "contact_phone": masked_contact(user, r)}


def _after(user: User, r: Rectification) -> dict[str, Any]:
    return rectification_out(user, get_rectification(user, r.public_id))


@router.post(
    "/rectifications/{uuid:rectification_id}/callback", response=RatingRectificationOut, summary="回访核实"
)
def callback(request: HttpRequest, rectification_id: UUID, body: RatingCallbackIn) -> dict[str, Any]:
    user = _user(request)
    r = services.call_back(
        get_rectification(user, rectification_id), actor=user, genuine=body.genuine, note=body.note
    )
    return _after(user, r)


@router.post(
    "/rectifications/{uuid:rectification_id}/rectify", response=RatingRectificationOut, summary="整改"
)
def rectify(request: HttpRequest, rectification_id: UUID, body: RatingTextIn) -> dict[str, Any]:
    user = _user(request)
    return _after(
        user, services.rectify(get_rectification(user, rectification_id), actor=user, text=body.text)
    )


@router.post(
    "/rectifications/{uuid:rectification_id}/reply", response=RatingRectificationOut, summary="答复申请人"
)
def reply(request: HttpRequest, rectification_id: UUID, body: RatingTextIn) -> dict[str, Any]:
    user = _user(request)
    return _after(user, services.reply(get_rectification(user, rectification_id), actor=user, text=body.text))


@router.post(
    "/rectifications/{uuid:rectification_id}/revisit", response=RatingRectificationOut, summary="回访结果"
)
def revisit(request: HttpRequest, rectification_id: UUID, body: RatingRevisitIn) -> dict[str, Any]:
    user = _user(request)
    r = services.revisit(
        get_rectification(user, rectification_id), actor=user, satisfied=body.satisfied, note=body.note
    )
    return _after(user, r)


@router.post(
    "/rectifications/{uuid:rectification_id}/close", response=RatingRectificationOut, summary="监察关闭"
)
def close(request: HttpRequest, rectification_id: UUID, body: RatingCloseIn) -> dict[str, Any]:
    user = _user(request)
    return _after(
        user, services.close(get_rectification(user, rectification_id), actor=user, comment=body.comment)
    )


@router.post(
    "/rectifications/{uuid:rectification_id}/escalate", response=RatingRectificationOut, summary="督办"
)
def escalate(request: HttpRequest, rectification_id: UUID) -> dict[str, Any]:
    user = _user(request)
    return _after(user, services.escalate(get_rectification(user, rectification_id), actor=user))


# --- indicators and export ------------------------------------------------------------------------


@router.get("/indicators", response=list[RatingIndicatorOut], summary="好差评指标")
def read_indicators(request: HttpRequest, filters: Query[RatingIndicatorFilter]) -> list[dict[str, Any]]:
    user = _user(request)
    organisations = reads.scope_of(user)
    start, end = reads.period_of(filters.start, filters.end)
    rows = reads.indicators(start, end, filters.by, organisations=organisations)
    return [indicator_out(r) for r in rows]


def indicator_out(r: reads.IndicatorRow) -> dict[str, Any]:
    return {
        "key": r.key,
        "label": r.label,
        "invited": r.invited,
        "rated": r.rated,
        "bad": r.bad,
        "good_rate": r.good_rate,
        "active_good_rate": r.active_good_rate,
        "unrated_rate": r.unrated_rate,
        "bad_reply_rate": r.bad_reply_rate,
        "bad_rectify_rate": r.bad_rectify_rate,
        "revisit_satisfaction_rate": r.revisit_satisfaction_rate,
    }


@router.get("/export", response=RatingExportPageOut, summary="评价数据（国家平台好差评接口格式）")
def export(request: HttpRequest, filters: Query[RatingExportFilter], paging: Query[PageIn]) -> dict[str, Any]:
    user = _user(request)
    if not may_export(user):
        raise PermissionDenied("仅监察人员和系统管理员可导出评价数据", code=RatingsErrorCode.FORBIDDEN)
    start, end = reads.period_of(filters.start, filters.end)
    rows = reads.export_rows(start, end)
    return {"count": rows.count(), "results": [export_record(r) for r in paging.window(rows)]}


def export_record(r: Rating) -> dict[str, Any]:
    inv = r.invitation
    return {
        "projectNo": str(inv.subject_id),
        "subjectType": inv.subject_kind,
        "serviceName": inv.subject_label,
        "taskCode": inv.item.implementation_code if inv.item else "",
        "taskName": inv.item.name if inv.item else "",
        "deptCode": inv.organisation.credit_code,
        "deptName": inv.organisation.name,
        "areaCode": inv.region_code,
        "serviceTime": inv.served_at,
        "evaluateTime": r.rated_at,
        "alternate": r.level,
        "evaluateLevel": str(RatingLevel(r.level).label),
        "evaluateChannel": r.channel,
        "evaluateReasons": r.reasons,
        "writingEvaluation": r.comment,
        "isDefault": r.is_default,
        "followUp": r.followup_comment,
    }
