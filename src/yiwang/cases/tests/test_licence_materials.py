"""一证通办: e-licence materials taken from the licence store, and trust levels on every material."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from yiwang.cases.licence_materials import parse_authorisations
from yiwang.cases.models import CaseMaterial
from yiwang.cases.services import submit_application, verify_material
from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import ServiceItemFactory, make_staff, pdf_upload
from yiwang.catalog.models import Material, MaterialSourceKind
from yiwang.core.errors import Conflict, DomainError, PermissionDenied
from yiwang.core.models import AuditEvent
from yiwang.licences import services as licence_services
from yiwang.licences.models import LicenceUseConsent, LicenceUseRecord
from yiwang.testing import licences as licence_factories
from yiwang.testing.fixtures import logged_in

pytestmark = pytest.mark.django_db

BASIS = "《国务院关于加快推进“互联网+政务服务”工作的指导意见》"


@pytest.fixture
def issuer_bundle(db):
    return licence_factories.make_issuer("合肥市数据资源局")


@pytest.fixture
def licence_type(db):
    return licence_factories.make_type(name="营业执照")


@pytest.fixture
def licence(licence_type, issuer_bundle, citizen):
    return licence_factories.issue(licence_type, issuer_bundle[0], citizen)


def _item(department, licence_type, basis: str = ""):
    item = ServiceItemFactory(implementing_body=department, materials=[("经营场所证明", True)])
    Material.objects.create(
        item=item,
        name="营业执照",
        mandatory=True,
        source_kind=MaterialSourceKind.LICENCE,
        licence_type_code=licence_type.code,
        licence_legal_basis=basis,
        order=0,
    )
    return item


@pytest.fixture
def item_with_basis(department, licence_type, calendar):
    return _item(department, licence_type, BASIS)


@pytest.fixture
def item_needing_consent(department, licence_type, calendar):
    return _item(department, licence_type)


def _files(item, *names):
    materials = {m.name: str(m.public_id) for m in item.materials.all()}
    return {materials[name]: [pdf_upload()] for name in names}


def _apply(item, citizen, *, files=("经营场所证明",), authorisations=(), registered_by=None):
    return submit_application(
        applicant=citizen,
        item=item,
        form_data={"shop_name": "小店"},
        files=_files(item, *files),
        licence_authorisations=[str(a) for a in authorisations],
        registered_by=registered_by,
    )


def test_licence_with_legal_basis_is_attached_automatically(item_with_basis, citizen, licence, department):
    case = _apply(item_with_basis, citizen)

    attached = case.materials.get(material_name="营业执照")
    assert attached.source == "e_licence"
    assert attached.trust_level == "A"
    assert attached.licence == licence
    assert attached.licence_identifier == licence.identifier
    assert attached.content_type == "application/pdf"
    licence.document.open("rb")
    assert attached.sha256 == hashlib.sha256(licence.document.read()).hexdigest()
    licence.document.close()
    use = LicenceUseRecord.objects.get(licence=licence)
    assert attached.licence_use == use
    assert use.case == case
    assert use.organisation == department
    assert use.legal_basis == BASIS
    assert use.consent is None
    assert case.number and "营业执照" in use.purpose
    event = case.events.get(sequence=1)
    assert event.data["e_licences"] == [
        {"material": "营业执照", "licence": licence.identifier, "basis": "legal_basis"}
    ]
    uploaded = case.materials.get(material_name="经营场所证明")
    assert (uploaded.source, uploaded.trust_level, uploaded.licence) == ("upload", "C", None)


def test_licence_without_basis_is_attached_after_authorisation(item_needing_consent, citizen, licence):
    case = _apply(item_needing_consent, citizen, authorisations=[licence.public_id])

    attached = case.materials.get(material_name="营业执照")
    assert (attached.source, attached.trust_level, attached.licence) == ("e_licence", "A", licence)
    use = LicenceUseRecord.objects.get(licence=licence, case=case)
    assert use.legal_basis == ""
    consent = use.consent
    assert consent is not None and consent.licence == licence
    assert consent.organisation == case.handling_organisation and consent.holder_user == citizen


def test_unauthorised_licence_is_not_used(item_needing_consent, citizen, licence):
    with pytest.raises(DomainError) as refused:
        _apply(item_needing_consent, citizen)
    assert refused.value.code == "missing_materials"
    assert LicenceUseRecord.objects.count() == 0

    # Uploading it instead works, and nothing is taken from the store.
    case = _apply(item_needing_consent, citizen, files=("经营场所证明", "营业执照"))
    assert set(case.materials.values_list("source", flat=True)) == {"upload"}
    assert LicenceUseRecord.objects.count() == 0
    assert LicenceUseConsent.objects.count() == 0


def test_an_upload_wins_over_the_licence_store(item_with_basis, citizen, licence):
    case = _apply(item_with_basis, citizen, files=("经营场所证明", "营业执照"))
    assert case.materials.get(material_name="营业执照").source == "upload"
    assert not LicenceUseRecord.objects.exists()


@pytest.mark.parametrize("action", ["revoke", "suspend"])
def test_revoked_or_suspended_licence_is_not_used(
    item_with_basis, item_needing_consent, citizen, licence, issuer_bundle, action
):
    approver = issuer_bundle[2]
    getattr(licence_services, f"{action}_licence")(licence, actor=approver, reason="依法处理")

    # With a legal basis: nothing is fetched, the material falls back to upload.
    with pytest.raises(DomainError) as missing:
        _apply(item_with_basis, citizen)
    assert missing.value.code == "missing_materials"
    # Authorising it explicitly is a clear 409.
    with pytest.raises(Conflict) as refused:
        _apply(item_needing_consent, citizen, authorisations=[licence.public_id])
    assert refused.value.code == "licence_not_usable"
    assert refused.value.status == 409
    assert "licence_authorisations" in refused.value.fields
    assert not LicenceUseRecord.objects.exists()
    # Uploading the material instead is accepted.
    case = _apply(item_with_basis, citizen, files=("经营场所证明", "营业执照"))
    assert case.materials.get(material_name="营业执照").source == "upload"


def test_expired_licence_is_not_used(item_with_basis, citizen, licence):
    type(licence).objects.filter(pk=licence.pk).update(valid_until="2020-01-01")
    with pytest.raises(DomainError) as missing:
        _apply(item_with_basis, citizen)
    assert missing.value.code == "missing_materials"
    assert not LicenceUseRecord.objects.exists()


def test_someone_elses_licence_cannot_be_authorised(item_needing_consent, other_citizen, licence):
    with pytest.raises(DomainError) as refused:
        _apply(item_needing_consent, other_citizen, authorisations=[licence.public_id])
    assert refused.value.code == "licence_authorisation_invalid"
    assert refused.value.status == 400
    assert not LicenceUseRecord.objects.exists()


def test_use_for_case_needs_basis_or_authorisation_and_the_holder(
    item_with_basis, citizen, other_citizen, licence
):
    case = _apply(item_with_basis, citizen, files=("经营场所证明", "营业执照"))
    with pytest.raises(DomainError) as refused:
        licence_services.use_licence_for_case(licence, case=case, actor=citizen, purpose="x")
    assert refused.value.code == "licence_use_refused" and refused.value.status == 403
    case.applicant = other_citizen
    with pytest.raises(PermissionDenied):
        licence_services.use_licence_for_case(
            licence, case=case, actor=other_citizen, purpose="x", legal_basis=BASIS
        )
    assert not LicenceUseRecord.objects.exists()
    assert AuditEvent.objects.filter(action="licence.use_refused").exists()


def test_staff_use_of_a_revoked_licence_is_refused(licence, issuer_bundle, department):
    licence_services.revoke_licence(licence, actor=issuer_bundle[2], reason="依法注销")
    clerk = make_staff(department, "clerk_use", ("window_clerk",))
    with pytest.raises(Conflict) as refused:
        licence_services.use_licence(
            licence, organisation=department, user=clerk, purpose="核验", legal_basis=BASIS
        )
    assert refused.value.code == "licence_not_current"
    assert not LicenceUseRecord.objects.exists()


def test_holder_sees_who_used_which_licence_when(item_with_basis, citizen, licence, department):
    case = _apply(item_with_basis, citizen)
    client = Client()
    client.force_login(citizen)
    page = client.get("/licences/").content.decode()
    assert department.name in page and case.number in page and BASIS in page
    detail = client.get(f"/licences/{licence.public_id}/").content.decode()
    assert case.number in detail
    uses = token_client(citizen).get("/api/v1/licences/uses").json()
    assert [(u["organisation"], u["case_number"], u["by_consent"]) for u in uses] == [
        (department.name, case.number, False)
    ]


def test_apply_api_takes_licence_authorisations(item_needing_consent, citizen, licence):
    materials = {m.name: str(m.public_id) for m in item_needing_consent.materials.all()}
    response = token_client(citizen).post(
        "/api/v1/cases",
        {
            "item_id": str(item_needing_consent.public_id),
            "form_data": json.dumps({"shop_name": "小店"}),
            f"material_{materials['经营场所证明']}": pdf_upload(),
            "licence_authorisations": str(licence.public_id),
        },
    )
    assert response.status_code == 201, response.content
    rows = {m["material_name"]: m for m in response.json()["materials"]}
    assert rows["营业执照"]["source"] == "e_licence"
    assert rows["营业执照"]["trust_level"] == "A"
    assert rows["营业执照"]["licence_identifier"] == licence.identifier
    assert rows["经营场所证明"]["trust_level"] == "C"

    bad = token_client(citizen).post(
        "/api/v1/cases",
        {
            "item_id": str(item_needing_consent.public_id),
            "form_data": json.dumps({"shop_name": "小店"}),
            f"material_{materials['经营场所证明']}": pdf_upload(),
            "licence_authorisations": "not-a-uuid",
        },
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "licence_authorisation_invalid"


def test_apply_page_offers_the_wallet_licence(item_needing_consent, item_with_basis, citizen, licence):
    client = Client()
    client.force_login(citizen)
    page = client.get(f"/items/{item_needing_consent.public_id}/apply/").content.decode()
    assert licence.identifier in page
    assert f'name="licence_authorisations" id="authorise-{licence.public_id}"' in page
    assert "授权使用" in page
    automatic = client.get(f"/items/{item_with_basis.public_id}/apply/").content.decode()
    assert licence.identifier in automatic and "自动调取" in automatic
    assert 'name="licence_authorisations"' not in automatic

    materials = {m.name: str(m.public_id) for m in item_needing_consent.materials.all()}
    response = client.post(
        f"/items/{item_needing_consent.public_id}/apply/",
        {
            "field_shop_name": "小店",
            f"material_{materials['经营场所证明']}": pdf_upload(),
            "licence_authorisations": str(licence.public_id),
            "delivery_method": "electronic",
        },
    )
    assert response.status_code == 302
    assert CaseMaterial.objects.get(material_name="营业执照").source == "e_licence"


# --- trust levels on every material -----------------------------------------------------------
def test_trust_level_is_recorded_for_every_material(item_with_basis, citizen, clerk, licence):
    online = _apply(item_with_basis, citizen)
    assert dict(online.materials.values_list("material_name", "trust_level")) == {
        "营业执照": "A",
        "经营场所证明": "C",
    }
    window = _apply(item_with_basis, citizen, files=("经营场所证明", "营业执照"), registered_by=clerk)
    assert set(window.materials.values_list("source", "trust_level")) == {("clerk_scan", "B")}


def test_clerk_verification_raises_c_to_b_once(item_with_basis, citizen, clerk, licence):
    case = _apply(item_with_basis, citizen)
    upload = case.materials.get(material_name="经营场所证明")
    verified = verify_material(case, upload.public_id, actor=clerk)
    assert (verified.trust_level, verified.verified_by) == ("B", clerk)
    with pytest.raises(Conflict):
        verify_material(case, upload.public_id, actor=clerk)
    from_store = case.materials.get(material_name="营业执照")
    with pytest.raises(Conflict):
        verify_material(case, from_store.public_id, actor=clerk)


def test_verify_endpoint_authorisation(
    item_with_basis, citizen, other_citizen, clerk, foreign_clerk, licence
):
    case = _apply(item_with_basis, citizen)
    upload = case.materials.get(material_name="经营场所证明")
    url = f"/api/v1/workbench/cases/{case.public_id}/materials/{upload.public_id}/verify"
    assert Client().post(url).status_code == 401
    assert token_client(citizen).post(url).status_code == 403
    assert token_client(foreign_clerk).post(url).status_code in (403, 404)
    approver_only = make_staff(case.handling_organisation, "approver_only", ("approver",))
    assert token_client(approver_only).post(url).status_code == 403
    upload.refresh_from_db()
    assert upload.trust_level == "C"
    done = token_client(clerk).post(url)
    assert done.status_code == 200 and done.json()["trust_level"] == "B"


def test_workbench_case_detail_shows_source_and_trust_level(item_with_basis, citizen, clerk, licence):
    case = _apply(item_with_basis, citizen)
    client = logged_in(clerk)
    page = client.get(f"/workbench/cases/{case.public_id}/").content.decode()
    assert "可信等级" in page and "电子证照库调取" in page and "申请人上传" in page
    assert licence.identifier in page
    upload = case.materials.get(material_name="经营场所证明")
    response = client.post(f"/workbench/cases/{case.public_id}/materials/{upload.public_id}/verify/")
    assert response.status_code == 302
    upload.refresh_from_db()
    assert upload.trust_level == "B"
    outsider = Client()
    outsider.force_login(citizen)
    assert outsider.post(
        f"/workbench/cases/{case.public_id}/materials/{upload.public_id}/verify/"
    ).status_code in (
        302,
        403,
        404,
    )


# --- the licence_authorisations parser ---------------------------------------------------------
@given(st.lists(st.uuids(), max_size=5), st.sampled_from([",", " , "]))
def test_authorisations_parse_from_lists_and_comma_strings(ids, sep):
    expected = [str(value) for value in ids]
    assert parse_authorisations([str(value).upper() for value in ids]) == expected
    assert parse_authorisations(sep.join(str(value) for value in ids)) == expected
    assert parse_authorisations(None) == parse_authorisations("") == []


@given(st.text(min_size=1, max_size=40).filter(lambda text: text.strip() and "," not in text))
def test_anything_but_uuids_is_a_400(text):
    try:
        uuid.UUID(text.strip())
    except ValueError:
        with pytest.raises(DomainError) as refused:
            parse_authorisations(text)
        assert refused.value.code == "licence_authorisation_invalid" and refused.value.status == 400
