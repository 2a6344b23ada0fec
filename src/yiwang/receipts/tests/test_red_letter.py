"""红冲: a finished refund yields a red-letter receipt for the refunded amount (negative, linked to
the original, sealed); the original then shows 部分红冲 / 已红冲; a failed refund yields none."""

from __future__ import annotations

import pytest

from yiwang.core.errors import Conflict
from yiwang.payments.models import Refund, RefundStatus
from yiwang.receipts import reads, services
from yiwang.receipts.models import Receipt, ReceiptKind, ReversalState
from yiwang.receipts.tasks import issue_red_letter_task
from yiwang.receipts.tests.factories import make_finance_seal, normal_receipt, pay_at_window, refund
from yiwang.seals import services as seal_services

pytestmark = pytest.mark.django_db


def test_partial_then_full_refund(world, seal, django_capture_on_commit_callbacks):
    order = pay_at_window(world, django_capture_on_commit_callbacks)
    original = normal_receipt(order)
    first = refund(world, django_capture_on_commit_callbacks, order, 2000)
    assert first.status == RefundStatus.REFUNDED
    red = Receipt.objects.get(refund=first)
    assert red.kind == ReceiptKind.RED_LETTER and red.original == original and red.order == order
    assert red.total_fen == -2000 and red.amount_in_words == "负贰拾元整"
    assert [line["amount_fen"] for line in red.lines] == [-2000]
    assert red.serial == original.serial + 1 and red.bill_code == original.bill_code
    assert seal_services.verify_pdf(reads.document_bytes(red)).ok
    original = reads.with_reversals(Receipt.objects.filter(pk=original.pk)).get()
    assert reads.reversal_state(original) == ReversalState.PARTIAL and reads.reversed_fen(original) == 2000

    rest = refund(world, django_capture_on_commit_callbacks, order, 3000)
    second = Receipt.objects.get(refund=rest)
    assert second.total_fen == -3000 and second.original == original
    original = reads.with_reversals(Receipt.objects.filter(pk=original.pk)).get()
    assert reads.reversal_state(original) == ReversalState.FULL and reads.reversed_fen(original) == 5000
    # the task again: nothing new
    issue_red_letter_task.enqueue(rest.pk)
    assert services.issue_red_letter(rest) == second
    assert Receipt.objects.filter(kind=ReceiptKind.RED_LETTER).count() == 2


def test_full_refund_reverses_every_line(world, seal, django_capture_on_commit_callbacks):
    order = pay_at_window(world, django_capture_on_commit_callbacks)
    original = normal_receipt(order)
    done = refund(world, django_capture_on_commit_callbacks, order, 5000)
    red = Receipt.objects.get(refund=done)
    assert red.lines == [{**line, "amount_fen": -line["amount_fen"]} for line in original.lines]
    assert red.total_fen == -original.total_fen
    assert red.amount_in_words == "负伍拾元整"
    assert reads.reversal_state(original) == ReversalState.FULL


def test_refund_before_the_receipt_issues_both(world, django_capture_on_commit_callbacks):
    order = pay_at_window(world, django_capture_on_commit_callbacks)  # no seal yet: no receipt
    done = refund(world, django_capture_on_commit_callbacks, order, 1000)
    assert not Receipt.objects.exists()
    make_finance_seal(world)
    assert services.issue_missing() == {"issued": 1, "red_letter": 1, "failed": 0}
    red = Receipt.objects.get(refund=done)
    assert red.original == normal_receipt(order) and red.total_fen == -1000


def test_failed_or_pending_refund_has_no_red_letter(world, seal, django_capture_on_commit_callbacks):
    order = pay_at_window(world, django_capture_on_commit_callbacks)
    pending = Refund.objects.create(order=order, refund_no="RTEST1", amount_fen=100, reason="x")
    with pytest.raises(Conflict) as refused:
        services.issue_red_letter(pending)
    assert refused.value.code == "receipts_refund_not_finished"
    pending.status = RefundStatus.FAILED
    pending.save(update_fields=["status"])
    assert services.issue_red_letter(pending) is None
    assert not Receipt.objects.filter(kind=ReceiptKind.RED_LETTER).exists()


def test_red_letter_never_reverses_more_than_the_original(world, seal, django_capture_on_commit_callbacks):
    order = pay_at_window(world, django_capture_on_commit_callbacks)
    refund(world, django_capture_on_commit_callbacks, order, 5000)
    forged = Refund.objects.create(
        order=order, refund_no="RTEST2", amount_fen=1, reason="x", status=RefundStatus.REFUNDED
    )
    with pytest.raises(Conflict) as refused:
        services.issue_red_letter(forged)
    assert refused.value.code == "receipts_exceeds_original"
