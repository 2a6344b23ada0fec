"""办结出证: an approved case of an item yielding an e-licence gets exactly one licence, stamped
with the handling body's seal and linked to the case; refusal or an item without a licence type
gets none; the signal sent again does not issue twice."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from yiwang.cases import services as case_services
from yiwang.cases.licence_issuing import issue_for_case
from yiwang.cases.models import Case
from yiwang.cases.signals import case_completed
from yiwang.catalog.models import ServiceItem
from yiwang.core.calendar import seed_calendar
from yiwang.core.models import Organisation
from yiwang.licences import services
from yiwang.licences.identifiers import parse_identifier
from yiwang.licences.models import Licence, LicenceType
from yiwang.licences.tests import factories
from yiwang.seals import services as seal_services
from yiwang.testing.cases import ServiceItemFactory

pytestmark = pytest.mark.django_db

FORM_FIELDS: list[dict[str, Any]] = [
    {"name": "address", "label": "经营场所", "type": "text", "required": True},
    {"name": "category", "label": "主体业态", "type": "text", "required": True},
    {"name": "area", "label": "经营面积（平方米）", "type": "number", "required": False},
]


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel("2026-03-16 10:00:00+08:00", tick=False) as traveller:
        yield traveller


@pytest.fixture
def licence_item(issuer: Organisation, licence_type: LicenceType) -> ServiceItem:
    seed_calendar([2026])
    return ServiceItemFactory(
        implementing_body=issuer,
        form_fields=FORM_FIELDS,
        materials=[],
        result_licence_type_code=licence_type.code,
    )


@pytest.fixture
def complete(django_capture_on_commit_callbacks: Any) -> Any:
    """File, accept and decide a case, running the after-commit work (the licence task)."""

    def run(item: ServiceItem, citizen: Any, issuer: Organisation, *, approve: bool = True) -> Case:
        with django_capture_on_commit_callbacks(execute=True):
            return _complete(item, citizen, issuer, approve=approve)

    return run


def _complete(item: ServiceItem, citizen: Any, issuer: Organisation, *, approve: bool = True) -> Case:
    staff = factories.make_staff(issuer, f"decider{item.pk}", ("window_clerk", "handler", "approver"))
    case = case_services.submit_application(
        applicant=citizen,
        item=item,
        form_data={"address": "合肥市包河区徽州大道 1 号", "category": "餐饮服务经营者", "area": 80},
        files={},
    )
    case = case_services.accept_case(case, actor=staff)
    return case_services.decide_case(
        case, actor=staff, approve=approve, comment="" if approve else "不符合条件"
    )


def test_approved_case_yields_one_stamped_licence(
    complete, licence_item, citizen, issuer, seal, licence_type
):
    case = complete(licence_item, citizen, issuer)
    licences = list(Licence.objects.filter(source_case=case))
    assert len(licences) == 1
    licence = licences[0]
    parsed = parse_identifier(licence.identifier)  # raises on a wrong check character
    assert parsed.type_code == licence_type.code
    assert parsed.issuer_code == issuer.credit_code
    assert licence.holder_user == citizen
    assert licence.holder_code == case.applicant_id_number
    assert licence.holder_code_type == "居民身份证"
    assert licence.seal == seal
    assert licence.data["number"] == case.number
    assert licence.data["address"] == "合肥市包河区徽州大道 1 号"
    assert licence.data["category"] == "餐饮服务经营者"
    assert licence.data["area"] == 80
    assert licence.data["approved_on"] == "2026-03-16"
    assert str(licence.issued_on) == "2026-03-16"
    report = seal_services.verify_pdf(services.document_bytes(licence))
    assert report.ok, report
    assert report.signatures[0].seal_id == str(seal.public_id)
    assert services.verify_data_record(licence)


def test_refused_case_yields_none(complete, licence_item, citizen, issuer, seal):
    case = complete(licence_item, citizen, issuer, approve=False)
    assert case.outcome == "refused"
    assert not Licence.objects.filter(source_case=case).exists()
    assert issue_for_case(case) is None


def test_item_without_licence_type_yields_none(complete, licence_item, citizen, issuer, seal):
    licence_item.result_licence_type_code = ""
    licence_item.save(update_fields=["result_licence_type_code"])
    case = complete(licence_item, citizen, issuer)
    assert case.outcome == "approved"
    assert not Licence.objects.exists()
    assert issue_for_case(case) is None


def test_signal_sent_again_still_one_licence(
    complete, licence_item, citizen, issuer, seal, django_capture_on_commit_callbacks
):
    case = complete(licence_item, citizen, issuer)
    first = Licence.objects.get(source_case=case)
    with django_capture_on_commit_callbacks(execute=True):
        case_completed.send(sender=Case, case=case, actor=None)
    assert issue_for_case(case) == first
    assert Licence.objects.filter(source_case=case).count() == 1


def test_case_page_links_the_issued_licence(complete, licence_item, citizen, issuer, seal):

    case = complete(licence_item, citizen, issuer)
    licence = Licence.objects.get(source_case=case)
    client = Client()
    client.force_login(citizen)
    page = client.get(f"/my/cases/{case.public_id}/").content.decode()
    assert licence.identifier in page
    assert f"/licences/{licence.public_id}/" in page
    assert f"/licences/{licence.public_id}/document/" in page
    download = client.get(f"/licences/{licence.public_id}/document/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content if download.streaming else [download.content])[:5] == b"%PDF-"


def test_case_page_without_licence_has_no_licence_section(complete, licence_item, citizen, issuer, seal):

    case = complete(licence_item, citizen, issuer, approve=False)
    client = Client()
    client.force_login(citizen)
    page = client.get(f"/my/cases/{case.public_id}/").content.decode()
    assert 'id="case-licences"' not in page
    assert "/my/cases/" in page and case.number in page
