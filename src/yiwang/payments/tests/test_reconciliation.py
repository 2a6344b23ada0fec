"""对账: every outcome (matched, missing ours, missing theirs, amount mismatch, duplicate) for
payments and refunds, a forged / unsigned / malformed statement refused and audited, re-run
idempotency (open items replaced, handled ones kept), the command and the scheduled job."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command

from yiwang.core.audit import AuditEvent
from yiwang.core.errors import DomainError
from yiwang.core.scheduler import JOBS
from yiwang.payments import services
from yiwang.payments.errors import PaymentErrorCode
from yiwang.payments.models import (
    CorrectionAction,
    Outcome,
    ReconciliationItem,
    ReconciliationRun,
    Resolution,
    RunStatus,
)
from yiwang.payments.tests.recon_helpers import StatementGateway, forged_key, paid_order, refunded, statement
from yiwang.testing.payments import make_order

pytestmark = pytest.mark.django_db
DAY = date(2026, 9, 20)


def _outcomes(run: ReconciliationRun) -> dict[tuple[str, str], str]:
    return {(i.order_no, i.kind): i.outcome for i in run.items.all()}


def test_every_outcome(world, paygate_keys):
    matched = paid_order(world, DAY)
    theirs = paid_order(world, DAY)  # paid with us, not in the statement
    mismatch = paid_order(world, DAY)
    duplicate = paid_order(world, DAY)
    window = paid_order(world, DAY, gateway="offline")  # paid at the window and online
    unpaid = make_order(world)  # paid at the gateway, not with us
    refund_ok = paid_order(world, DAY)
    refunded(refund_ok, DAY, 1000)
    refund_theirs = paid_order(world, DAY)
    refunded(refund_theirs, DAY, 500)
    raw = statement(
        DAY,
        (matched.code, "pay", 5000),
        (mismatch.code, "pay", 4999),
        (duplicate.code, "pay", 5000),
        (duplicate.code, "pay", 5000),
        (window.code, "pay", 5000),
        (unpaid.code, "pay", 5000),
        ("99999999999999999999", "pay", 700),
        (refund_ok.code, "pay", 5000),
        (refund_ok.code, "refund", 1000),
        (refund_theirs.code, "pay", 5000),
        (matched.code, "refund", 300),  # a refund we never made
    )
    run = services.reconcile(DAY, gateway=StatementGateway(paygate_keys, raw))
    assert run.status == RunStatus.DONE and run.signature_verified and len(run.statement_sha256) == 64
    assert run.statement_lines == 11 and run.statement_refund_fen == 1300
    outcomes = _outcomes(run)
    assert outcomes == {
        (matched.code, "pay"): Outcome.MATCHED,
        (theirs.code, "pay"): Outcome.MISSING_THEIRS,
        (mismatch.code, "pay"): Outcome.AMOUNT_MISMATCH,
        (duplicate.code, "pay"): Outcome.DUPLICATE,
        (window.code, "pay"): Outcome.DUPLICATE,
        (unpaid.code, "pay"): Outcome.MISSING_OURS,
        ("99999999999999999999", "pay"): Outcome.MISSING_OURS,
        (refund_ok.code, "pay"): Outcome.MATCHED,
        (refund_ok.code, "refund"): Outcome.MATCHED,
        (refund_theirs.code, "pay"): Outcome.MATCHED,
        (refund_theirs.code, "refund"): Outcome.MISSING_THEIRS,
        (matched.code, "refund"): Outcome.MISSING_OURS,
    }
    assert run.counts() == {
        "matched": 4,
        "missing_ours": 3,
        "missing_theirs": 2,
        "amount_mismatch": 1,
        "duplicate": 2,
    }
    assert run.open_count == 8
    dup = run.items.get(order_no=duplicate.code)
    assert (
        dup.line_count == 2 and dup.detail["amounts"] == [5000, 5000] and dup.organisation == world.department
    )
    unknown = run.items.get(order_no="99999999999999999999")
    assert unknown.order is None and unknown.organisation is None and unknown.detail["unknown_order"]
    missing = run.items.get(order_no=unpaid.code)
    assert missing.order == unpaid and missing.our_fen is None and missing.statement_fen == 5000
    assert run.items.get(order_no=mismatch.code).our_fen == 5000
    assert AuditEvent.objects.filter(action="payments.reconciled").count() == 1


def test_orders_of_other_days_and_refund_amounts(world, paygate_keys):
    yesterday = paid_order(world, DAY - timedelta(days=1))  # paid the day before: not ours to miss today
    order = paid_order(world, DAY)
    refunded(order, DAY, 800)
    raw = statement(DAY, (order.code, "pay", 5000), (order.code, "refund", 900))
    run = services.reconcile(DAY, gateway=StatementGateway(paygate_keys, raw))
    assert yesterday.code not in {i.order_no for i in run.items.all()}
    item = run.items.get(kind="refund")
    assert (item.outcome, item.statement_fen, item.our_fen) == (Outcome.AMOUNT_MISMATCH, 900, 800)


@pytest.mark.parametrize("how", ["forged", "unsigned", "malformed", "other_day"])
def test_bad_statement_refused_and_audited(world, paygate_keys, how):
    order = paid_order(world, DAY)
    raw = statement(DAY, (order.code, "pay", 5000))
    gateway = StatementGateway(paygate_keys, raw, sign_with=forged_key() if how == "forged" else None)
    if how == "unsigned":
        gateway.sign_with = ""
    if how == "malformed":
        gateway.raw = raw.replace(b",5000,", b",50.00,")
    if how == "other_day":
        gateway.raw = statement(DAY - timedelta(days=1), (order.code, "pay", 5000))
    with pytest.raises(DomainError) as exc:
        services.reconcile(DAY, gateway=gateway)
    assert exc.value.code == PaymentErrorCode.STATEMENT_REFUSED and exc.value.status == 409
    run = ReconciliationRun.objects.get(day=DAY)
    assert run.status == RunStatus.REFUSED and not run.signature_verified and not run.items.exists()
    assert AuditEvent.objects.filter(action="payments.statement_refused").count() == 1


def test_gateway_down_or_not_ready(world, paygate_keys):
    gateway = StatementGateway(paygate_keys, b'{"code":"statement_not_ready"}')
    gateway.status = 404
    with pytest.raises(DomainError) as exc:
        services.reconcile(DAY, gateway=gateway)
    assert exc.value.code == PaymentErrorCode.STATEMENT_NOT_READY
    gateway.status = 500
    with pytest.raises(DomainError) as exc:
        services.reconcile(DAY, gateway=gateway)
    assert exc.value.status == 503
    assert ReconciliationRun.objects.get(day=DAY).status == RunStatus.FAILED


def test_day_bounds(world, paygate_keys):
    gateway = StatementGateway(paygate_keys, statement(DAY))
    for day in (date(2026, 9, 22), date(2020, 1, 1)):
        with pytest.raises(DomainError) as exc:
            services.reconcile(day, gateway=gateway)
        assert exc.value.code == PaymentErrorCode.INVALID_DAY


def test_rerun_replaces_open_items_and_keeps_handled(world, paygate_keys):
    a, b, c = paid_order(world, DAY), paid_order(world, DAY), paid_order(world, DAY)
    gateway = StatementGateway(paygate_keys, statement(DAY, (a.code, "pay", 5000)))
    run = services.reconcile(DAY, gateway=gateway)
    assert run.counts()["missing_theirs"] == 2
    item_b = run.items.get(order_no=b.code)
    correction = services.propose_correction(
        item_b, actor=world.finance, action=CorrectionAction.WRITE_OFF, reason="次日到账"
    )
    first_ids = set(run.items.values_list("public_id", flat=True))
    again = services.reconcile(DAY, gateway=gateway)
    assert again.pk == run.pk and again.runs == 2
    assert again.items.count() == 3 and again.counts()["missing_theirs"] == 2
    kept = again.items.get(order_no=b.code)
    assert kept.pk == item_b.pk and kept.resolution == Resolution.PROPOSED and correction.item_id == kept.pk
    assert again.items.get(order_no=c.code).public_id not in first_ids  # open items were replaced
    # the statement is corrected at the gateway: c is matched now, b keeps its handled item
    gateway.raw = statement(DAY, (a.code, "pay", 5000), (c.code, "pay", 5000))
    third = services.reconcile(DAY, gateway=gateway)
    assert _outcomes(third)[(c.code, "pay")] == Outcome.MATCHED
    assert ReconciliationItem.objects.filter(run=third, order_no=b.code).count() == 1
    assert ReconciliationRun.objects.count() == 1


def test_command_and_job(world, paygate_keys, monkeypatch):
    order = paid_order(world, DAY)
    gateway = StatementGateway(paygate_keys, statement(DAY, (order.code, "pay", 5000)))
    monkeypatch.setattr("yiwang.payments.services.reconciliation.fiscal_gateway", lambda: gateway)
    call_command("reconcile_payments")  # yesterday = DAY (the world is frozen on 2026-09-21)
    assert ReconciliationRun.objects.get(day=DAY).matched_count == 1
    call_command("reconcile_payments", "--day", DAY.isoformat())
    assert ReconciliationRun.objects.get(day=DAY).runs == 2
    with pytest.raises(CommandError):
        call_command("reconcile_payments", "--day", "2026-13-01")
    gateway.sign_with = forged_key()
    with pytest.raises(CommandError):
        call_command("reconcile_payments")
    assert "reconcile_payments" in {job.name for job in JOBS}
