"""一件事 bundle applications: split (merged form mapped to each member, shared materials uploaded once,
one sub-case per member with its own number and body), join (combined result only when every
sub-case has ended, partial refusal reported, one delivery, one notification), and permissions."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
from pypdf import PdfReader

from yiwang.accounts.models import InboxMessage
from yiwang.cases import bundles
from yiwang.cases.models import BundleApplication, BundleApplicationStatus, Case, CaseDocument, DocumentKind
from yiwang.cases.services import accept_case, decide_case, refuse_acceptance
from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import (
    OrganisationFactory,
    ServiceItemFactory,
    make_document_seal,
    make_staff,
    pdf_upload,
)
from yiwang.catalog.bundles import bundle_materials
from yiwang.catalog.models import Bundle, BundleField, BundleFieldMapping, BundleMember, BundleStatus
from yiwang.core.errors import DomainError, NotFound, PermissionDenied
from yiwang.testing.fixtures import logged_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


@pytest.fixture
def fire_department(db):
    return OrganisationFactory(name="合肥市消防救援支队", short_name="消防支队")


@pytest.fixture
def fire_item(fire_department, calendar):
    return ServiceItemFactory(
        name="公众聚集场所投入使用前消防安全检查",
        implementing_body=fire_department,
        form_fields=[
            {"name": "venue", "label": "场所名称", "type": "text", "required": True},
            {"name": "staff_count", "label": "从业人数", "type": "number", "required": True},
        ],
        materials=[("营业执照正、副本", True), ("消防安全承诺书", True)],
    )


@pytest.fixture
def fire_staff(fire_department):
    return (
        make_staff(fire_department, "fire_clerk", ("window_clerk",)),
        make_staff(fire_department, "fire_approver", ("handler", "approver")),
    )


@pytest.fixture
def bundle(item, fire_item):
    bundle = Bundle.objects.create(
        code="restaurant", name="开办餐饮店", audience="business", event="开业", status=BundleStatus.PUBLISHED
    )
    food = BundleMember.objects.create(bundle=bundle, item=item, order=1)
    fire = BundleMember.objects.create(bundle=bundle, item=fire_item, order=2)
    shop = BundleField.objects.create(bundle=bundle, name="shop", label="店铺名称", required=True, order=1)
    BundleFieldMapping.objects.create(field=shop, member=food, item_field="shop_name")
    BundleFieldMapping.objects.create(field=shop, member=fire, item_field="venue")
    return bundle


def _files(bundle):
    return {
        row.key: [pdf_upload(f"{n}.pdf")] for n, row in enumerate(bundle_materials(bundle)) if row.mandatory
    }


def _apply(bundle, citizen, fire_item, **kwargs):
    return bundles.apply_bundle(
        applicant=citizen,
        bundle=bundle,
        form_data={"shop": "李记面馆"},
        member_forms={str(fire_item.public_id): {"staff_count": "12"}},
        files=_files(bundle),
        **kwargs,
    )


def test_split_maps_fields_and_shares_materials(
    bundle, citizen, item, fire_item, department, fire_department
):
    rows = bundle_materials(bundle)
    licence = next(row for row in rows if row.shared)
    assert licence.licence_type == "营业执照"
    application = _apply(bundle, citizen, fire_item)
    cases = bundles.sub_cases(application)
    assert [c.item for c in cases] == [item, fire_item]
    assert [c.handling_organisation for c in cases] == [department, fire_department]
    assert len({c.number for c in cases}) == 2
    assert cases[0].form_data == {"shop_name": "李记面馆"}
    assert cases[1].form_data == {"venue": "李记面馆", "staff_count": 12}
    food_licence = cases[0].materials.get(material_name="营业执照")
    fire_licence = cases[1].materials.get(material_name="营业执照正、副本")
    assert food_licence.sha256 == fire_licence.sha256  # one upload, shared
    assert cases[1].materials.count() == 2 and cases[0].materials.count() == 2
    assert application.status == BundleApplicationStatus.IN_PROGRESS


def test_every_problem_reported_and_nothing_filed(bundle, citizen, fire_item):
    with pytest.raises(DomainError) as error:
        bundles.apply_bundle(applicant=citizen, bundle=bundle, form_data={}, files={})
    fields = error.value.fields
    assert f"{fire_item.public_id}.staff_count" in fields
    assert any(key.endswith(".shop_name") for key in fields) and any(key.endswith(".venue") for key in fields)
    assert not Case.objects.exists() and not BundleApplication.objects.exists()
    with pytest.raises(DomainError):
        bundles.apply_bundle(
            applicant=citizen, bundle=bundle, form_data={"shop": "x"}, files={"name:unknown": []}
        )


def _handle(case, clerk, approver, approve=True, comment=""):
    return decide_case(accept_case(case, actor=clerk), actor=approver, approve=approve, comment=comment)


def test_join_after_all_done_with_partial_refusal(
    bundle, citizen, fire_item, clerk, approver, fire_staff, department, django_capture_on_commit_callbacks
):
    seal = make_document_seal(department)
    application = _apply(bundle, citizen, fire_item)
    food_case, fire_case = bundles.sub_cases(application)
    _handle(food_case, clerk, approver)
    application.refresh_from_db()
    assert application.status == BundleApplicationStatus.IN_PROGRESS and application.completed_at is None
    assert not CaseDocument.objects.filter(bundle_application=application).exists()
    with django_capture_on_commit_callbacks(execute=True):
        _handle(fire_case, *fire_staff, approve=False, comment="疏散通道宽度不足")
    application.refresh_from_db()
    assert application.status == BundleApplicationStatus.PARTIALLY_REFUSED
    assert application.delivered_at is not None  # electronic: delivered with the combined result
    result = CaseDocument.objects.get(bundle_application=application, kind=DocumentKind.BUNDLE_RESULT)
    data = result.file.read()
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages).replace("\n", "")
    assert food_case.number in text and fire_case.number in text
    assert "疏散通道宽度不足" in text and "准予" in text
    assert result.signed and result.seal == seal
    from yiwang.seals import services as seal_services

    assert seal_services.verify_pdf(data).ok
    assert InboxMessage.objects.filter(
        user=citizen, title__startswith="一件事办结", body__contains="部分未通过"
    ).exists()


def test_not_accepted_sub_case_counts_as_ended(bundle, citizen, fire_item, clerk, approver, fire_staff):
    application = _apply(bundle, citizen, fire_item)
    food_case, fire_case = bundles.sub_cases(application)
    refuse_acceptance(fire_case, actor=fire_staff[0], reason="不属于本机关职权")
    _handle(food_case, clerk, approver)
    application.refresh_from_db()
    assert application.status == BundleApplicationStatus.PARTIALLY_REFUSED
    assert CaseDocument.objects.filter(bundle_application=application).count() == 1


def test_all_approved_completes(bundle, citizen, fire_item, clerk, approver, fire_staff):
    application = _apply(bundle, citizen, fire_item, delivery_method="window")
    food_case, fire_case = bundles.sub_cases(application)
    _handle(food_case, clerk, approver)
    _handle(fire_case, *fire_staff)
    application.refresh_from_db()
    assert application.status == BundleApplicationStatus.COMPLETED and application.delivered_at is None
    bundles.record_bundle_handover(
        application, actor=clerk, recipient_name="张伟", recipient_signature="张伟"
    )
    application.refresh_from_db()
    assert application.delivered_at is not None and application.delivery_record["recipient_name"] == "张伟"


def test_api_apply_view_and_permissions(bundle, citizen, other_citizen, fire_item, clerk, foreign_clerk):
    materials = {f"material_{key}": files[0] for key, files in _files(bundle).items()}
    response = token_client(citizen).post(
        "/api/v1/bundle-applications",
        {
            "bundle_id": str(bundle.public_id),
            "form_data": json.dumps({"shop": "李记面馆"}),
            "member_forms": json.dumps({str(fire_item.public_id): {"staff_count": 3}}),
            **materials,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["sub_cases"]) == 2 and body["status"] == "in_progress"
    url = f"/api/v1/bundle-applications/{body['id']}"
    assert token_client(citizen).get(url).status_code == 200
    assert token_client(other_citizen).get(url).status_code == 404
    assert token_client(clerk).get(url).status_code == 200  # a sub-case is in his department
    assert token_client(foreign_clerk).get(url).status_code == 404
    listing = token_client(citizen).get("/api/v1/bundle-applications").json()
    assert [a["id"] for a in listing] == [body["id"]]
    assert token_client(other_citizen).get("/api/v1/bundle-applications").json() == []
    with pytest.raises(NotFound):
        bundles.get_application_for(other_citizen, body["id"])
    with pytest.raises(PermissionDenied):
        bundles.apply_bundle(applicant=clerk, bundle=bundle, form_data={"shop": "x"}, files=_files(bundle))
    assert (
        token_client(citizen).post("/api/v1/bundle-applications", {"bundle_id": "not-a-uuid"}).status_code
        == 404
    )


def test_portal_apply_and_view(bundle, citizen, fire_item):
    client = logged_in(citizen)
    guide = client.get(f"/bundles/{bundle.public_id}/").content.decode()
    assert f"/bundles/{bundle.public_id}/apply/" in guide
    form = client.get(f"/bundles/{bundle.public_id}/apply/")
    assert form.status_code == 200 and "f_shop" in form.content.decode()
    data = {
        "f_shop": "李记面馆",
        f"m_{fire_item.public_id}_staff_count": "5",
        "delivery_method": "electronic",
    }
    for n, row in enumerate(bundle_materials(bundle)):
        if row.mandatory:
            data[f"material_{n}"] = pdf_upload(f"{n}.pdf")
    response = client.post(f"/bundles/{bundle.public_id}/apply/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    application = BundleApplication.objects.get()
    page = client.get(response["Location"]).content.decode()
    for case in bundles.sub_cases(application):
        assert case.number in page
    assert logged_in(make_other()).get(response["Location"]).status_code == 404


def make_other():
    from yiwang.cases.tests.factories import make_citizen

    return make_citizen("stranger")


def test_list_costs_a_fixed_number_of_queries(bundle, citizen, fire_item, django_assert_max_num_queries):
    for _ in range(3):
        _apply(bundle, citizen, fire_item)
    client = token_client(citizen)
    with django_assert_max_num_queries(8):
        listing = client.get("/api/v1/bundle-applications").json()
    assert len(listing) == 3 and all(len(a["sub_cases"]) == 2 for a in listing)
