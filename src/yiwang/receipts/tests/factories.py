"""Factories of receipts' tests: a department with a fee-charging item (50 元 登记费), its window
clerk and finance officer, the finance officer of another department, two applicants, the
department's 财务专用章, and orders paid at the window and refunded (their on-commit work run)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from yiwang.accounts.models import User
from yiwang.catalog.models import FeeItem
from yiwang.core.models import Organisation
from yiwang.payments import services as payment_services
from yiwang.payments.models import FeeRuleKind, PaymentOrder, Refund
from yiwang.receipts.models import Receipt, ReceiptKind
from yiwang.testing import portal
from yiwang.testing.cases import make_document_seal


@dataclass
class ReceiptWorld:
    department: Organisation
    other_department: Organisation
    item: Any
    citizen: User
    other_citizen: User
    clerk: User
    approver: User
    finance: User
    other_finance: User


def make_world() -> ReceiptWorld:
    department = portal.make_department()
    other = portal.make_department("合肥市公安局", "市公安局")
    item = portal.make_item(department, fee_required=True, fee_description="每件 50 元")
    fee_item = FeeItem.objects.create(
        item=item, name="登记费", standard="每件 50 元", legal_basis="《收费标准》"
    )
    payment_services.set_fee_rule(
        fee_item, actor=None, kind=FeeRuleKind.FIXED, amount_fen=5000, legal_basis="发改价格〔2019〕1号"
    )
    return ReceiptWorld(
        department=department,
        other_department=other,
        item=item,
        citizen=portal.make_citizen("rc_citizen"),
        other_citizen=portal.make_citizen("rc_citizen2", real_name="李梅"),
        clerk=portal.make_staff(department, "rc_clerk", ["window_clerk"], "李娜"),
        approver=portal.make_staff(department, "rc_approver", ["handler", "approver"], "王强"),
        finance=portal.make_staff(department, "rc_finance", ["finance"], "孙丽"),
        other_finance=portal.make_staff(other, "rc_finance2", ["finance"], "周杰"),
    )


def make_finance_seal(world: ReceiptWorld) -> Any:
    return make_document_seal(world.department, seal_type="finance")


def make_order(world: ReceiptWorld, payer: User | None = None) -> PaymentOrder:
    order = payment_services.create_order(
        subject_type="test.Subject",
        subject_id=str(uuid.uuid4()),
        reference="REF-1",
        title="测试缴费",
        organisation=world.department,
        payer=payer or world.citizen,
        payer_name="张伟",
        item=world.item,
        form_data={},
        applicant_type="natural",
        actor=None,
    )
    assert order is not None
    return order


def pay_at_window(world: ReceiptWorld, capture: Any, payer: User | None = None) -> PaymentOrder:
    """An order paid in cash at the window, with the receipt task run after the commit."""
    order = make_order(world, payer=payer)
    with capture(execute=True):
        return payment_services.record_offline_payment(order, actor=world.clerk, receipt_no="WIN-0001")


def refund(world: ReceiptWorld, capture: Any, order: PaymentOrder, amount_fen: int) -> Refund:
    """A window refund (paid back at once), with the red-letter task run after the commit."""
    with capture(execute=True):
        return payment_services.request_refund(
            order, actor=world.finance, amount_fen=amount_fen, reason="多收退费"
        )


def normal_receipt(order: PaymentOrder) -> Receipt:
    return Receipt.objects.get(order=order, kind=ReceiptKind.NORMAL)
