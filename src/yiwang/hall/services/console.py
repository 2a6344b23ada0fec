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
from yiwang.accounts.personal_data import record_staff_reads
from yiwang.accounts.reads import find_applicant
from yiwang.cases.delivery import record_handover
from yiwang.cases.models import Case, CaseMaterialSource, CaseStatus, DeliveryMethod, DeliveryStatus
from yiwang.cases.services.materials import check_material_uploads, store_materials
from yiwang.cases.transitions import files_removed_on_failure
from yiwang.cases.window import register_walk_in
from yiwang.catalog.forms import definition_of, parse_post, render_nodes
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.core import audit, personal_data
from yiwang.core.errors import DomainError, NotFound
from yiwang.core.masking import mask_id_number, mask_name, mask_phone
from yiwang.core.personal_data import Read
from yiwang.hall import reads_appointments
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
        .select_related("category", "window", "applicant", "appointment__item", "appointment__slot")
        .order_by("-called_at", "-pk")
        .first()
    )


def may_register_at_general_window(clerk: User, item: ServiceItem) -> bool:
    """The cases intake predicate: the clerk holds an open general window of a hall that serves
    ``item``."""
    halls = Window.objects.filter(clerk=clerk, status=WindowStatus.OPEN, is_general=True).values("hall_id")
    categories = BusinessCategory.objects.filter(hall_id__in=halls)
    return categories.filter(Q(items=item) | Q(organisations=item.implementing_body_id)).exists()


def may_hand_over_at_general_window(clerk: User, case: Case) -> bool:
    """The cases handover predicate (统一窗口出件): the clerk holds an open general window of a hall
    whose categories serve the case's item."""
    return may_register_at_general_window(clerk, case.item)


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


FORM_PREFIX = "form_"


