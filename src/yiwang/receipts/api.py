"""JSON API of receipts (mounted in yiwang.api at /api/v1/receipts): the payer's own receipts, or
a department's for its finance officers, and the sealed PDFs.  Every error answers
``{"code", "message", "fields"}``; what a user cannot see is a 404."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from yiwang.accounts.models import User
from yiwang.accounts.personal_data import record_staff_reads
from yiwang.core import audit, personal_data
from yiwang.core.errors import NotFound
from yiwang.core.masking import mask_name
from yiwang.core.paging import PageIn
from yiwang.payments.models import PaymentOrder
from yiwang.receipts import reads, services
from yiwang.receipts.actions import allowed_actions
from yiwang.receipts.errors import ReceiptErrorCode
from yiwang.receipts.models import Receipt
from yiwang.receipts.schemas import ReceiptFilter, ReceiptLineOut, ReceiptOut, ReceiptPageOut

router = Router(tags=["receipts"])


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _receipt(user: User, receipt_id: UUID) -> Receipt:
    receipt = reads.visible_receipts(user).select_related("order").filter(public_id=receipt_id).first()
    if receipt is None:
        raise NotFound("票据不存在", code=ReceiptErrorCode.NOT_FOUND)
    return receipt


def _log_staff_reads(user: User, receipts: list[Receipt], *, unmasked: bool = False) -> None:
    """A staff member was shown the payers' names (masked, or in full in the PDF)."""
    if reads.is_staff(user) and receipts:
        record_staff_reads(
            user,
            [
                personal_data.Read(
                    subject_id=r.payer_id,
                    object_type="receipts.Receipt",
                    object_id=str(r.public_id),
                    object_label=r.number,
                    fields=(personal_data.NAME,),
                )
                for r in receipts
            ],
            unmasked=unmasked,
        )


def receipt_out(user: User, receipt: Receipt) -> ReceiptOut:
    staff = reads.is_staff(user)
    return ReceiptOut(
        id=receipt.public_id,
        number=receipt.number,
        bill_code=receipt.bill_code,
        serial=f"{receipt.serial:010d}",
        check_code=receipt.check_code,
        kind=receipt.kind,
        kind_label=str(receipt.get_kind_display()),
        order_id=receipt.order.public_id,
        order_code=receipt.order_code,
        reference=receipt.reference,
        subject_title=receipt.subject_title,
        payer_name=mask_name(receipt.payer_name) if staff else receipt.payer_name,
        payee=receipt.payee_name,
        lines=[
            ReceiptLineOut(
                name=str(line.get("name", "")),
                quantity=str(line.get("quantity", "") or ""),
                amount_fen=int(line.get("amount_fen", 0)),
                legal_basis=str(line.get("legal_basis", "")),
            )
            for line in receipt.lines
        ],
        total_fen=receipt.total_fen,
        amount_in_words=receipt.amount_in_words,
        issued_at=receipt.issued_at,
        original_id=receipt.original.public_id if receipt.original else None,
        original_number=receipt.original.number if receipt.original else "",
        reversal_state=reads.reversal_state(receipt),
        reversal_label=str(reads.ReversalState(reads.reversal_state(receipt)).label),
        reversed_fen=reads.reversed_fen(receipt),
        reversal_ids=[r.public_id for r in receipt.reversals.all()],
        verify_url=services.verify_url(receipt.public_code),
        allowed_actions=sorted(allowed_actions(user, receipt)),
    )


@router.get("", response=ReceiptPageOut, summary="Electronic receipts (财政电子票据) I may see")
def list_receipts(
    request: HttpRequest, filters: Query[ReceiptFilter], paging: Query[PageIn]
) -> dict[str, Any]:
    user = _user(request)
    receipts = reads.visible_receipts(user).select_related("order")
    if filters.order is not None:
        order = PaymentOrder.objects.filter(public_id=filters.order).first()
        if order is None or not reads.may_see_order(user, order):
            raise NotFound("缴款单不存在", code=ReceiptErrorCode.NOT_FOUND)
        receipts = receipts.filter(order=order)
    receipts = receipts.order_by("-issued_at", "-pk")
    page = list(paging.window(receipts))
    _log_staff_reads(user, page)
    return {"count": receipts.count(), "results": [receipt_out(user, r) for r in page]}


@router.get("/{uuid:receipt_id}", response=ReceiptOut, summary="One receipt with its lines and reversals")
def get_receipt(request: HttpRequest, receipt_id: UUID) -> ReceiptOut:
    user = _user(request)
    receipt = _receipt(user, receipt_id)
    _log_staff_reads(user, [receipt])
    return receipt_out(user, receipt)


@router.get("/{uuid:receipt_id}/pdf", url_name="receipts_pdf", summary="Download the sealed receipt (PDF)")
def receipt_pdf(request: HttpRequest, receipt_id: UUID) -> HttpResponse:
    user = _user(request)
    receipt = _receipt(user, receipt_id)
    data = reads.document_bytes(receipt)
    if not data:
        raise NotFound("票据文件不存在", code=ReceiptErrorCode.NOT_FOUND)
    _log_staff_reads(user, [receipt], unmasked=True)  # the PDF carries the full name
    audit.record("receipts.downloaded", actor=user, obj=receipt, detail={"number": receipt.number})
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="receipt-{receipt.bill_code}-{receipt.serial:010d}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
