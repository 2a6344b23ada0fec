"""差错处理 maker-checker: a finance officer proposes, another of the department approves (applied
through the payment services) or rejects; nobody approves his own proposal; other departments and
other roles are refused."""

from __future__ import annotations

from datetime import date

import pytest

from yiwang.core.audit import AuditEvent
from yiwang.core.errors import DomainError
from yiwang.payments import services
from yiwang.payments.errors import PaymentErrorCode
from yiwang.payments.gateways.base import PaymentStatus
from yiwang.payments.models import (
    CorrectionAction,
    CorrectionStatus,
    OrderStatus,
    Outcome,
    PaymentEventType,
    Resolution,
)
from yiwang.payments.tests.recon_helpers import StatementGateway, paid_order, statement
from yiwang.testing import portal
from yiwang.testing.payments import make_order

pytestmark = pytest.mark.django_db
DAY = date(2026, 9, 20)


@pytest.fixture
def checker(world):
    return portal.make_staff(world.department, "pay_finance_b", ["finance"], "钱芳")


def test_mark_paid_needs_a_second_finance_officer(world, paygate_keys, checker):
    unpaid = make_order(world)
    gateway = StatementGateway(paygate_keys, statement(DAY, (unpaid.code, "pay", 5000)))
    run = services.reconcile(DAY, gateway=gateway)
    item = run.items.get()
    assert item.outcome == Outcome.MISSING_OURS
    correction = services.propose_correction(
        item, actor=world.finance, action=CorrectionAction.MARK_PAID, reason="支付平台查询已支付"
    )
    item.refresh_from_db()
    assert item.resolution == Resolution.PROPOSED and correction.amount_fen == 5000
    with pytest.raises(DomainError) as exc:  # nobody approves his own proposal
        services.decide_correction(correction, actor=world.finance, approve=True, gateway=gateway)
    assert exc.value.code == PaymentErrorCode.SELF_APPROVAL and exc.value.status == 403
    with pytest.raises(DomainError) as exc:  # finance of another department
        services.decide_correction(correction, actor=world.other_finance, approve=True, gateway=gateway)
    assert exc.value.status == 403
    with pytest.raises(DomainError):  # a window clerk is no finance officer
        services.decide_correction(correction, actor=world.clerk, approve=True, gateway=gateway)
    gateway.queried[unpaid.code] = PaymentStatus(unpaid.code, "paying", 5000)
    with pytest.raises(DomainError) as exc:  # the gateway does not say paid: nothing applied
        services.decide_correction(correction, actor=checker, approve=True, gateway=gateway)
    assert exc.value.code == PaymentErrorCode.CORRECTION_NOT_ALLOWED
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING
    gateway.queried[unpaid.code] = PaymentStatus(unpaid.code, "paid", 5000, "PG7", None, "qr")
    decided = services.decide_correction(
        correction, actor=checker, approve=True, comment="同意", gateway=gateway
    )
    assert decided.status == CorrectionStatus.APPROVED and decided.decided_by == checker
    unpaid.refresh_from_db()
    assert unpaid.status == OrderStatus.PAID and unpaid.paid_fen == 5000
    event = unpaid.events.get(event_type=PaymentEventType.PAID)
    assert event.source == "reconciliation" and event.actor == checker
    item.refresh_from_db()
    assert item.resolution == Resolution.RESOLVED
    with pytest.raises(DomainError) as exc:
        services.decide_correction(decided, actor=checker, approve=True, gateway=gateway)
    assert exc.value.code == PaymentErrorCode.CORRECTION_DECIDED
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"payments.correction_proposed", "payments.correction_approved", "payments.refused"} <= actions
    run.refresh_from_db()
    assert run.open_count == 0


def test_refund_of_a_duplicate_and_reject(world, paygate_keys, checker):
    order = paid_order(world, DAY)
    other = paid_order(world, DAY)
    gateway = StatementGateway(
        paygate_keys,
        statement(DAY, (order.code, "pay", 5000), (order.code, "pay", 5000), (other.code, "pay", 4000)),
    )
    run = services.reconcile(DAY, gateway=gateway)
    duplicate = run.items.get(order_no=order.code)
    with pytest.raises(DomainError) as exc:  # mark_paid does not fit a duplicate
        services.propose_correction(
            duplicate, actor=world.finance, action=CorrectionAction.MARK_PAID, reason="x"
        )
    assert exc.value.code == PaymentErrorCode.CORRECTION_NOT_ALLOWED
    with pytest.raises(DomainError) as exc:
        services.propose_correction(
            duplicate, actor=world.finance, action=CorrectionAction.REFUND, reason="x", amount_fen=5001
        )
    assert exc.value.code == PaymentErrorCode.INVALID_AMOUNT
    with pytest.raises(DomainError) as exc:
        services.propose_correction(
            duplicate, actor=world.finance, action=CorrectionAction.REFUND, reason=" "
        )
    with pytest.raises(DomainError) as exc:
        services.propose_correction(
            duplicate, actor=world.other_finance, action=CorrectionAction.REFUND, reason="重复"
        )
    assert exc.value.status == 403
    correction = services.propose_correction(
        duplicate, actor=world.finance, action=CorrectionAction.REFUND, reason="重复缴费"
    )
    with pytest.raises(DomainError) as exc:  # one proposal at a time
        services.propose_correction(duplicate, actor=checker, action=CorrectionAction.WRITE_OFF, reason="x")
    assert exc.value.code == PaymentErrorCode.CORRECTION_DECIDED
    services.decide_correction(correction, actor=checker, approve=True, gateway=gateway)
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDING
    assert [r.amount_fen for r in gateway.refunds] == [5000]
    assert order.refunds.get().requested_by == checker
    # reject: the item is open again and may be proposed anew
    mismatch = run.items.get(order_no=other.code)
    assert mismatch.outcome == Outcome.AMOUNT_MISMATCH
    proposal = services.propose_correction(
        mismatch, actor=checker, action=CorrectionAction.WRITE_OFF, reason="手续费差额"
    )
    rejected = services.decide_correction(proposal, actor=world.finance, approve=False, comment="请核实")
    assert rejected.status == CorrectionStatus.REJECTED
    mismatch.refresh_from_db()
    assert mismatch.resolution == Resolution.OPEN
    again = services.propose_correction(
        mismatch, actor=checker, action=CorrectionAction.WRITE_OFF, reason="已核实"
    )
    services.decide_correction(again, actor=world.finance, approve=True)
    mismatch.refresh_from_db()
    assert mismatch.resolution == Resolution.RESOLVED
    # a re-run keeps both handled items
    rerun = services.reconcile(DAY, gateway=gateway)
    assert set(rerun.items.values_list("resolution", flat=True)) == {Resolution.RESOLVED}
