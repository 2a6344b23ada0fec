"""跨域通办 end to end in one process (live server = the city, this thread = the province): the signed
item listing, a filing that becomes one case with the city's number, the status flowing back in order,
idempotent replays, and the refusals (item withdrawn, form invalid, bad or missing materials)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from yiwang.accounts.models import FederatedIdentity
from yiwang.accounts.oidc import pairwise_sub
from yiwang.cases.models import Case, CaseStatus
from yiwang.cases.services import accept_case
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.core.errors import DomainError
from yiwang.core.models import AuditEvent
from yiwang.crossregion.models import ReceivedFiling, RemoteCase, RemoteCaseState, RemoteItem
from yiwang.crossregion.node_client import node_get
from yiwang.crossregion.services import FILING_KIND, file_remote_case, refresh_region
from yiwang.crossregion.tests.conftest import CITY_CLIENT, ISSUER
from yiwang.exchange.identity import acting_as
from yiwang.exchange.models import IncomingPackage, OutgoingPackage, OutgoingState
from yiwang.exchange.services import build_package, push_due, push_package
from yiwang.exchange.storage import read_archive
from yiwang.testing.accounts import company as make_company
from yiwang.testing.cases import pdf_upload

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def _file(world: Any, province: Any, **kwargs: Any) -> RemoteCase:
    remote = kwargs.pop("remote", None) or RemoteItem.objects.get(remote_id=world.item.public_id)
    licence = str(world.item.materials.get(name="营业执照").public_id)
    with acting_as(province):
        return file_remote_case(
            applicant=kwargs.pop("applicant", world.person),
            item=remote,
            form_data=kwargs.pop("form_data", {"shop_name": "庐阳小店"}),
            files=kwargs.pop("files", {licence: [pdf_upload("licence.pdf")]}),
            issuer=ISSUER,
        )


def _refresh(world: Any, province: Any) -> RemoteItem:
    with acting_as(province):
        refresh_region(world.city_node)
    return RemoteItem.objects.get(remote_id=world.item.public_id)


def _deliver_status(as_node: Any, province: Any, city: Any) -> int:
    """The city's status packages to the province: the live server now answers as the province."""
    as_node(province)
    with acting_as(city):
        sent = push_due()
    as_node(city)
    return sent


def test_the_item_listing_is_a_signed_node_request(world, province, client):
    unsigned = client.get("/api/v1/crossregion/node/items")
    assert unsigned.status_code == 401
    forged = client.get(
        "/api/v1/crossregion/node/items",
        HTTP_X_YIWANG_NODE="340000-province",
        HTTP_X_YIWANG_TIMESTAMP=str(int(NOW.timestamp())),
        HTTP_X_YIWANG_SIGNATURE="sm2-sm3:" + "00" * 64,
    )
    assert forged.status_code == 401 and forged.json()["code"] == "exchange_bad_signature"
    with acting_as(province):
        answer = node_get(world.city_node, "/items")
    assert answer.status == 200
    data = answer.json()
    assert data["region"]["sso_client_id"] == CITY_CLIENT
    [listed] = data["items"]
    assert listed["id"] == str(world.item.public_id) and listed["tongban_range"] == "3"
    assert [m["name"] for m in listed["materials"]] == ["营业执照", "委托书"]
    assert listed["form_definition"]["components"][0]["key"] == "shop_name"
    # An item not open to filing elsewhere is not listed.
    ServiceItem.objects.filter(pk=world.item.pk).update(tongban_range="4")
    with acting_as(province):
        assert node_get(world.city_node, "/items").json()["items"] == []


