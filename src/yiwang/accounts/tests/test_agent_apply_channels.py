"""Agents (代办人) applying in a company's name through the apply page and the cases API."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from yiwang.accounts.models import AssuranceLevel
from yiwang.accounts.services import grant_agent_authorisation
from yiwang.accounts.tests import factories
from yiwang.cases.models import Case
from yiwang.core.errors import DomainError
from yiwang.core.models import AuditEvent
from yiwang.testing import portal as portal_factories

pytestmark = pytest.mark.django_db

FORM = {"company_name": "星河餐饮有限公司", "registered_capital": "100", "company_type": "有限责任公司"}


@pytest.fixture
def world(calendar, department):
    boss = factories.citizen("boss", level=AssuranceLevel.INTERMEDIATE, real_name="王总")
    company = factories.company(boss)
    agent = factories.citizen("agent", level=AssuranceLevel.INTERMEDIATE, real_name="李代办")
    item = portal_factories.make_item(department)
    grant_agent_authorisation(
        boss,
        company=company.legal_person,
        agent_id_number=agent.natural_person.id_number,
        agent_name="李代办",
        valid_until=timezone.now() + timedelta(days=30),
        all_items=False,
        item_public_ids=[item.public_id],
    )
    return boss, company, agent, item


def _page_post(item, on_behalf_of: str) -> dict:
    data: dict = {f"field_{key}": value for key, value in FORM.items()}
    data["delivery_method"] = "electronic"
    data["on_behalf_of"] = on_behalf_of
    for material in item.materials.filter(mandatory=True):
        data[f"material_{material.public_id}"] = portal_factories.pdf_upload()
    return data


def test_apply_page_offers_the_companies_the_agent_may_act_for(world):
    _boss, company, agent, item = world
    client = Client()
    client.force_login(agent)
    html = client.get(f"/items/{item.public_id}/apply/").content.decode()
    assert 'name="on_behalf_of"' in html
    assert company.legal_person.credit_code in html


def test_apply_page_files_the_case_in_the_companys_name_and_records_the_agent(world):
    _boss, company, agent, item = world
    client = Client()
    client.force_login(agent)
    response = client.post(
        f"/items/{item.public_id}/apply/", _page_post(item, company.legal_person.credit_code)
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.applicant == company and case.acting_agent == agent
    assert case.events.get(sequence=1).actor == agent
    # both the agent and the company see the case
    assert client.get(response["Location"]).status_code == 200
    company_client = Client()
    company_client.force_login(company)
    assert company_client.get(response["Location"]).status_code == 200


def test_apply_page_refuses_an_unknown_or_unauthorised_company_and_keeps_the_form(world):
    _boss, _company, agent, item = world
    client = Client()
    client.force_login(agent)
    other_boss = factories.citizen("other", level=AssuranceLevel.INTERMEDIATE, real_name="赵总")
    other = factories.company(other_boss, "company2")
    for code in ["91110000000000000X", other.legal_person.credit_code]:
        response = client.post(f"/items/{item.public_id}/apply/", _page_post(item, code))
        assert response.status_code == 403
        html = response.content.decode()
        assert "授权" in html and FORM["company_name"] in html
    assert not Case.objects.exists()
    assert AuditEvent.objects.filter(action="agent.refused").count() == 2


def test_cases_api_applies_on_behalf_of_a_company(world):
    _boss, company, agent, item = world
    client = Client()
    client.force_login(agent)
    files = {
        f"material_{m.public_id}": portal_factories.pdf_upload()
        for m in item.materials.filter(mandatory=True)
    }
    response = client.post(
        "/api/v1/cases",
        {
            "item_id": str(item.public_id),
            "form_data": json.dumps(FORM),
            "on_behalf_of": company.legal_person.credit_code,
            **files,
        },
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.applicant == company and case.acting_agent == agent
    listed = client.get("/api/v1/cases").json()
    assert [row["number"] for row in listed["items"]] == [case.number]

    refused = client.post(
        "/api/v1/cases",
        {"item_id": str(item.public_id), "form_data": json.dumps(FORM), "on_behalf_of": "91110000000000000X"},
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "agent_not_authorised"


def _filed_by_agent(world) -> Case:
    from yiwang.cases.services import submit_application

    _boss, company, agent, item = world
    files = {str(m.public_id): [portal_factories.pdf_upload()] for m in item.materials.filter(mandatory=True)}
    return submit_application(applicant=company, acting_agent=agent, item=item, form_data=FORM, files=files)


def test_the_agent_answers_a_correction_notice_and_the_event_records_both(world):
    from yiwang.cases.services import request_correction, supply_correction
    from yiwang.testing.cases import make_staff

    _boss, company, agent, item = world
    case = _filed_by_agent(world)
    clerk = make_staff(item.implementing_body, "clerk", ("window_clerk",))
    material = item.materials.filter(mandatory=True).first()
    request_correction(
        case, actor=clerk, items=[{"material_id": str(material.public_id), "reason": "不清晰"}]
    )
    case.refresh_from_db()
    supplied = supply_correction(
        case, applicant=agent, files={str(material.public_id): [portal_factories.pdf_upload()]}
    )
    event = supplied.events.order_by("-sequence").first()
    assert event.actor == agent
    assert event.data["acting_for"] == company.legal_person.credit_code


def test_a_revoked_agent_can_no_longer_act_on_the_case_but_the_company_can(world):
    from yiwang.accounts.models import AgentAuthorisation
    from yiwang.accounts.services import revoke_agent_authorisation
    from yiwang.cases.services import withdraw_case

    boss, company, agent, _item = world
    case = _filed_by_agent(world)
    revoke_agent_authorisation(boss, AgentAuthorisation.objects.get())
    with pytest.raises(DomainError) as refused:
        withdraw_case(case, applicant=agent)
    assert refused.value.status == 403
    outsider = factories.citizen("outsider", level=AssuranceLevel.INTERMEDIATE)
    with pytest.raises(DomainError) as hidden:
        withdraw_case(case, applicant=outsider)
    assert hidden.value.status == 404
    assert withdraw_case(case, applicant=company).status == "withdrawn"
