"""开票 Issuing receipts: the normal receipt (蓝字票据) of a paid order and the red-letter receipt
(红字票据, 红冲) of a finished refund, each numbered, rendered, sealed with the collecting department's
seal (PAdES) and stored in one transaction.  Both are idempotent: one normal receipt per order, one
red-letter receipt per refund (the order row is locked while checking, and unique constraints
back it up)."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts.inbox import post_inbox_message
from yiwang.core import audit
from yiwang.core.errors import Conflict
from yiwang.core.models import Organisation
from yiwang.core.public_url import public_url
from yiwang.payments.models import PAID_STATUSES, PaymentOrder, Refund, RefundStatus
from yiwang.receipts import numbers
from yiwang.receipts.amounts import amount_in_words
from yiwang.receipts.documents import SEAL_BOX, ReceiptLayout, render_receipt_pdf
from yiwang.receipts.errors import ReceiptErrorCode
from yiwang.receipts.models import Receipt, ReceiptKind, ReceiptSequence
from yiwang.seals import services as seal_services
from yiwang.seals.models import Seal, SealType

logger = logging.getLogger("yiwang.receipts")

#: The seal a receipt carries: the department's 财务专用章, else its 公章; on this platform a
#: department with neither uses its 行政审批专用章 (every department that decides cases has one).
RECEIPT_SEAL_PREFERENCE = (SealType.FINANCE, SealType.OFFICIAL, SealType.ADMINISTRATIVE_APPROVAL)
ISSUE_REASON = "开具财政电子票据"
RED_LETTER_REASON = "开具红字财政电子票据"


def verify_url(code: str) -> str:
    return public_url(reverse("receipts:verify", args=[code]))


def receipt_seal(organisation: Organisation) -> Seal:
    """The seal of the collecting department's receipts (409 ``receipts_no_seal`` when it has none)."""
    seal = seal_services.organisation_seal(organisation, RECEIPT_SEAL_PREFERENCE)
    if seal is None:
        raise Conflict(
            f"“{organisation.name}”没有可用的财务专用章或公章，不能开具财政电子票据",
            code=ReceiptErrorCode.NO_SEAL,
        )
    return seal


def next_serial(code: str) -> int:
    """The next 票据号码 under ``code`` (the sequence row stays locked until commit)."""
    sequence, _ = ReceiptSequence.objects.get_or_create(bill_code=code)
    sequence = ReceiptSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last += 1
    if sequence.last > numbers.MAX_SERIAL:
        raise Conflict("票据号码已用尽", code=ReceiptErrorCode.SERIALS_EXHAUSTED)
    sequence.save(update_fields=["last"])
    return sequence.last


def receipt_lines(order: PaymentOrder) -> list[dict[str, Any]]:
    """The receipt's lines from the order's fee breakdown (net amounts in fen)."""
    lines = []
    for line in order.lines or []:
        lines.append(
            {
                "name": str(line.get("name", ""))[:100],
                "quantity": str(line.get("quantity", "") or ""),
                "gross_fen": int(line.get("gross_fen", 0) or 0),
                "reduction_fen": int(line.get("reduction_fen", 0) or 0),
                "amount_fen": int(line.get("net_fen", 0) or 0),
                "legal_basis": str(line.get("legal_basis", ""))[:200],
                "exemption_name": str(line.get("exemption_name", ""))[:100],
            }
        )
    return lines


def _layout(receipt: Receipt, notes: list[str]) -> ReceiptLayout:
    return ReceiptLayout(
        number_code=receipt.bill_code,
        number_serial=f"{receipt.serial:010d}",
        check_code=receipt.check_code,
        issued_at=timezone.localtime(receipt.issued_at),
        payer_name=receipt.payer_name,
        payee_name=receipt.payee_name,
        order_code=receipt.order_code,
        reference=receipt.reference,
        subject_title=receipt.subject_title,
        lines=receipt.lines,
        total_fen=receipt.total_fen,
        amount_in_words=receipt.amount_in_words,
        verify_url=verify_url(receipt.public_code),
        red_letter=receipt.is_red_letter,
        notes=notes,
    )