def test_a_case_filed_at_the_province_is_one_city_case_and_its_status_comes_back(
    world, province, city, as_node
):
    remote = _refresh(world, province)
    assert remote.name == world.item.name and remote.region.sso_client_id == CITY_CLIENT

    filed = _file(world, province)
    assert filed.state == RemoteCaseState.REGISTERED, filed.refused_reason
    case = Case.objects.get()
    assert filed.number == case.number and case.number.startswith(world.item.implementation_code + "20261207")
    assert case.channel == "tongban" and case.applicant == world.person
    assert case.materials.count() == 1 and case.form_data["shop_name"] == "庐阳小店"
    received = ReceivedFiling.objects.get()
    assert received.sender == "340000-province" and received.filing_id == filed.public_id
    # The applicant at the city is the account linked to the province's pairwise subject for the city.
    link = FederatedIdentity.objects.get()
    assert link.user == world.person and link.issuer == ISSUER
    assert link.subject == pairwise_sub(_application(), world.person)

    accept_case(case, actor=world.clerk)
    assert _deliver_status(as_node, province, city) == 2  # 申请, 受理 in order
    filed.refresh_from_db()
    assert [step["sequence"] for step in filed.history] == [1, 2]
    assert [step["event"] for step in filed.history] == ["applied", "accepted"]
    assert filed.status == CaseStatus.ACCEPTED and filed.status_label == "审查中"

    # Replays change nothing: the same status package again, the same filing package again.
    status = OutgoingPackage.objects.filter(kind="crossregion.status").order_by("sequence").last()
    OutgoingPackage.objects.filter(pk=status.pk).update(state=OutgoingState.READY)
    as_node(province)
    with acting_as(city):
        assert push_package(OutgoingPackage.objects.get(pk=status.pk)).state == OutgoingState.APPLIED
    as_node(city)
    filing = OutgoingPackage.objects.get(kind=FILING_KIND)
    OutgoingPackage.objects.filter(pk=filing.pk).update(state=OutgoingState.READY)
    with acting_as(province):
        assert (
            push_package(OutgoingPackage.objects.get(pk=filing.pk)).receipt["result"]["case_number"]
            == case.number
        )
        # The same filing resent in a new package (another package id): still the one case.
        resent = build_package(FILING_KIND, world.city_node, _entries_of(filing))
        resent = push_package(resent)
    assert resent.state == OutgoingState.APPLIED and resent.receipt["result"]["case_number"] == case.number
    assert Case.objects.count() == 1 and ReceivedFiling.objects.count() == 1
    filed.refresh_from_db()
    assert len(filed.history) == 2 and filed.last_sequence == 2


def test_a_company_files_through_its_legal_representative(world, province, city, as_node):
    """A legal person's filing: the city files the case for the company (found by its credit code)
    and records who acted for it; the identity sent is the pairwise subject of the company."""
    company = make_company(world.person, "xr_company")
    remote = _refresh(world, province)
    filed = _file(world, province, remote=remote, applicant=company)
    assert filed.state == RemoteCaseState.REGISTERED, filed.refused_reason
    case = Case.objects.get()
    assert case.channel == "tongban" and case.applicant == company
    assert case.number == filed.number
    link = FederatedIdentity.objects.get(user=company)
    assert link.issuer == ISSUER and link.subject == pairwise_sub(_application(), company)
    package = OutgoingPackage.objects.get(kind=FILING_KIND)
    sent = json.loads(_entries_of(package)["filing.json"])["applicant"]
    assert sent["account_kind"] == "legal" and sent["credit_code"] == company.legal_person.credit_code
    assert sent["acting_agent"]["sub"] == pairwise_sub(_application(), world.person)
    assert sent["acting_agent"]["role"] == "legal_representative"
    assert sent["id_number"] == world.person.natural_person.id_number  # the representative's, not the code


def _application() -> Any:
    from oauth2_provider.models import get_application_model

    return get_application_model().objects.get(client_id=CITY_CLIENT)


def _entries_of(package: OutgoingPackage) -> dict[str, bytes]:
    import io
    import zipfile

    data = read_archive(package.archive, str(package.public_id), package.size)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name.removeprefix("entries/"): archive.read(name)
            for name in archive.namelist()
            if name.startswith("entries/")
        }


