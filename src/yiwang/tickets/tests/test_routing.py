from __future__ import annotations

import pytest

from yiwang.core.errors import DomainError
from yiwang.tickets.models import RoutingRule, TicketStatus
from yiwang.tickets.routing import forget_rules, route
from yiwang.tickets.services import dispatch, install_defaults

from .helpers import call, complaint

pytestmark = pytest.mark.django_db


def test_keyword_tag_routes_to_department(world):
    assert route(category="complaint", terms=["食品安全"], region_code="340104") == world.market
    assert route(category="consultation", terms=["公安户政"], region_code="") == world.police


def test_category_and_region_prefix_rules_win_by_priority(world):
    RoutingRule.objects.create(
        name="蜀山区投诉", priority=90, category="complaint", region_prefix="340104", department=world.police
    )
    assert route(category="complaint", terms=["食品安全"], region_code="340104001") == world.police
    assert route(category="complaint", terms=["食品安全"], region_code="340102") == world.market
    assert route(category="help", terms=["食品安全"], region_code="340104") == world.market


def test_fallback_is_the_hotline_centre(world):
    assert route(category="help", terms=["无关"], region_code="") == world.centre
    RoutingRule.objects.filter(is_fallback=True).update(is_active=False)
    forget_rules()  # update() sends no signal
    assert route(category="help", terms=["无关"], region_code="") is None


def test_defaults_are_idempotent(world):
    assert install_defaults() == {"keywords": 0, "deadlines": 0, "routing": 0}


def test_web_ticket_is_dispatched_hotline_call_waits_for_agent(world):
    assert complaint(world).status == TicketStatus.DISPATCHED
    ticket = call(world)
    assert ticket.status == TicketStatus.CREATED and ticket.department is None
    dispatch(ticket, actor=world.agent)
    ticket.refresh_from_db()
    assert ticket.department == world.market and ticket.status == TicketStatus.DISPATCHED


def test_agent_overrides_the_department(world):
    ticket = call(world)
    dispatch(ticket, actor=world.agent, department=world.police)
    ticket.refresh_from_db()
    assert ticket.department == world.police


def test_no_rule_no_fallback_needs_a_department(world):
    RoutingRule.objects.all().update(is_active=False)
    forget_rules()
    ticket = call(world)
    with pytest.raises(DomainError) as err:
        dispatch(ticket, actor=world.agent)
    assert err.value.code == "ticket_no_department"
