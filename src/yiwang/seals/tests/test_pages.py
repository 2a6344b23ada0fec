"""Seal pages in the workbench and the public verification page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yiwang.seals import services
from yiwang.seals.models import Seal
from yiwang.seals.tests.test_stamping import _document
from yiwang.testing.cases import make_citizen

pytestmark = pytest.mark.django_db


def _staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    # Staff pages require a verified second factor; tests mark the session as verified.
    from django.apps import apps

    if apps.is_installed("django_otp.plugins.otp_static"):
        from django_otp.plugins.otp_static.models import StaticDevice

        device, _ = StaticDevice.objects.get_or_create(user=user, name="test")
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


def test_manager_applies_and_admin_walks_the_lifecycle(organisation, manager, seal_admin):
    client = _staff_client(manager)
    assert client.get("/workbench/seals/").status_code == 200
    response = client.post("/workbench/seals/apply/", {"name": "公章", "seal_type": "official"})
    assert response.status_code == 302
    seal = Seal.objects.get(name="公章")
    admin = _staff_client(seal_admin)
    for action in ("review_approve", "make", "file", "issue"):
        response = admin.post(f"/workbench/seals/{seal.public_id}/{action}/")
        assert response.status_code == 302, (action, response.content[:300])
    seal.refresh_from_db()
    assert seal.status == "issued"
    page = admin.get(f"/workbench/seals/{seal.public_id}/")
    assert page.status_code == 200
    assert "已启用" in page.content.decode()


def test_wrong_step_shows_a_conflict_not_a_500(organisation, manager, seal_admin):
    seal = services.apply_for_seal(organisation=organisation, name="公章", actor=manager)
    response = _staff_client(seal_admin).post(f"/workbench/seals/{seal.public_id}/issue/")
    assert response.status_code == 409
    assert "不能" in response.content.decode()


def test_authorised_clerk_stamps_through_the_page(issued_seal, clerk):
    response = _staff_client(clerk).post(
        f"/workbench/seals/{issued_seal.public_id}/stamp/",
        {
            "file": SimpleUploadedFile("d.pdf", _document(), content_type="application/pdf"),
            "reason": "准予许可",
        },
    )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_citizen_cannot_open_seal_pages(issued_seal):
    client = Client()
    client.force_login(make_citizen("citizen"))
    assert client.get("/workbench/seals/").status_code == 403


def test_anonymous_is_sent_to_login():
    response = Client().get("/workbench/seals/")
    assert response.status_code == 302


def test_public_verification_page(issued_seal, clerk):
    signed = services.stamp_pdf(issued_seal, _document(), user=clerk, reason="准予许可")
    client = Client()
    assert client.get("/seals/verify/").status_code == 200
    ok = client.post(
        "/seals/verify/", {"file": SimpleUploadedFile("s.pdf", signed, content_type="application/pdf")}
    )
    assert ok.status_code == 200
    assert "验证通过" in ok.content.decode()
    bad = client.post(
        "/seals/verify/", {"file": SimpleUploadedFile("s.pdf", b"nope", content_type="application/pdf")}
    )
    assert "验证未通过" in bad.content.decode()
    missing = client.post("/seals/verify/", {})
    assert missing.status_code == 400
