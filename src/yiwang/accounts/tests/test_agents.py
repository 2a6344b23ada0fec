"""Agents of legal persons (代办授权): grant, act within the authorisation, refusals with audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from yiwang.accounts.models import AssuranceLevel
from yiwang.accounts.services import (
    check_agent_may_act,
    grant_agent_authorisation,
    revoke_agent_authorisation,
)
from yiwang.accounts.tests import factories
from yiwang.cases.models import CaseEvent
from yiwang.core.errors import DomainError
from yiwang.core.models import AuditEvent
from yiwang.testing import portal as portal_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(calendar, department):
    boss = factories.citizen("boss", level=AssuranceLevel.INTERMEDIATE, real_name="王总")
    company = factories.company(boss)
    agent = factories.citizen("agent", level=AssuranceLevel.INTERMEDIATE, real_name="李代办")
    item = portal_factories.make_item(department)
    other_item = portal_factories.make_item(department, name="食品经营许可")
    return boss, company, agent, item, other_item


def _grant(boss, company, agent, items=(), *, days=30, all_items=False):
    return grant_agent_authorisation(
        boss,
        company=company.legal_person,
        agent_id_number=agent.natural_person.id_number,
        agent_name="李代办",
        valid_until=timezone.now() + timedelta(days=days),
        all_items=all_items,
        item_public_ids=[i.public_id for i in items],
    )


def test_agent_applies_in_the_companys_name_and_both_are_recorded(world):
    from yiwang.cases.services import submit_application

    boss, company, agent, item, _other = world
    _grant(boss, company, agent, [item])
    files = {str(m.public_id): [portal_factories.pdf_upload()] for m in item.materials.filter(mandatory=True)}
    case = submit_application(
        applicant=company,
        acting_agent=agent,
        item=item,
        files=files,
        form_data={"company_name": "x", "registered_capital": "10", "company_type": "有限责任公司"},
    )
    assert case.applicant == company and case.acting_agent == agent
    event = CaseEvent.objects.get(case=case, event_type="applied")
    assert event.data["acting_agent"] == str(agent.public_id)
    assert event.data["applicant"] == str(company.public_id)


def test_agent_outside_the_authorised_items_is_refused_and_audited(world):
    boss, company, agent, item, other = world
    _grant(boss, company, agent, [item])
    assert check_agent_may_act(agent, company, item) is not None
    with pytest.raises(DomainError) as refused:
        check_agent_may_act(agent, company, other)
    assert refused.value.code == "agent_not_authorised" and refused.value.status == 403
    assert AuditEvent.objects.filter(
        action="agent.refused", object_id=company.legal_person.credit_code
    ).exists()


def test_expired_and_revoked_authorisations_no_longer_count(world):
    boss, company, agent, item, _other = world
    authorisation = _grant(boss, company, agent, all_items=True, days=1)
    with time_machine.travel(timezone.now() + timedelta(days=2)), pytest.raises(DomainError):
        check_agent_may_act(agent, company, item)
    revoke_agent_authorisation(boss, authorisation)
    with pytest.raises(DomainError):
        check_agent_may_act(agent, company, item)
    assert AuditEvent.objects.filter(action="agent.revoked").exists()


def test_only_the_company_or_its_representative_may_grant(world):
    boss, company, agent, item, _other = world
    stranger = factories.citizen("stranger")
    with pytest.raises(DomainError) as refused:
        _grant(stranger, company, agent, [item])
    assert refused.value.code == "not_legal_representative"
    # The company account itself may grant; the representative always may act.
    _grant(company, company, agent, [item])
    assert check_agent_may_act(boss, company, item) is None


def test_agents_page_and_api(world):
    boss, company, agent, _item, _other = world
    client = Client()
    client.force_login(boss)
    response = client.post(
        "/my/agents/",
        {
            "company": company.legal_person.credit_code,
            "agent_name": "李代办",
            "agent_id_number": agent.natural_person.id_number,
            "valid_until": (timezone.localdate() + timedelta(days=10)).isoformat(),
            "all_items": "1",
        },
    )
    assert response.status_code == 302
    assert "李代办" in client.get("/my/agents/").content.decode()
    api = client.get("/api/v1/accounts/agents").json()
    assert api[0]["all_items"] is True
    outsider = Client()
    outsider.force_login(agent)
    assert outsider.post(f"/api/v1/accounts/agents/{api[0]['id']}/revoke").status_code == 403
    assert client.post(f"/api/v1/accounts/agents/{api[0]['id']}/revoke").json()["revoked_at"]
