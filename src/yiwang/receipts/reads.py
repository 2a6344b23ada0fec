"""Queries of receipts shared by the API, the pages and the template tags: who sees which receipt,
how much of a receipt is reversed, the public verification facts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet

from yiwang.accounts.models import AccountKind
from yiwang.accounts.roles import in_scope, in_scope_ids
from yiwang.core.masking import mask_name
from yiwang.payments.models import PaymentOrder
from yiwang.receipts.models import Receipt, ReceiptKind, ReversalState
from yiwang.receipts.numbers import parse_public_code
from yiwang.seals import services as seal_services

#: Who among the staff sees a department's receipts: its finance officers (财务人员).
STAFF_ROLES = ("finance",)


def with_reversals(receipts: QuerySet[Receipt]) -> QuerySet[Receipt]:
    return receipts.select_related("payee", "original").prefetch_related(
        Prefetch("reversals", queryset=Receipt.objects.order_by("issued_at", "pk"))
    )


def visible_receipts(user: Any) -> QuerySet[Receipt]:
    """The payer sees his own receipts; finance officers those of the departments in their data
    scope; everyone else nothing."""
    base = with_reversals(Receipt.objects.all())
    if not getattr(user, "is_authenticated", False):
        return base.none()
    if user.kind == AccountKind.STAFF:
        return base.filter(payee__in=in_scope_ids(user, STAFF_ROLES))
    return base.filter(payer=user)


def may_see_order(user: Any, order: PaymentOrder) -> bool:
    """Whether ``user`` may list the receipts of ``order`` (its payer, or finance of its department)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.kind == AccountKind.STAFF:
        return in_scope(user, order.organisation_id, STAFF_ROLES)
    return bool(order.payer_id == user.pk)


def is_staff(user: Any) -> bool:
    return getattr(user, "kind", "") == AccountKind.STAFF


def reversed_fen(receipt: Receipt) -> int:
    """How much of a normal receipt its red-letter receipts reverse (positive fen; uses the prefetch)."""
    if receipt.kind != ReceiptKind.NORMAL:
        return 0
    return -sum(r.total_fen for r in receipt.reversals.all())


def reversal_state(receipt: Receipt) -> str:
    done = reversed_fen(receipt)
    if done <= 0:
        return ReversalState.NONE
    return ReversalState.FULL if done >= receipt.total_fen else ReversalState.PARTIAL


def receipts_of_order(order: PaymentOrder) -> QuerySet[Receipt]:
    return with_reversals(Receipt.objects.filter(order=order)).order_by("issued_at", "pk")


def document_bytes(receipt: Receipt) -> bytes:
    if not receipt.document:
        return b""
    with receipt.document.open("rb") as handle:
        return bytes(handle.read())


def document_valid(receipt: Receipt) -> bool:
    """The stored PDF is the one issued (its SHA-256) and its seal signature verifies (intact,
    trusted, not revoked)."""
    data = document_bytes(receipt)
    if not data or hashlib.sha256(data).hexdigest() != receipt.document_sha256:
        return False
    return bool(seal_services.verify_pdf(data).ok)


@dataclass(frozen=True)
class PublicFacts:
    """What the public verification page shows (the payer masked)."""

    number: str
    kind: str
    kind_label: str
    valid: bool
    payer_masked: str
    payee_name: str
    total_fen: int
    amount_in_words: str
    issued_at: datetime
    reversal_state: str
    reversal_label: str
    reversed_fen: int
    original_number: str
    reversals: list[tuple[str, int, datetime]]


def public_facts(code: str) -> PublicFacts | None:
    """The facts of the receipt with this public code (None when malformed or unknown)."""
    parsed = parse_public_code(code)
    if parsed is None:
        return None
    receipt = with_reversals(Receipt.objects.filter(public_code=str(parsed))).first()
    if receipt is None:
        return None
    state = reversal_state(receipt)
    return PublicFacts(
        number=receipt.number,
        kind=receipt.kind,
        kind_label=str(receipt.get_kind_display()),
        valid=document_valid(receipt),
        payer_masked=mask_name(receipt.payer_name),
        payee_name=receipt.payee_name,
        total_fen=receipt.total_fen,
        amount_in_words=receipt.amount_in_words,
        issued_at=receipt.issued_at,
        reversal_state=state,
        reversal_label=str(ReversalState(state).label),
        reversed_fen=reversed_fen(receipt),
        original_number=receipt.original.number if receipt.original else "",
        reversals=[(r.number, r.total_fen, r.issued_at) for r in receipt.reversals.all()],
    )
