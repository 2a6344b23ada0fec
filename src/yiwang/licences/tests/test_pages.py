"""Pages: the wallet, sharing, the print copy, public verification and the staff look-up."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yiwang.licences import services
from yiwang.licences.models import LicenceShareView
from yiwang.licences.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder_client(citizen) -> Client:
    client = Client()
    client.force_login(citizen)
    return client


def test_wallet_pages_need_a_login(licence):
    client = Client()
    for url in ["/licences/", f"/licences/{licence.public_id}/", f"/licences/{licence.public_id}/document/"]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_wallet_list_detail_download_print(holder_client, licence, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        page = holder_client.get("/licences/")
    assert "食品经营许可证" in page.content.decode()
    detail = holder_client.get(f"/licences/{licence.public_id}/").content.decode()
    assert licence.identifier in detail and "有效" in detail
    pdf = holder_client.get(f"/licences/{licence.public_id}/document/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    printed = holder_client.get(f"/licences/{licence.public_id}/print/").content.decode()
    assert "纸质等效件" in printed and "yiwang/css/licence-print.css" in printed  # @media print there


def test_stranger_gets_404(licence):
    client = Client()
    client.force_login(factories.make_citizen("stranger"))
    assert client.get(f"/licences/{licence.public_id}/").status_code == 404


def test_share_page_flow(holder_client, licence):
    response = holder_client.post(f"/licences/{licence.public_id}/shares/", {"expiry": "1h"})
    assert response.status_code == 201
    body = response.content.decode()
    assert "<svg" in body
    url = body.split('id="share-link" href="')[1].split('"')[0]
    path = url.split("zwfw.example.gov.cn")[1]
    third_party = Client()
    shown = third_party.get(path)
    assert shown.status_code == 200 and "有效" in shown.content.decode()
    assert shown["Cache-Control"] == "private, no-store"
    assert LicenceShareView.objects.count() == 1
    share = licence.shares.get()
    holder_client.post(f"/licences/shares/{share.public_id}/revoke/")
    assert third_party.get(path).status_code == 410


def test_consent_page(holder_client, licence, issuer):
    response = holder_client.post(
        f"/licences/{licence.public_id}/consents/",
        {"organisation": str(issuer.public_id), "valid_until": "2099-01-01", "scope": "type"},
    )
    assert response.status_code == 302
    consent = licence.licence_type.consents.get()
    holder_client.post(f"/licences/consents/{consent.public_id}/revoke/", {"licence": str(licence.public_id)})
    consent.refresh_from_db()
    assert consent.revoked_at is not None
    bad = holder_client.post(
        f"/licences/{licence.public_id}/consents/", {"organisation": "x", "valid_until": ""}
    )
    assert bad.status_code == 400


def test_public_verification_pages(licence, approver):
    client = Client()
    assert client.get("/verify/").status_code == 200
    redirect = client.get("/verify/", {"identifier": licence.identifier.lower()})
    assert redirect.status_code == 302 and redirect["Location"] == f"/verify/{licence.identifier}/"
    page = client.get(f"/verify/{licence.identifier}/").content.decode()
    assert "有效" in page and licence.holder_code not in page
    bad = client.get("/verify/", {"identifier": "1.2.156.3005.2.bad"})
    assert bad.status_code == 400
    upload = SimpleUploadedFile("l.pdf", services.document_bytes(licence), content_type="application/pdf")
    assert "电子证照真实" in client.post("/verify/", {"file": upload}).content.decode()
    services.revoke_licence(licence, actor=approver, reason="吊销许可")
    page = client.get(f"/verify/{licence.identifier}/").content.decode()
    assert "已注销" in page and "吊销许可" in page


def test_staff_lookup_page_is_staff_only(licence, citizen, issuer):
    client = Client()
    client.force_login(citizen)
    assert client.get("/licences/staff/lookup/").status_code == 403
    clerk = factories.make_staff(issuer, "page_clerk", ("window_clerk",))
    staff = Client()
    staff.force_login(clerk)
    response = staff.get("/licences/staff/lookup/")
    assert response.status_code == 302  # MFA first
