"""Factories of payments' tests: a department with a fee-charging item, its staff (window clerk,
approver, finance officer), finance of another department, an applicant, and signed notifications."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.test import Client

from yiwang.accounts.models import User
from yiwang.catalog.models import FeeItem, ServiceItem
from yiwang.core.models import Organisation
from yiwang.payments import services
from yiwang.payments.gateways import signing
from yiwang.payments.models import FeeRule, FeeRuleKind, PaymentOrder
from yiwang.testing import portal

FORM_FIELDS = [
    {"name": "company_name", "label": "企业名称", "type": "text", "required": True},
    {"name": "area", "label": "面积（平方米）", "type": "number", "required": False},
    {"name": "small_business", "label": "小微企业", "type": "text", "required": False},
]


@dataclass
class PaymentWorld:
    department: Organisation
    other_department: Organisation
    item: ServiceItem
    fee_item: FeeItem
    rule: FeeRule
    citizen: User
    other_citizen: User
    clerk: User
    approver: User
    finance: User
    other_finance: User


def make_world() -> PaymentWorld:
    department = portal.make_department()
    other = portal.make_department("合肥市公安局", "市公安局")
    item = portal.make_item(
        department, form_fields=FORM_FIELDS, fee_required=True, fee_description="每件 50 元"
    )
    fee_item = FeeItem.objects.create(
        item=item, name="登记费", standard="每件 50 元", legal_basis="《收费标准》"
    )
    rule = services.set_fee_rule(
        fee_item, actor=None, kind=FeeRuleKind.FIXED, amount_fen=5000, legal_basis="发改价格〔2019〕1号"
    )
    return PaymentWorld(
        department=department,
        other_department=other,
        item=item,
        fee_item=fee_item,
        rule=rule,
        citizen=portal.make_citizen("pay_citizen"),
        other_citizen=portal.make_citizen("pay_citizen2", real_name="李梅"),
        clerk=portal.make_staff(department, "pay_clerk", ["window_clerk"], "李娜"),
        approver=portal.make_staff(department, "pay_approver", ["handler", "approver"], "王强"),
        finance=portal.make_staff(department, "pay_finance", ["finance"], "孙丽"),
        other_finance=portal.make_staff(other, "pay_finance2", ["finance"], "周杰"),
    )


def make_order(world: PaymentWorld, payer: User | None = None, **form: Any) -> PaymentOrder:
    """An order straight from the service (no case), for the order-level tests."""
    payer = payer or world.citizen
    order = services.create_order(
        subject_type="test.Subject",
        subject_id=str(uuid.uuid4()),
        reference="REF-1",
        title="测试缴费",
        organisation=world.department,
        payer=payer,
        payer_name="张伟",
        item=world.item,
        form_data=form,
        applicant_type="natural",
        actor=None,
    )
    assert order is not None
    return order


def notification_body(order: PaymentOrder, **overrides: Any) -> dict[str, Any]:
    body = {
        "notification_id": str(uuid.uuid4()),
        "type": "payment",
        "order_no": order.code,
        "gateway_trade_no": order.gateway_trade_no or "GT1",
        "status": "paid",
        "amount_fen": order.amount_fen,
        "paid_at": "2026-09-21T10:05:00+08:00",
        "channel": "pc",
    }
    body.update(overrides)
    return body


def post_notification(
    client: Client, gateway_private: str, body: dict[str, Any], *, headers: dict[str, str] | None = None
) -> Any:
    payload = signing.canonical_json(body)
    signed = headers if headers is not None else signing.sign_headers(gateway_private, payload)
    return client.post(
        "/api/v1/payments/notify/fiscal",
        data=payload,
        content_type="application/json",
        headers=dict(signed.items()),
    )


def raw_json(response: Any) -> Any:
    return json.loads(response.content.decode())