def _create(
    order: PaymentOrder,
    *,
    kind: str,
    lines: list[dict[str, Any]],
    total_fen: int,
    original: Receipt | None = None,
    refund: Refund | None = None,
) -> Receipt:
    """Number, render, seal and store one receipt (inside the caller's transaction)."""
    seal = receipt_seal(order.organisation)
    issued_at = timezone.now()
    region = getattr(order.organisation, "region", None)
    code = numbers.bill_code(getattr(region, "full_code", "") or "", timezone.localdate(issued_at).year)
    serial = next_serial(code)
    check = numbers.check_code(code, serial, total_fen, timezone.localdate(issued_at))
    receipt = Receipt.objects.create(
        kind=kind,
        bill_code=code,
        serial=serial,
        check_code=check,
        public_code=numbers.public_code(code, serial, check),
        order=order,
        refund=refund,
        original=original,
        payer_id=order.payer_id,
        payer_name=order.payer_name,
        payee=order.organisation,
        payee_name=order.organisation.name,
        order_code=order.code,
        reference=order.reference,
        subject_title=order.subject_title[:200],
        lines=lines,
        total_fen=total_fen,
        amount_in_words=amount_in_words(total_fen),
        issued_at=issued_at,
        seal=seal,
    )
    notes = []
    if original is not None and refund is not None:
        notes = [f"冲红原票据：{original.number}", f"退款单号：{refund.refund_no}"]
    signed = seal_services.stamp_pdf(
        seal,
        render_receipt_pdf(_layout(receipt, notes)),
        user=None,
        reason=RED_LETTER_REASON if original is not None else ISSUE_REASON,
        reference=receipt.number,
        box=SEAL_BOX,
        system=True,
    )
    receipt.document.save(f"{receipt.public_id.hex}.pdf", ContentFile(signed), save=False)
    receipt.document_sha256 = hashlib.sha256(signed).hexdigest()
    receipt.save(update_fields=["document", "document_sha256", "updated_at"])
    audit.record(
        "receipts.red_letter_issued" if original is not None else "receipts.issued",
        obj=receipt,
        detail={
            "number": receipt.number,
            "order": order.code,
            "total_fen": total_fen,
            **({"original": original.number, "refund_no": refund.refund_no} if original and refund else {}),
        },
    )
    _notify_payer(receipt)
    return receipt


def _notify_payer(receipt: Receipt) -> None:
    user_id, occurred_at = receipt.payer_id, receipt.issued_at
    title = "财政电子票据已开具" if not receipt.is_red_letter else "红字财政电子票据已开具"
    body = f"{receipt.subject_title}：票据号 {receipt.number}，金额 {receipt.amount_in_words}。"
    link = reverse("api:receipts_pdf", args=[receipt.public_id])

    def send() -> None:
        post_inbox_message(user_id, title=title, body=body, link=link, occurred_at=occurred_at)

    transaction.on_commit(send)


def _locked_order(order_id: int) -> PaymentOrder:
    return (
        PaymentOrder.objects.select_for_update(of=("self",))
        .select_related("organisation__region")
        .get(pk=order_id)
    )


def _issue_locked(order: PaymentOrder) -> Receipt:
    existing = Receipt.objects.filter(order=order, kind=ReceiptKind.NORMAL).first()
    if existing is not None:
        return existing
    if order.status not in PAID_STATUSES:
        raise Conflict("缴款单尚未缴费，不能开具票据", code=ReceiptErrorCode.NOT_PAID)
    lines = receipt_lines(order)
    total = order.paid_fen or order.amount_fen
    if sum(line["amount_fen"] for line in lines) != total:
        # the order's lines do not add up to what was paid (a corrected amount): one line with the total
        lines = [{"name": order.subject_title[:100], "quantity": "", "amount_fen": total, "legal_basis": ""}]
    return _create(order, kind=ReceiptKind.NORMAL, lines=lines, total_fen=total)


