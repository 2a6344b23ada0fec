"""The demo keeps its word about e-licences (issue 16 points 2 and 7).

* Every published demo item whose guide promises an e-licence (电子证照 / 电子营业执照 / 电子…证,
  found by a rule over the guide's text, not by a list) or names a result licence type issues one:
  each is walked from the application (API) through acceptance and approval to the licence in the
  applicant's wallet, with its stamped PDF.
* A material the guide calls 电子证照共享 / 系统自动调取 is taken from the licence store where the
  applicant holds the licence (portal form and API), and asked for as an upload only when he does not.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import models, transaction
from django.test import Client, override_settings

from yiwang.accounts.models import AssuranceLevel, User
from yiwang.accounts.services import create_natural_person_account, create_staff_account, issue_api_token
from yiwang.cases import services as case_services
from yiwang.cases.licence_materials import current_licence, is_licence_material
from yiwang.cases.models import Case, CaseMaterialSource, CaseStatus
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.core.identifiers import make_id_number
from yiwang.demo.content import ITEMS
from yiwang.demo.licence_results import SHARED_LICENCES, is_shared
from yiwang.licences import services as licence_services
from yiwang.licences.models import Licence, LicenceStatus
from yiwang.testing.cases import pdf_upload

FROZEN_NOW = datetime(2026, 9, 21, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PERSON, COMPANY = "1", "2"
PASSWORD = "Demo-Test-Pass-2026!"

# 电子证照, 电子营业执照, 电子医师执业证书, 电子接种证, 电子《无犯罪记录证明》…
PROMISE = re.compile(r"电子(证照|营业执照|《|[\u4e00-\u9fff]{0,6}证)")
GUIDE_KEYS = ("name", "process_description", "result_name", "conditions", "limit_note", "description")


def promises_licence(text: str) -> bool:
    return bool(PROMISE.search(text))


PROMISED = sorted(
    spec["name"] for spec in ITEMS if promises_licence(" ".join(str(spec.get(k, "")) for k in GUIDE_KEYS))
)


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


def _guide_text(item: ServiceItem) -> str:
    return " ".join(
        str(getattr(item, field.name) or "")
        for field in ServiceItem._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
    )


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


def _api(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {issue_api_token(user)}"})


def _file(client: Client, item: ServiceItem, uploads: dict[str, Any], **extra: Any) -> Any:
    body = {"item_id": str(item.public_id), "form_data": json.dumps(_form_data(item)), **uploads, **extra}
    return client.post("/api/v1/cases", body)


def _staff(item: ServiceItem) -> User:
    return create_staff_account(
        username=f"decider{item.pk}",
        password=PASSWORD,
        real_name="审批人",
        organisation=item.implementing_body,
        roles=["window_clerk", "handler", "approver"],
    )


def _person(username: str, serial: int) -> User:
    return create_natural_person_account(
        username=username,
        password=PASSWORD,
        real_name="李新",
        id_number=make_id_number("340104", datetime(1992, 3, 8).date(), serial),
        phone=f"1370000{serial:04d}",
        assurance_level=AssuranceLevel.INTERMEDIATE,
    )


def _item(name: str) -> ServiceItem:
    return ServiceItem.objects.get(name=name, status=ItemStatus.PUBLISHED)


# --- point 2: every promised e-licence is issued ---------------------------------------------------
def test_the_rule_finds_the_promising_items_and_each_names_a_licence_type(world):
    published = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
    found = sorted(item.name for item in published if promises_licence(_guide_text(item)))
    configured = sorted(published.exclude(result_licence_type_code="").values_list("name", flat=True))
    assert len(found) >= 11 and "个体工商户设立登记" in found
    assert set(found) == set(PROMISED)
    assert set(configured) == set(found), "an item promising an e-licence must name its licence type"
    for item in published.filter(name__in=found):
        assert licence_services.licence_type_for_item(item) is not None, item.name


@pytest.mark.parametrize("name", PROMISED)
def test_each_promising_item_issues_its_licence(world, name, django_capture_on_commit_callbacks):
    item = _item(name)
    applicant = User.objects.get(username="citizen" if PERSON in item.service_objects else "company")
    uploads = {
        f"material_{m.public_id}": pdf_upload()
        for m in item.materials.filter(mandatory=True)
        if not (
            is_licence_material(m)
            and m.licence_legal_basis
            and current_licence(applicant, m.licence_type_code)
        )
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = _file(_api(applicant), item, uploads)
    assert response.status_code == 201, response.content.decode()
    case = Case.objects.get(public_id=response.json()["id"])
    staff = _staff(item)
    with django_capture_on_commit_callbacks(execute=True):
        case = case_services.accept_case(case, actor=staff)
        if case.status != CaseStatus.COMPLETED:  # 即办件 complete on acceptance
            case = case_services.decide_case(case, actor=staff, approve=True, comment="")
    assert case.status == CaseStatus.COMPLETED
    licence = Licence.objects.get(source_case=case)
    assert licence.licence_type.code == item.result_licence_type_code
    assert licence.status == LicenceStatus.VALID and licence.holder_user == applicant
    assert licence_services.verify_identifier(licence.identifier).ok
    assert licence in licence_services.wallet(applicant)
    client = Client()
    client.force_login(applicant)
    wallet = client.get("/licences/")
    assert licence.licence_type.name in wallet.content.decode()
    pdf = client.get(f"/licences/{licence.public_id}/document/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_business_licence_of_an_individual_business_says_so(world, django_capture_on_commit_callbacks):
    item = _item("个体工商户设立登记")
    citizen = User.objects.get(username="citizen")
    uploads = {f"material_{m.public_id}": pdf_upload() for m in item.materials.filter(mandatory=True)}
    with django_capture_on_commit_callbacks(execute=True):
        response = _file(_api(citizen), item, uploads)
    case = Case.objects.get(public_id=response.json()["id"])
    with django_capture_on_commit_callbacks(execute=True):
        case_services.accept_case(case, actor=_staff(item))
    licence = Licence.objects.get(source_case=case)
    assert licence.licence_type.name == "营业执照"
    assert licence.data["kind"] == "个体工商户"
    assert licence.data["capital"] == 12
    assert licence.data["address"] == "演示经营场所"


# --- point 7: 电子证照共享 materials are not asked for when the applicant holds the licence --------
def test_shared_materials_of_licences_the_demo_issues_are_licence_materials(world):
    names = set(licence_services.LicenceType.objects.values_list("name", flat=True))
    checked = 0
    for item in ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).prefetch_related("materials"):
        for material in item.materials.all():
            spec = {"source": material.source, "description": material.description}
            licence = SHARED_LICENCES.get(material.name)
            if licence in names and is_shared(spec):
                assert is_licence_material(material), (item.name, material.name)
                checked += 1
    assert checked >= 10


def _operator_material(item: ServiceItem) -> Any:
    material = item.materials.get(name="经营者身份证明")
    assert is_licence_material(material) and material.licence_legal_basis
    return material


def test_api_attaches_the_held_licence_and_asks_others_to_upload(world, django_capture_on_commit_callbacks):
    item = _item("个体工商户设立登记")
    material = _operator_material(item)
    others = {
        f"material_{m.public_id}": pdf_upload()
        for m in item.materials.filter(mandatory=True).exclude(pk=material.pk)
    }
    citizen = User.objects.get(username="citizen")
    with django_capture_on_commit_callbacks(execute=True):
        response = _file(_api(citizen), item, others)
    assert response.status_code == 201, response.content.decode()
    attached = Case.objects.get(public_id=response.json()["id"]).materials.get(material=material)
    assert attached.source == CaseMaterialSource.E_LICENCE and attached.trust_level == "A"
    assert attached.licence == current_licence(citizen, material.licence_type_code)

    newcomer = _person("newcomer", 501)  # holds no 居民身份证 e-licence
    assert current_licence(newcomer, material.licence_type_code) is None
    refused = _file(_api(newcomer), item, {k: pdf_upload() for k in others})
    assert refused.status_code == 400
    assert str(material.public_id) in refused.json()["fields"]
    with django_capture_on_commit_callbacks(execute=True):
        accepted = _file(
            _api(newcomer),
            item,
            {**{k: pdf_upload() for k in others}, f"material_{material.public_id}": pdf_upload()},
        )
    assert accepted.status_code == 201, accepted.content.decode()
    uploaded = Case.objects.get(public_id=accepted.json()["id"]).materials.get(material=material)
    assert uploaded.source == CaseMaterialSource.UPLOAD and uploaded.licence is None


SCENARIO = {"s_agent": "self", "s_premises": "own"}  # 情形引导: the operator himself, own premises


def _portal_post(item: ServiceItem, files: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {f"field_{k}": v for k, v in _form_data(item).items()}
    data["delivery_method"] = "electronic"
    data.update(SCENARIO)
    return {**data, **files}


def test_portal_form_takes_the_held_licence_and_asks_others_to_upload(
    world, django_capture_on_commit_callbacks
):
    item = _item("个体工商户设立登记")
    material = _operator_material(item)
    url = f"/items/{item.public_id}/apply/"
    query = "?" + "&".join(f"{k}={v}" for k, v in SCENARIO.items())
    citizen = User.objects.get(username="citizen")
    licence = current_licence(citizen, material.licence_type_code)
    assert licence is not None
    client = Client()
    client.force_login(citizen)
    page = client.get(url + query).content.decode()
    assert licence.identifier in page
    field = re.search(rf'<input[^>]*name="material_{material.public_id}"[^>]*>', page)
    assert field is not None and "required" not in field.group(0)
    from yiwang.catalog.scenarios import answers_from_params, applicable

    # what the answers ask for (own premises: the title deed instead of the general entry)
    required = [m for m in applicable(item, answers_from_params(SCENARIO)).materials if m.mandatory]
    others = {f"material_{m.public_id}": pdf_upload() for m in required if m.pk != material.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _portal_post(item, others))
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.filter(applicant=citizen, item=item).latest("pk")
    assert case.materials.get(material=material).source == CaseMaterialSource.E_LICENCE

    newcomer = _person("walkup", 502)
    other = Client()
    other.force_login(newcomer)
    page = other.get(url + query).content.decode()
    field = re.search(rf'<input[^>]*name="material_{material.public_id}"[^>]*>', page)
    assert field is not None and "required" in field.group(0)
    refused = other.post(url, _portal_post(item, {k: pdf_upload() for k in others}))
    assert refused.status_code == 400
    assert not Case.objects.filter(applicant=newcomer).exists()
