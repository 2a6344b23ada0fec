"""JSON API of data-quality tickets (数据纠错), a second router of sharing, mounted at
/api/v1/sharing: staff of consumer departments report and follow their tickets, the provider's data
officials accept, fix or reject them, applicants report wrong data about themselves (``/quality/mine``).
Values of personal or sensitive fields are masked for staff; an applicant sees his own in full."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from yiwang.accounts.models import User
from yiwang.accounts.services import staff_roles
from yiwang.core.errors import PermissionDenied
from yiwang.core.lookups import get_by_public_id_or_404
from yiwang.core.masking import mask_value
from yiwang.core.paging import PageIn
from yiwang.sharing import services
from yiwang.sharing.errors import SharingErrorCode
from yiwang.sharing.models import QualityTicket, Resource, ResourceStatus, Sensitivity, TicketStatus
from yiwang.sharing.services.quality import (
    applicant_subject,
    applicant_tickets,
    overdue,
    staff_tickets,
    ticket_actions,
    ticket_statistics,
)
from yiwang.sharing.services.requests import published_fields

router = Router(tags=["sharing"])
Values = dict[str, str]


class SharingQualityIn(Schema):
    resource_id: UUID
    subject: str = Field(min_length=1, max_length=18, description="公民身份号码或统一社会信用代码")
    fields: list[str] = Field(min_length=1, max_length=50)
    claimed_value: Values = Field(description="信息项 → 正确的值")
    reported_value: Values = Field(default_factory=dict, description="信息项 → 共享得到的值")
    description: str = Field(default="", max_length=2000)


class SharingQualityMineIn(Schema):
    resource_id: UUID
    fields: list[str] = Field(min_length=1, max_length=50)
    claimed_value: Values
    reported_value: Values = Field(default_factory=dict)
    description: str = Field(default="", max_length=2000)


class SharingQualityFixIn(Schema):
    note: str = Field(min_length=1, max_length=2000)
    batch_id: str = Field(default="", max_length=64, description="基础库更新批次号（bases.apply_updates）")
    package_id: str = Field(default="", max_length=64, description="交换数据包编号")


class SharingQualityFixValuesIn(Schema):
    subject: str = Field(
        min_length=15, max_length=18, description="ID number or unified credit code of the ticket's subject"
    )
    values: dict[str, str] = Field(
        min_length=1, max_length=20, description="the corrected values of the ticket's fields (field → value)"
    )
    note: str = Field(min_length=1, max_length=2000)


class SharingQualityReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class SharingQualityCommentIn(Schema):
    body: str = Field(min_length=1, max_length=2000)


class SharingQualityCommentOut(Schema):
    author: str
    mine: bool
    body: str
    created_at: datetime


class SharingQualityTicketOut(Schema):
    id: UUID
    resource_code: str
    resource_name: str
    provider: str
    reporter_organisation: str | None
    subject: str = Field(description="masked")
    fields: list[str]
    reported_value: Values
    claimed_value: Values
    description: str
    status: str
    status_label: str
    due_at: datetime
    overdue: bool
    created_at: datetime
    resolution: str
    fix_batch_id: str
    fix_package_id: str
    allowed_actions: list[str] = Field(default_factory=list, description="accept, fix, reject, comment")
    comments: list[SharingQualityCommentOut] = Field(default_factory=list)


class SharingQualityStatOut(Schema):
    provider: str
    open: int
    accepted: int
    overdue: int
    fixed: int
    rejected: int


class SharingQualityFilter(Schema):
    status: TicketStatus | None = None
    overdue: bool = False
    side: Literal["all", "provider", "reporter"] = "all"


def _staff(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not staff_roles(user):
        raise PermissionDenied("仅工作人员可使用共享平台")
    return user


def _applicant(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if staff_roles(user):
        raise PermissionDenied("工作人员请在工作台提交纠错")
    applicant_subject(user)  # 403 unless a registered person or company
    return user


def _resource(resource_id: UUID) -> Resource:
    return get_by_public_id_or_404(
        Resource.objects.select_related("provider").exclude(status=ResourceStatus.RETIRED),
        resource_id,
        code=SharingErrorCode.NOT_FOUND,
        published_version__isnull=False,
    )


def _hidden_fields(ticket: QualityTicket) -> set[str]:
    return {
        str(f.get("name"))
        for f in published_fields(ticket.resource)
        if f.get("is_personal") or f.get("sensitivity") in (Sensitivity.PERSONAL, Sensitivity.SENSITIVE)
    }


def ticket_out(user: Any, ticket: QualityTicket, *, detail: bool = False) -> SharingQualityTicketOut:
    """A ticket as ``user`` may see it: values of personal fields masked unless he is the subject."""
    own = ticket.reporter_id == user.pk and ticket.reporter_kind == "applicant"
    hidden = set() if own else _hidden_fields(ticket)

    def shown(values: dict[str, Any]) -> Values:
        return {k: str(mask_value(k, v) if k in hidden else v) for k, v in values.items()}

    comments = []
    if detail:
        comments = [
            SharingQualityCommentOut(
                author=c.author.get_username() if c.author_id != ticket.reporter_id or not own else "我",
                mine=c.author_id == user.pk,
                body=c.body,
                created_at=c.created_at,
            )
            for c in ticket.comments.select_related("author").order_by("created_at", "pk")
        ]
    return SharingQualityTicketOut(
        id=ticket.public_id,
        resource_code=ticket.resource.code,
        resource_name=ticket.resource.name,
        provider=ticket.provider.name,
        reporter_organisation=ticket.reporter_organisation.name if ticket.reporter_organisation else None,
        subject=ticket.subject_masked,
        fields=list(ticket.fields),
        reported_value=shown(ticket.reported_value),
        claimed_value=shown(ticket.claimed_value),
        description=ticket.description if (own or detail) else "",
        status=ticket.status,
        status_label=str(ticket.get_status_display()),
        due_at=ticket.due_at,
        overdue=ticket.is_overdue,
        created_at=ticket.created_at,
        resolution=ticket.resolution,
        fix_batch_id=ticket.fix_batch_id,
        fix_package_id=ticket.fix_package_id,
        allowed_actions=sorted(ticket_actions(user, ticket)),
        comments=comments,
    )


def _visible(user: User) -> QuerySet[QualityTicket]:
    return staff_tickets(user) if staff_roles(user) else applicant_tickets(user)


def _ticket(user: User, ticket_id: UUID) -> QualityTicket:
    return get_by_public_id_or_404(_visible(user), ticket_id, code=SharingErrorCode.NOT_FOUND)


# --- staff -------------------------------------------------------------------------------------------
@router.get(
    "/quality/tickets",
    response=list[SharingQualityTicketOut],
    summary="数据纠错工单（本部门提交或待本部门处理）",
)
def tickets(
    request: HttpRequest, filters: Query[SharingQualityFilter], paging: Query[PageIn]
) -> list[SharingQualityTicketOut]:
    user = _staff(request)
    qs = staff_tickets(user)
    if filters.side == "provider":
        qs = qs.filter(provider_id=user.staff_profile.organisation_id)
    elif filters.side == "reporter":
        qs = qs.filter(reporter_organisation_id=user.staff_profile.organisation_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    qs = overdue(qs) if filters.overdue else qs.order_by("-created_at", "pk")
    rows = list(qs[paging.offset : paging.offset + paging.limit])
    return [ticket_out(user, t) for t in rows]


@router.post("/quality/tickets", response={201: SharingQualityTicketOut}, summary="提交数据纠错（使用部门）")
def report(request: HttpRequest, payload: SharingQualityIn) -> Status[SharingQualityTicketOut]:
    user = _staff(request)
    ticket = services.report_by_staff(
        actor=user,
        resource=_resource(payload.resource_id),
        subject=payload.subject,
        fields=payload.fields,
        claimed_value=payload.claimed_value,
        reported_value=payload.reported_value,
        description=payload.description,
    )
    return Status(201, ticket_out(user, ticket, detail=True))


@router.get("/quality/statistics", response=list[SharingQualityStatOut], summary="纠错统计（按提供部门）")
def statistics(request: HttpRequest) -> list[SharingQualityStatOut]:
    return [SharingQualityStatOut(**row) for row in ticket_statistics(_staff(request))]


@router.get("/quality/tickets/{uuid:ticket_id}", response=SharingQualityTicketOut, summary="纠错工单详情")
def ticket_detail(request: HttpRequest, ticket_id: UUID) -> SharingQualityTicketOut:
    user = _staff(request)
    return ticket_out(user, _ticket(user, ticket_id), detail=True)


@router.post("/quality/tickets/{uuid:ticket_id}/accept", response=SharingQualityTicketOut, summary="受理")
def accept(request: HttpRequest, ticket_id: UUID) -> SharingQualityTicketOut:
    user = _staff(request)
    ticket = services.accept_ticket(_ticket(user, ticket_id), actor=user)
    return ticket_out(user, ticket, detail=True)


@router.post(
    "/quality/tickets/{uuid:ticket_id}/fix", response=SharingQualityTicketOut, summary="已更正（办结）"
)
def fix(request: HttpRequest, ticket_id: UUID, payload: SharingQualityFixIn) -> SharingQualityTicketOut:
    user = _staff(request)
    ticket = services.fix_ticket(
        _ticket(user, ticket_id),
        actor=user,
        note=payload.note,
        batch_id=payload.batch_id,
        package_id=payload.package_id,
    )
    return ticket_out(user, ticket, detail=True)


@router.post(
    "/quality/tickets/{uuid:ticket_id}/fix-values",
    response=SharingQualityTicketOut,
    summary="已更正（平台录入更正值，写入基础库）",
)
def fix_values(
    request: HttpRequest, ticket_id: UUID, payload: SharingQualityFixValuesIn
) -> SharingQualityTicketOut:
    """The provider's data official enters the corrected values for a ticket about a population or
    legal-person base record: applied to the base (next version, batch ``quality-<ticket id>``) and the
    ticket closed, in one transaction."""
    user = _staff(request)
    ticket = services.fix_ticket_with_values(
        _ticket(user, ticket_id),
        actor=user,
        subject=payload.subject,
        values={key[:64]: value[:500] for key, value in payload.values.items()},
        note=payload.note,
    )
    return ticket_out(user, ticket, detail=True)


@router.post("/quality/tickets/{uuid:ticket_id}/reject", response=SharingQualityTicketOut, summary="不予更正")
def reject(request: HttpRequest, ticket_id: UUID, payload: SharingQualityReasonIn) -> SharingQualityTicketOut:
    user = _staff(request)
    ticket = services.reject_ticket(_ticket(user, ticket_id), actor=user, reason=payload.reason)
    return ticket_out(user, ticket, detail=True)


@router.post(
    "/quality/tickets/{uuid:ticket_id}/comments",
    response={201: SharingQualityTicketOut},
    summary="留言（提交人或提供部门；本人纠错的申请人也可）",
)
def comment(
    request: HttpRequest, ticket_id: UUID, payload: SharingQualityCommentIn
) -> Status[SharingQualityTicketOut]:
    user: User = request.user  # type: ignore[assignment]
    ticket = _ticket(user, ticket_id)
    services.comment_on_ticket(ticket, actor=user, body=payload.body)
    return Status(201, ticket_out(user, ticket, detail=True))


# --- applicants: wrong data about themselves -----------------------------------------------------------
@router.get("/quality/mine", response=list[SharingQualityTicketOut], summary="我的数据纠错")
def mine(request: HttpRequest, paging: Query[PageIn]) -> list[SharingQualityTicketOut]:
    user = _applicant(request)
    rows = list(
        applicant_tickets(user).order_by("-created_at", "pk")[paging.offset : paging.offset + paging.limit]
    )
    return [ticket_out(user, t) for t in rows]


@router.post("/quality/mine", response={201: SharingQualityTicketOut}, summary="对本人数据纠错")
def report_mine(request: HttpRequest, payload: SharingQualityMineIn) -> Status[SharingQualityTicketOut]:
    user = _applicant(request)
    ticket = services.report_by_applicant(
        actor=user,
        resource=_resource(payload.resource_id),
        fields=payload.fields,
        claimed_value=payload.claimed_value,
        reported_value=payload.reported_value,
        description=payload.description,
    )
    return Status(201, ticket_out(user, ticket, detail=True))


@router.get("/quality/mine/{uuid:ticket_id}", response=SharingQualityTicketOut, summary="我的数据纠错详情")
def mine_detail(request: HttpRequest, ticket_id: UUID) -> SharingQualityTicketOut:
    user = _applicant(request)
    ticket = get_by_public_id_or_404(applicant_tickets(user), ticket_id, code=SharingErrorCode.NOT_FOUND)
    return ticket_out(user, ticket, detail=True)