def issue_receipt(order: PaymentOrder | int) -> Receipt:
    """开具财政电子票据 for a paid order (idempotent: the order's one normal receipt).  409
    ``receipts_order_not_paid`` for an unpaid order, ``receipts_no_seal`` without a seal."""
    order_id = order if isinstance(order, int) else order.pk
    try:
        with transaction.atomic():
            return _issue_locked(_locked_order(order_id))
    except IntegrityError:  # issued meanwhile by another worker (SQLite has no row locks)
        return Receipt.objects.get(order_id=order_id, kind=ReceiptKind.NORMAL)


def reversed_fen(original: Receipt) -> int:
    """How much of ``original`` its red-letter receipts reverse (a positive number of fen)."""
    return -sum(r.total_fen for r in original.reversals.all())


def issue_red_letter(refund: Refund | int) -> Receipt | None:
    """开具红字票据 (红冲) for a finished refund: minus the refunded amount, linked to the order's
    receipt (issued first if it was not yet).  A full refund reverses each line; a partial one is one
    line.  Idempotent; None when the refund failed; 409 while it is still in flight."""
    refund_id = refund if isinstance(refund, int) else refund.pk
    order_id = Refund.objects.values_list("order_id", flat=True).get(pk=refund_id)
    try:
        with transaction.atomic():
            order = _locked_order(order_id)
            locked = Refund.objects.select_for_update().get(pk=refund_id)
            existing = Receipt.objects.filter(refund=locked).first()
            if existing is not None:
                return existing
            if locked.status == RefundStatus.FAILED:
                return None
            if locked.status != RefundStatus.REFUNDED:
                raise Conflict("退款尚未完成，不能红冲", code=ReceiptErrorCode.REFUND_NOT_FINISHED)
            original = _issue_locked(order)
            original = Receipt.objects.select_for_update().get(pk=original.pk)
            remaining = original.total_fen - reversed_fen(original)
            if locked.amount_fen > remaining:
                raise Conflict(
                    "红冲金额超过原票据未冲销金额",
                    code=ReceiptErrorCode.EXCEEDS_ORIGINAL,
                    fields={"amount_fen": [f"最多 {remaining} 分"]},
                )
            if locked.amount_fen == original.total_fen:
                lines = [{**line, "amount_fen": -int(line["amount_fen"])} for line in original.lines]
            else:
                names = "、".join(str(line.get("name", "")) for line in original.lines)[:80]
                lines = [
                    {
                        "name": f"{names}（部分退付）",
                        "quantity": "",
                        "amount_fen": -locked.amount_fen,
                        "legal_basis": "",
                    }
                ]
            return _create(
                order,
                kind=ReceiptKind.RED_LETTER,
                lines=lines,
                total_fen=-locked.amount_fen,
                original=original,
                refund=locked,
            )
    except IntegrityError:
        return Receipt.objects.get(refund_id=refund_id)


def issue_missing(limit: int = 200) -> dict[str, int]:
    """补开 Issue what is missing (orders paid and refunds finished without their receipt, e.g. while
    the department had no seal); each failure is logged and left for the next run."""
    counts = {"issued": 0, "red_letter": 0, "failed": 0}
    orders = (
        PaymentOrder.objects.filter(status__in=PAID_STATUSES)
        .exclude(receipts__kind=ReceiptKind.NORMAL)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for order_id in list(orders):
        try:
            issue_receipt(order_id)
            counts["issued"] += 1
        except Conflict as exc:
            logger.warning("receipt of order %s not issued: %s", order_id, exc.code)
            counts["failed"] += 1
    refunds = (
        Refund.objects.filter(status=RefundStatus.REFUNDED, red_letter_receipt__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for refund_id in list(refunds):
        try:
            issue_red_letter(refund_id)
            counts["red_letter"] += 1
        except Conflict as exc:
            logger.warning("red-letter receipt of refund %s not issued: %s", refund_id, exc.code)
            counts["failed"] += 1
    return counts