def test_a_withdrawn_item_and_a_form_the_city_refuses_come_back_with_the_reason(world, province):
    remote = _refresh(world, province)
    ServiceItem.objects.filter(pk=world.item.pk).update(status=ItemStatus.WITHDRAWN)
    refused = _file(world, province, remote=remote)
    assert refused.state == RemoteCaseState.REFUSED and refused.number == ""
    assert refused.refused_code == "item_not_available" and "撤销" in refused.refused_reason

    ServiceItem.objects.filter(pk=world.item.pk).update(status=ItemStatus.PUBLISHED, tongban_range="4")
    out_of_range = _file(world, province, remote=remote)
    assert (
        out_of_range.state == RemoteCaseState.REFUSED
        and out_of_range.refused_code == "crossregion_item_not_open"
    )

    # The city's form changed after the refresh: the city's own check refuses, the reason comes back.
    ServiceItem.objects.filter(pk=world.item.pk).update(
        tongban_range="3",
        form_fields=[
            {"name": "shop_name", "label": "经营场所名称", "type": "text", "required": True},
            {"name": "owner", "label": "负责人", "type": "text", "required": True},
        ],
        form_definition={},
    )
    invalid = _file(world, province, remote=remote)
    assert invalid.state == RemoteCaseState.REFUSED and "申请表" in invalid.refused_reason
    assert not Case.objects.exists() and not ReceivedFiling.objects.exists()
    # Refusals are results: the stream goes on (each package applied, in order, nothing kept).
    assert IncomingPackage.objects.filter(kind=FILING_KIND, state="applied").count() == 3


@pytest.mark.parametrize(
    ("kwargs", "code", "status"),
    [
        ({"form_data": {}}, "crossregion_form_invalid", 400),
        ({"files": {}}, "crossregion_missing_materials", 400),
        (
            {"files": {"00000000-0000-0000-0000-000000000000": [pdf_upload()]}},
            "crossregion_unknown_material",
            400,
        ),
    ],
)
def test_the_filing_instance_checks_the_form_and_materials_before_sending(
    world, province, kwargs, code, status
):
    _refresh(world, province)
    with pytest.raises(DomainError) as refused:
        _file(world, province, **kwargs)
    assert refused.value.code == code and refused.value.status == status
    assert not RemoteCase.objects.exists() and not OutgoingPackage.objects.filter(kind=FILING_KIND).exists()


def test_a_bad_material_file_is_refused_like_the_portals_upload(world, province):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _refresh(world, province)
    licence = str(world.item.materials.get(name="营业执照").public_id)
    with pytest.raises(DomainError) as refused:
        _file(world, province, files={licence: [SimpleUploadedFile("x.exe", b"MZ\x90\x00")]})
    assert refused.value.code == "file_type_forbidden" and refused.value.status == 415
    assert not RemoteCase.objects.exists()


def test_pages_and_api_at_the_filing_instance(world, province, client):
    _refresh(world, province)
    remote = RemoteItem.objects.get()
    client.force_login(world.person)
    assert world.item.name in client.get("/crossregion/").content.decode()
    page = client.get(f"/crossregion/items/{remote.public_id}/")
    assert page.status_code == 200 and 'name="field_shop_name"' in page.content.decode()
    licence = str(world.item.materials.get(name="营业执照").public_id)

    bad = client.post(f"/crossregion/items/{remote.public_id}/", {"field_shop_name": ""})
    assert bad.status_code == 400 and "申请表" in bad.content.decode()

    with acting_as(province):
        answer = client.post(
            f"/crossregion/items/{remote.public_id}/",
            {"field_shop_name": "蜀山小店", f"material_{licence}": pdf_upload()},
        )
    assert answer.status_code == 302
    case = Case.objects.get()
    detail = client.get(answer["Location"]).content.decode()
    assert case.number in detail

    with acting_as(province):
        api = client.post(
            "/api/v1/crossregion/cases",
            {
                "item": str(remote.public_id),
                "field_shop_name": "瑶海小店",
                f"material_{licence}": pdf_upload(),
            },
        )
    assert api.status_code == 201, api.content
    assert api.json()["state"] == "registered" and api.json()["number"].startswith(
        world.item.implementation_code
    )
    mine = client.get("/api/v1/crossregion/cases").json()
    assert {row["number"] for row in mine} == set(Case.objects.values_list("number", flat=True))
    assert client.get("/api/v1/crossregion/items").json()[0]["code"] == world.item.implementation_code
    missing = client.post("/api/v1/crossregion/cases", {"item": str(remote.public_id)})
    assert missing.status_code == 400 and missing.json()["code"] == "crossregion_form_invalid"
    unknown = client.get("/api/v1/crossregion/cases/00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 404 and unknown.json()["code"] == "crossregion_not_found"
    assert AuditEvent.objects.filter(action="crossregion.case_filed").count() == 2