def form_nodes(
    item: ServiceItem, values: Mapping[str, Any], errors: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The item's form as the nodes of ``forms/_form.html`` with the window's ``form_`` inputs."""
    return render_nodes(
        definition_of(item.form_definition, item.form_fields), values, errors, prefix=FORM_PREFIX
    )


def form_data_from(item: ServiceItem, post: Mapping[str, Any]) -> dict[str, Any]:
    """The item's application form (电子表单) from posted ``form_<key>`` fields (the window
    registration's field names, shared by the console and the agency pages), read by the e-form engine."""
    return parse_post(definition_of(item.form_definition, item.form_fields), post, FORM_PREFIX)


def files_from(item: ServiceItem, files: Any) -> dict[str, list[UploadedFile]]:
    """The uploaded scans per material from ``material_<public id>`` fields (a MultiValueDict)."""
    picked: dict[str, list[UploadedFile]] = {}
    for material in item.materials.all():
        uploads = files.getlist(f"material_{material.public_id}")
        if uploads:
            picked[str(material.public_id)] = list(uploads)
    return picked


def visit_case(clerk: User, case_id: Any) -> Case:
    """A case the clerk registered (窗口登记 at the console); 404 for any other."""
    case = (
        Case.objects.filter(public_id=case_id, registered_by=clerk)
        .select_related("item", "handling_organisation")
        .first()
    )
    if case is None:
        raise NotFound("办件不存在")
    return case


def add_scans(
    *, clerk: User, case: Case, files: Mapping[str, Sequence[UploadedFile]], ticket: QueueTicket | None
) -> int:
    """扫描材料 Paper materials scanned into a case registered at this visit (the ticket being served):
    stored as 窗口扫描 (trust level B), so the handling department sees them.  Answers the count."""
    if not files:
        raise DomainError(HallErrorCode.INVALID_INPUT, "请选择扫描件", {"files": ["required"]})
    if (
        ticket is None
        or ticket.status not in queue.ACTIVE_AT_WINDOW
        or ticket.window is None
        or ticket.window.clerk_id != clerk.pk
        or str(case.public_id) not in ticket.case_public_ids
        or case.registered_by_id != clerk.pk
    ):
        raise DomainError(HallErrorCode.FORBIDDEN, "只能为本次服务登记的办件扫描材料", status=403)
    uploads = check_material_uploads(case.item, files, require_mandatory=False)
    with files_removed_on_failure() as stored, transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.status != CaseStatus.SUBMITTED:
            raise DomainError(HallErrorCode.INVALID_STATE, "办件已受理，不能再补扫材料", status=409)
        store_materials(locked, uploads, clerk, 0, stored, source=CaseMaterialSource.CLERK_SCAN)
        audit.record(
            "hall.console.scans_added",
            actor=clerk,
            obj=locked,
            detail={"number": locked.number, "ticket": ticket.number, "count": len(uploads)},
        )
    return len(uploads)


def ticket_person(ticket: QueueTicket) -> dict[str, str]:
    """The person served, in full: from the appointment, else from the ticket (ID number, phone)
    and the applicant's account."""
    appointment = ticket.appointment
    if appointment is not None:
        return {"name": appointment.name, "id_number": appointment.id_number, "phone": appointment.phone}
    name = ""
    if ticket.applicant_id is not None and ticket.applicant is not None:
        name = ticket.applicant.display_name
    return {"name": name, "id_number": ticket.id_number, "phone": ticket.phone}


def shown_ticket_person(clerk: User, ticket: QueueTicket, *, unmask: bool = False) -> dict[str, str]:
    """The person on the console panel: masked (the panel polls every few seconds: masked values
    are not logged), or in full on 查看完整信息 — every full read logged (the subject's access log,
    through :func:`reads_appointments.shown_person` for a booking, or the audit log for a person
    without an account)."""
    full = ticket_person(ticket)
    if unmask and ticket.appointment is not None:
        shown = reads_appointments.shown_person(clerk, ticket.appointment, unmask=True)
        return {key: shown[key] for key in ("name", "id_number", "phone")}
    if unmask:
        fields = (personal_data.NAME, personal_data.ID_NUMBER, personal_data.PHONE)
        if ticket.applicant_id is not None:
            record_staff_reads(
                clerk,
                [Read(ticket.applicant_id, "hall.QueueTicket", str(ticket.public_id), ticket.number, fields)],
                unmasked=True,
            )
        else:
            audit.record(
                "hall.ticket.personal_read", actor=clerk, obj=ticket, detail={"fields": list(fields)}
            )
        return full
    return {
        "name": mask_name(full["name"]),
        "id_number": mask_id_number(full["id_number"]),
        "phone": mask_phone(full["phone"]),
    }


def cases_to_hand_over(id_number: str = "", *, applicant: User | None = None) -> list[Case]:
    """统一窗口出件 The person's finished cases (any department) waiting for pickup at a window: the
    person by ID number, or the ticket's applicant account."""
    if applicant is None:
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
    recipient_id_number: str | None = None,
    ticket: QueueTicket | None = None,
) -> Case:
    """出件 Record the handover (by the cases service, which checks the clerk's data scope).  With
    ``recipient_id_number`` (the console always passes it) the clerk's check of the recipient's ID
    card is recorded: it must be the applicant's or that of the person holding the ticket."""
    if recipient_id_number is not None:
        _check_recipient(case, recipient_id_number.strip().upper(), ticket)
    with transaction.atomic():
        record_handover(
            case, actor=clerk, recipient_name=recipient_name, recipient_signature=recipient_signature
        )
        if ticket is not None and ticket.status in (QueueStatus.CALLED, QueueStatus.SERVING):
            queue.add_cases(ticket=ticket, clerk=clerk, case_public_ids=[case.public_id])
    return case


def _check_recipient(case: Case, id_number: str, ticket: QueueTicket | None) -> None:
    if not id_number:
        raise DomainError(
            HallErrorCode.INVALID_INPUT, "请核验领取人身份证件", {"recipient_id_number": ["required"]}
        )
    allowed = {str(case.applicant_id_number).upper()}
    if ticket is not None:
        allowed.add(str(ticket_person(ticket)["id_number"]).upper())
    if id_number not in allowed - {""}:
        raise DomainError(
            HallErrorCode.INVALID_INPUT,
            "领取人证件号码与申请人不符",
            {"recipient_id_number": ["mismatch"]},
        )
