"""一证通办 in the demo (``yiwang loaddemo``): cases whose materials are filled from the base resources
through the gateway, one of them decided at filing with no clerk (秒批 on shared data), the company
form prefilled from the legal-person base, and the consumers and grants that make it possible."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from yiwang.accounts.models import User
from yiwang.accounts.services import issue_api_token
from yiwang.cases.models import Case, CaseEventType, CaseMaterialSource, CaseOutcome, CaseStatus
from yiwang.cases.shared_materials import PLATFORM_CONSUMER
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.core.models import AuditEvent, PersonalDataAccess
from yiwang.demo.shared_items import GRANTS, ITEMS, UNATTENDED_ITEM, load_shared_items
from yiwang.sharing.models import CallResult, GatewayCall, GatewayConsumer, Resource
from yiwang.sharing.reads import active_grant
from yiwang.testing.cases import pdf_upload

FROZEN_NOW = datetime(2026, 9, 21, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def demo_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """The demo loaded once for the module (rolled back at its end; each test in a savepoint)."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        time_machine.travel(FROZEN_NOW, tick=False),
        transaction.atomic(),
    ):
        call_command("loaddemo", "--skip-regions", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def world(demo_world: None, db: None, settings: Any) -> Iterator[None]:
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


def _item(name: str) -> ServiceItem:
    return ServiceItem.objects.get(name=name, status=ItemStatus.PUBLISHED, revision_of__isnull=True)


def _api(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {issue_api_token(user)}"})


def _form_data(item: ServiceItem) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for spec in item.form_fields or []:
        kind = spec.get("type")
        if kind == "select":
            values[spec["name"]] = spec["choices"][0]
        elif kind == "number":
            values[spec["name"]] = 12
        elif kind == "date":
            values[spec["name"]] = "2026-09-01"
        else:
            values[spec["name"]] = f"演示{spec['label']}"
    return values


def _file(user: User, item: ServiceItem) -> Case:
    """File through the API, uploading every mandatory material that is not from shared data."""
    uploads = {
        f"material_{m.public_id}": pdf_upload()
        for m in item.materials.filter(mandatory=True).exclude(source_kind="shared")
    }
    body = {"item_id": str(item.public_id), "form_data": json.dumps(_form_data(item)), **uploads}
    response = _api(user).post("/api/v1/cases", body)
    assert response.status_code == 201, response.content.decode()
    return Case.objects.get(public_id=response.json()["id"])


def _shared_row(case: Case) -> dict[str, Any]:
    row = case.materials.get(source=CaseMaterialSource.SHARED_DATA)
    assert row.trust_level == "A"
    content: dict[str, Any] = json.loads(row.file.read())
    call = GatewayCall.objects.get(public_id=content["gateway_call"])
    assert (call.result, call.case_number) == (CallResult.OK, case.number)
    assert call.consumer.organisation == case.item.implementing_body
    return content


def test_departments_have_their_platform_system_and_grants(world: None) -> None:
    for _key, resource_name, fields, _purpose, _basis in GRANTS:
        resource = Resource.objects.get(name=resource_name)
        grants = [
            active_grant(c.organisation, resource)
            for c in GatewayConsumer.objects.filter(name=PLATFORM_CONSUMER).select_related("organisation")
        ]
        assert any(grant is not None and set(fields) <= set(grant.fields) for grant in grants), resource_name
    for name, (_key, _replaced, material, _form) in ITEMS.items():
        item = _item(name)
        assert GatewayConsumer.objects.filter(
            organisation=item.implementing_body, name=PLATFORM_CONSUMER, active=True
        ).exists()
        shared = item.materials.get(name=material["name"])
        assert (shared.source_kind, shared.shared_fields) == ("shared", material["shared_fields"])
        assert item.version == 2  # changed through a reviewed revision, so the history shows it


def test_unattended_decision_on_shared_data(world: None) -> None:
    citizen = User.objects.get(username="citizen")
    item = _item(UNATTENDED_ITEM)
    assert not item.materials.filter(mandatory=True).exclude(source_kind="shared").exists()
    case = _file(citizen, item)
    case.refresh_from_db()
    assert (case.status, case.outcome) == (CaseStatus.COMPLETED, CaseOutcome.APPROVED)
    content = _shared_row(case)
    assert content["data"]["status"] == "normal"
    accepted = case.events.get(event_type=CaseEventType.ACCEPTED)
    assert accepted.actor is None and accepted.data["unattended"] is True
    approved = case.events.get(event_type=CaseEventType.APPROVED)
    assert approved.actor is None and approved.data["rules"] == ["rule_identity_confirmed"]
    assert approved.data["gateway_calls"] == [content["gateway_call"]]
    assert approved.data["inputs"]["人口状态（人口库）"] == "normal"
    # 我的数据被谁使用: the citizen sees the personal fields read for the case
    assert PersonalDataAccess.objects.filter(subject=citizen, object_label=case.number).exists()


def test_citizen_material_from_the_population_base_goes_to_a_clerk(world: None) -> None:
    citizen = User.objects.get(username="citizen")
    case = _file(citizen, _item("高龄津贴申领"))
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED  # no decision table: a clerk decides
    data = _shared_row(case)["data"]
    assert data["name"] == citizen.natural_person.real_name
    assert data["household_region"] == citizen.natural_person.id_number[:6]


def test_company_form_prefilled_and_licence_particulars_from_the_legal_person_base(world: None) -> None:
    company = User.objects.get(username="company")
    item = _item("人力资源服务许可")
    form = _api(company).get(f"/api/v1/cases/apply-form/{item.public_id}")
    assert form.status_code == 200, form.content.decode()
    fields = {field["name"]: field for field in form.json()["fields"]}
    legal = Resource.objects.get(name="法人基础信息")
    assert fields["org_name"]["value"] == company.legal_person.name
    assert fields["org_name"]["source"]["kind"] == "shared"
    assert fields["org_name"]["source"]["resource_code"] == legal.code
    assert GatewayCall.objects.filter(public_id=fields["org_name"]["source"]["gateway_call"]).exists()
    case = _file(company, item)
    data = _shared_row(case)["data"]
    assert (data["credit_code"], data["name"]) == (
        company.legal_person.credit_code,
        company.legal_person.name,
    )


def test_loading_again_changes_nothing(world: None) -> None:
    before = (AuditEvent.objects.count(), GatewayConsumer.objects.count(), ServiceItem.objects.count())
    report = load_shared_items()
    assert (report.accounts, report.consumers, report.grants, report.items) == ([], 0, 0, [])
    after = (AuditEvent.objects.count(), GatewayConsumer.objects.count(), ServiceItem.objects.count())
    assert after == before
