"""The fiscal gateway adapter against a real HTTP stub speaking protocol v1: signed requests,
verified answers, idempotent creation, conflicts, refunds, statements, and a gateway that is down,
unreachable or signs with the wrong key."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from yiwang.core.crypto import sm2_generate_keypair
from yiwang.payments.gateways.base import (
    CreatePayment,
    GatewayError,
    GatewayRefused,
    RefundRequest,
    SignatureRefused,
)
from yiwang.payments.gateways.fiscal import FiscalGateway, parse_statement

EXPIRE = datetime(2026, 9, 30, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _gateway(stub, keys, **overrides) -> FiscalGateway:
    values = {
        "merchant_id": "YIWANG-TEST",
        "platform_private_key": keys["platform"]["private"],
        "gateway_public_key": keys["gateway"]["public"],
        "timeout": 2.0,
    }
    values.update(overrides)
    return FiscalGateway(stub.base_url, **values)


def _create(order_no="34010026000000000168", amount=5000) -> CreatePayment:
    return CreatePayment(order_no, amount, "登记费", "http://p/notify", "http://p/return", EXPIRE)


def test_create_query_close(stub, paygate_keys):
    gateway = _gateway(stub, paygate_keys)
    started = gateway.create_payment(_create())
    assert started.status == "paying" and started.pay_url.endswith(started.gateway_trade_no)
    again = gateway.create_payment(_create())  # idempotent by order number
    assert again.gateway_trade_no == started.gateway_trade_no
    with pytest.raises(GatewayRefused) as conflict:
        gateway.create_payment(_create(amount=6000))
    assert conflict.value.code == "order_conflict" and conflict.value.status == 409
    status = gateway.query(started.order_no)
    assert (status.status, status.amount_fen) == ("paying", 5000)
    assert gateway.close(started.order_no) == "closed"
    stub.orders[started.order_no]["status"] = "paid"
    with pytest.raises(GatewayRefused):
        gateway.close(started.order_no)


def test_refund_and_query_refund(stub, paygate_keys):
    gateway = _gateway(stub, paygate_keys)
    started = gateway.create_payment(_create())
    stub.pay(started.order_no)
    refund = gateway.refund(RefundRequest(started.order_no, "R1", 3000, "多收", "http://p/notify"))
    assert refund.status == "refunding"
    assert (
        gateway.refund(RefundRequest(started.order_no, "R1", 3000, "多收", "http://p/notify")).status
        == "refunding"
    )
    with pytest.raises(GatewayRefused) as exceeds:
        gateway.refund(RefundRequest(started.order_no, "R2", 2001, "多收", "http://p/notify"))
    assert exceeds.value.code == "refund_exceeds"
    assert gateway.query_refund("R1").amount_fen == 3000


def test_statement_is_verified_and_parsed(stub, paygate_keys):
    stub.statements["2026-09-21"] = (
        b"trade_date,order_no,gateway_trade_no,type,amount_fen,channel,time\n"
        b"2026-09-21,34010026000000000168,GT1,pay,5000,pc,10:05:00\n"
    )
    lines = _gateway(stub, paygate_keys).fetch_statement(date(2026, 9, 21))
    assert [(line.order_no, line.type, line.amount_fen) for line in lines] == [
        ("34010026000000000168", "pay", 5000)
    ]
    with pytest.raises(GatewayError):
        parse_statement(b"bad,header\n")
    with pytest.raises(GatewayError):
        parse_statement(
            b"trade_date,order_no,gateway_trade_no,type,amount_fen,channel,time\n2026-09-21,x,y,pay,1.5,pc,t\n"
        )


def test_wrong_keys_and_outages(stub, paygate_keys):
    stranger = sm2_generate_keypair()
    with pytest.raises(GatewayRefused) as refused:  # the gateway refuses our signature
        _gateway(stub, paygate_keys, platform_private_key=stranger.private_key_hex).create_payment(_create())
    assert refused.value.status == 401
    with pytest.raises(SignatureRefused):  # we refuse the gateway's
        _gateway(stub, paygate_keys, gateway_public_key=stranger.public_key_hex).create_payment(_create())
    stub.down = True
    with pytest.raises(GatewayError) as down:
        _gateway(stub, paygate_keys).query("34010026000000000168")
    assert not isinstance(down.value, GatewayRefused)  # a 5xx is an outage, not a refusal
    with pytest.raises(GatewayError):
        FiscalGateway(
            "http://127.0.0.1:9",
            merchant_id="x",
            platform_private_key=paygate_keys["platform"]["private"],
            gateway_public_key=paygate_keys["gateway"]["public"],
            timeout=0.5,
        ).query("34010026000000000168")
    with pytest.raises(GatewayError):
        FiscalGateway("file:///etc", merchant_id="x", platform_private_key="1", gateway_public_key="2").query(
            "1"
        )
