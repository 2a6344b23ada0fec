"""A company's licence and the people who act for it (issue 16 point 4).

The legal representative files in the company's name (代办); the licence the approval issues is the
company's.  The case page says it went to the company's wallet, and the representative — or an
agent whose authorisation covers it — opens it and its PDF.  Anyone else, an agent for other items,
a revoked or expired authorisation, or the representative of another company, gets 404.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.accounts.services import create_legal_person_account, grant_agent_authorisation
from yiwang.cases import services as case_services
from yiwang.catalog.models import ServiceItem
from yiwang.core.calendar import seed_calendar
from yiwang.core.identifiers import make_credit_code
from yiwang.core.models import Organisation
from yiwang.licences.models import Licence, LicenceType
from yiwang.licences.tests import factories
from yiwang.testing.cases import ServiceItemFactory

pytestmark = pytest.mark.django_db

FORM = {"address": "合肥市包河区徽州大道 1 号", "category": "餐饮服务经营者", "area": 80}
FORM_FIELDS = [
    {"name": "address", "label": "经营场所", "type": "text", "required": True},
    {"name": "category", "label": "主体业态", "type": "text", "required": True},
    {"name": "area", "label": "经营面积（平方米）", "type": "number", "required": False},
]


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel("2026-03-16 10:00:00+08:00", tick=False) as traveller:
        yield traveller


def _company(name: str, representative: User, body: str, phone: str) -> User:
    return create_legal_person_account(
        username=f"co{body}",
        password=factories.PASSWORD,
        name=name,
        credit_code=make_credit_code("9", "1", "340100", body),
        legal_representative=representative.natural_person,
        phone=phone,
        assurance_level=2,
    )


@pytest.fixture
def world(
    issuer: Organisation, seal: Any, licence_type: LicenceType, django_capture_on_commit_callbacks: Any
):
    seed_calendar([2026])
    item = ServiceItemFactory(
        implementing_body=issuer,
        form_fields=FORM_FIELDS,
        materials=[],
        result_licence_type_code=licence_type.code,
    )
    other_item = ServiceItemFactory(implementing_body=issuer, form_fields=FORM_FIELDS, materials=[])
    rep = factories.make_citizen("rep")
    company = _company("合肥徽味餐饮有限公司", rep, "MA2T0001", "13900000101")
    other_rep = factories.make_citizen("otherrep")
    other_company = _company("合肥江淮贸易有限公司", other_rep, "MA2T0002", "13900000102")
    staff = factories.make_staff(issuer, "decider", ("window_clerk", "handler", "approver"))
    with django_capture_on_commit_callbacks(execute=True):
        case = case_services.submit_application(
            applicant=company, acting_agent=rep, item=item, form_data=FORM, files={}
        )  # the legal representative files in the company's name
        case = case_services.accept_case(case, actor=staff)
        case = case_services.decide_case(case, actor=staff, approve=True)
    licence = Licence.objects.get(source_case=case)
    other_licence = factories.issue(
        licence_type,
        issuer,
        holder_name=other_company.legal_person.name,
        holder_code=other_company.legal_person.credit_code,
        holder_code_type="统一社会信用代码",
    )
    return {
        "item": item,
        "other_item": other_item,
        "rep": rep,
        "company": company,
        "other_rep": other_rep,
        "other_company": other_company,
        "case": case,
        "licence": licence,
        "other_licence": other_licence,
    }


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _opens(user: User, licence: Licence) -> tuple[int, int, int]:
    client = _client(user)
    base = f"/licences/{licence.public_id}/"
    return (
        client.get(base).status_code,
        client.get(base + "document/").status_code,
        client.get(base + "print/").status_code,
    )


def _authorise(
    world: dict[str, Any], agent: User, *, items: list[ServiceItem] | None = None, days: int = 30
) -> Any:
    return grant_agent_authorisation(
        world["company"],
        company=world["company"].legal_person,
        agent_id_number=agent.natural_person.id_number,
        agent_name=agent.natural_person.real_name,
        valid_until=timezone.now() + timedelta(days=days),
        all_items=items is None,
        item_public_ids=[str(i.public_id) for i in items or []],
    )


def test_the_licence_is_the_companys_and_the_case_page_says_where_it_is(world):
    licence, company = world["licence"], world["company"]
    assert licence.holder_user == company and licence.holder_code == company.legal_person.credit_code
    page = _client(world["rep"]).get(f"/my/cases/{world['case'].public_id}/").content.decode()
    assert "已放入您的证照夹" not in page
    assert "licence-holder-note" in page and company.legal_person.name in page
    assert f"#company-{company.legal_person.credit_code}" in page
    own = _client(company).get(f"/my/cases/{world['case'].public_id}/").content.decode()
    assert "已放入您的证照夹" in own


def test_the_legal_representative_opens_the_companys_licence_and_pdf(world):
    rep, licence = world["rep"], world["licence"]
    assert _opens(rep, licence) == (200, 200, 200)
    client = _client(rep)
    detail = client.get(f"/licences/{licence.public_id}/").content.decode()
    assert 'id="representing"' in detail and "share-title" not in detail
    pdf = client.get(f"/licences/{licence.public_id}/document/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    wallet = client.get("/licences/").content.decode()
    assert f'id="company-{world["company"].legal_person.credit_code}"' in wallet
    assert str(licence.public_id) in wallet
    # read only: sharing stays with the company's own account
    assert client.post(f"/licences/{licence.public_id}/shares/", {"expiry": "1h"}).status_code == 404


def test_an_agent_authorised_for_all_items_or_for_the_item_opens_it(world):
    everything = factories.make_citizen("agentall")
    _authorise(world, everything)
    assert _opens(everything, world["licence"]) == (200, 200, 200)
    for_item = factories.make_citizen("agentitem")
    _authorise(world, for_item, items=[world["item"]])
    assert _opens(for_item, world["licence"]) == (200, 200, 200)


def test_others_get_404(world, frozen):
    licence = world["licence"]
    stranger = factories.make_citizen("stranger")
    assert _opens(stranger, licence) == (404, 404, 404)
    other_items = factories.make_citizen("agentother")
    _authorise(world, other_items, items=[world["other_item"]])
    assert _opens(other_items, licence) == (404, 404, 404)
    revoked = factories.make_citizen("agentrevoked")
    from yiwang.accounts.services import revoke_agent_authorisation

    revoke_agent_authorisation(world["company"], _authorise(world, revoked))
    assert _opens(revoked, licence) == (404, 404, 404)
    expiring = factories.make_citizen("agentexpiring")
    _authorise(world, expiring, days=2)
    assert _opens(expiring, licence) == (200, 200, 200)
    frozen.shift(timedelta(days=3))
    assert _opens(expiring, licence) == (404, 404, 404)


def test_cross_company_probes_are_404(world):
    # each representative sees his own company's licence, never the other company's
    assert _opens(world["other_rep"], world["licence"]) == (404, 404, 404)
    assert _opens(world["rep"], world["other_licence"]) == (404, 404, 404)
    assert _opens(world["other_rep"], world["other_licence"]) == (200, 200, 200)
    # a company account does not see another company's licence either
    assert _opens(world["other_company"], world["licence"]) == (404, 404, 404)
    wallet = _client(world["rep"]).get("/licences/").content.decode()
    assert str(world["other_licence"].public_id) not in wallet


def _api(user: User) -> Client:
    from yiwang.accounts.services import issue_api_token

    return Client(headers={"Authorization": f"Bearer {issue_api_token(user)}"})


def test_the_api_gives_the_representative_the_same_read_only_access(world):
    rep, licence = world["rep"], world["licence"]
    listed = _api(rep).get("/api/v1/licences/represented").json()
    assert [entry["credit_code"] for entry in listed] == [world["company"].legal_person.credit_code]
    assert listed[0]["role"] == "legal_representative"
    assert [item["id"] for item in listed[0]["licences"]] == [str(licence.public_id)]
    assert _api(rep).get(f"/api/v1/licences/mine/{licence.public_id}").status_code == 200
    document = _api(rep).get(f"/api/v1/licences/mine/{licence.public_id}/document")
    assert document.status_code == 200 and document.content.startswith(b"%PDF")
    # Sharing stays with the holder's own account.
    assert (
        _api(rep)
        .post(
            f"/api/v1/licences/mine/{licence.public_id}/shares",
            {"expiry": "1d"},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    # Cross-company probes through the API are 404 too.
    other = world["other_rep"]
    assert _api(other).get(f"/api/v1/licences/mine/{licence.public_id}").status_code == 404
    assert _api(other).get(f"/api/v1/licences/mine/{licence.public_id}/document").status_code == 404
    assert str(licence.public_id) not in _api(other).get("/api/v1/licences/represented").content.decode()
