"""窗口工作台 What the window console does besides calling: walk-in registration for any item of
the hall at a general window (前台综合受理 → 后台分类审批), results handed out at one window
(统一窗口出件), the clerk's current window and ticket."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet

from yiwang.accounts.models import User
from yiwang.accounts.reads import find_applicant
from yiwang.cases.delivery import record_handover
from yiwang.cases.models import Case, CaseStatus, DeliveryMethod, DeliveryStatus
from yiwang.cases.window import register_walk_in
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.core.errors import DomainError
from yiwang.hall.errors import HallErrorCode
from yiwang.hall.models import (
    BusinessCategory,
    Hall,
    QueueStatus,
    QueueTicket,
    Window,
    WindowStatus,
)
from yiwang.hall.services import queue

HANDOVER_STATUSES = (CaseStatus.COMPLETED, CaseStatus.NOT_ACCEPTED)


def hall_item_filter(hall: Hall) -> Q:
    """The items of the hall: those of its categories and those of the departments it serves."""
    categories = BusinessCategory.objects.filter(hall=hall)
    return Q(pk__in=categories.values("items")) | Q(implementing_body__in=categories.values("organisations"))


def hall_items(hall: Hall) -> QuerySet[ServiceItem]:
    return (
        ServiceItem.objects.filter(hall_item_filter(hall), status=ItemStatus.PUBLISHED)
        .select_related("implementing_body")
        .order_by("name", "pk")
        .distinct()
    )


def current_window(clerk: User) -> Window | None:
    """The window the clerk is signed in to (open or paused)."""
    return (
        Window.objects.filter(clerk=clerk)
        .exclude(status=WindowStatus.CLOSED)
        .select_related("hall")
        .order_by("pk")
        .first()
    )


def current_ticket(window: Window) -> QueueTicket | None:
    return (
        QueueTicket.objects.filter(window=window, status__in=queue.ACTIVE_AT_WINDOW)
        .select_related("category", "appointment__item", "appointment__slot")
        .order_by("-called_at", "-pk")
        .first()
    )


def may_register_at_general_window(clerk: User, item: ServiceItem) -> bool:
    """The cases intake predicate: the clerk holds an open general window of a hall that serves
    ``item``."""
    halls = Window.objects.filter(clerk=clerk, status=WindowStatus.OPEN, is_general=True).values("hall_id")
    categories = BusinessCategory.objects.filter(hall_id__in=halls)
    return categories.filter(Q(items=item) | Q(organisations=item.implementing_body_id)).exists()


def register_for_ticket(
    *,
    clerk: User,
    item: ServiceItem,
    ticket: QueueTicket | None,
    applicant_name: str,
    applicant_id_number: str,
    applicant_phone: str = "",
    form_data: Mapping[str, Any],
    files: Mapping[str, Sequence[UploadedFile]],
    delivery_method: str = DeliveryMethod.WINDOW,
    delivery_address: str = "",
    idempotency_key: str = "",
) -> Case:
    """登记 A walk-in application at the console (scanned paper materials are the uploaded files:
    stored as 窗口扫描); the case is remembered on the ticket being served."""
    window = current_window(clerk)
    if window is None:
        raise DomainError(HallErrorCode.WINDOW_BUSY, "请先登录窗口", status=409)
    if not hall_items(window.hall).filter(pk=item.pk).exists():
        raise DomainError(HallErrorCode.NOT_FOUND, "本大厅不受理该事项", status=404)
    case = register_walk_in(
        clerk=clerk,
        item=item,
        applicant_name=applicant_name,
        applicant_id_number=applicant_id_number,
        applicant_phone=applicant_phone,
        form_data=form_data,
        files=files,
        delivery_method=delivery_method,
        delivery_address=delivery_address,
        idempotency_key=idempotency_key,
    )
    if ticket is not None and ticket.status in queue.ACTIVE_AT_WINDOW:
        queue.add_cases(ticket=ticket, clerk=clerk, case_public_ids=[case.public_id])
    return case


def cases_to_hand_over(id_number: str) -> list[Case]:
    """统一窗口出件 The person's finished cases (any department) waiting for pickup at a window."""
    applicant = find_applicant(id_number) if id_number else None
    if applicant is None:
        return []
    return list(
        Case.objects.filter(
            applicant=applicant,
            status__in=HANDOVER_STATUSES,
            delivery__method=DeliveryMethod.WINDOW,
        )
        .exclude(delivery__status=DeliveryStatus.DELIVERED)
        .select_related("item", "handling_organisation", "delivery")
        .order_by("-updated_at", "-pk")[:50]
    )


def hand_over(
    *,
    clerk: User,
    case: Case,
    recipient_name: str,
    recipient_signature: str = "",
    ticket: QueueTicket | None = None,
) -> Case:
    """出件 Record the handover (by the cases service, which checks the clerk's data scope)."""
    with transaction.atomic():
        record_handover(
            case, actor=clerk, recipient_name=recipient_name, recipient_signature=recipient_signature
        )
        if ticket is not None and ticket.status in (QueueStatus.CALLED, QueueStatus.SERVING):
            queue.add_cases(ticket=ticket, clerk=clerk, case_public_ids=[case.public_id])
    return case
