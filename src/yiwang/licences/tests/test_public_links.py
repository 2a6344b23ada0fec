"""Verification link, share (亮证) link and the QR code in a licence PDF use the public address,
which follows PORT (issue 16 point 3)."""

from __future__ import annotations

import pytest
import segno
from django.test import Client

from yiwang.core import pdf
from yiwang.licences import services
from yiwang.licences.tests import factories

PUBLIC = "http://127.0.0.1:18800"


@pytest.fixture
def public_port(settings):
    settings.YIWANG_PUBLIC_URL = PUBLIC


@pytest.mark.usefixtures("public_port")
def test_licence_pdf_qr_verification_and_share_links_use_the_public_port(
    licence_type, issuer, citizen, monkeypatch
):
    payloads: list[str] = []
    real_make = segno.make

    def recording_make(content, *args, **kwargs):
        payloads.append(content)
        return real_make(content, *args, **kwargs)

    monkeypatch.setattr(pdf.segno, "make", recording_make)  # the QR drawn by core.pdf.draw_qr
    licence = factories.issue(licence_type, issuer, citizen)
    assert payloads == [f"{PUBLIC}/verify/{licence.identifier}/"]
    assert services.verify_url(licence.identifier) == f"{PUBLIC}/verify/{licence.identifier}/"

    _share, token = services.create_share(licence, user=citizen, expiry="1d")
    assert services.share_url(token) == f"{PUBLIC}/licences/shared/{token}/"


@pytest.mark.usefixtures("public_port")
def test_share_page_shows_the_link_on_the_public_port(licence, citizen):
    client = Client()
    client.force_login(citizen)
    page = client.post(f"/licences/{licence.public_id}/shares/", {"expiry": "1h"})
    assert page.status_code == 201
    assert f"{PUBLIC}/licences/shared/".encode() in page.content
    assert b"127.0.0.1:8000" not in page.content
