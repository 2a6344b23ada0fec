"""allowed_actions: what it offers each user is what the services accept, and what it does not
offer they refuse."""

from __future__ import annotations

import pytest

from yiwang.core.errors import DomainError
from yiwang.payments import services
from yiwang.payments.actions import allowed_actions
from yiwang.testing.payments import make_order

pytestmark = pytest.mark.django_db


def _attempt(action, order, user, stub_down):
    calls = {
        "pay": lambda: services.start_online_payment(order, user=user),
        "offline": lambda: services.record_offline_payment(order, actor=user, receipt_no="PJ1"),
        "refund": lambda: services.request_refund(order, actor=user, amount_fen=100, reason="退费"),
        "renew": lambda: services.renew_order(order, actor=user),
    }
    try:
        calls[action]()
    except DomainError as exc:
        return exc
    return None


@pytest.mark.parametrize("state", ["created", "paid", "closed"])
def test_offered_actions_are_accepted_and_others_refused(world, stub, state):
    users = [
        world.citizen,
        world.other_citizen,
        world.clerk,
        world.approver,
        world.finance,
        world.other_finance,
    ]
    for user in users:
        for action in ("pay", "offline", "refund", "renew"):
            order = make_order(world)
            if state == "paid":
                order = services.record_offline_payment(order, actor=world.clerk, receipt_no="PJ0")
            elif state == "closed":
                order = services.close_order(order, reason="test")
            offered = action in allowed_actions(user, order)
            refused = _attempt(action, order, user, stub)
            assert (refused is None) == offered, (state, user.username, action, refused and refused.code)
