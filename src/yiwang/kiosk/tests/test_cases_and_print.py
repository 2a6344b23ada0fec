"""办件查询 and 打印证照与结果 at the kiosk: only a logged-in person; his cases (list and status), his
licences and decision documents as PDFs for the printer; another person's are not found."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from yiwang.core.models import AuditEvent
from yiwang.testing import licences as licence_helpers
from yiwang.testing.portal import PDF_BYTES, apply_for

from .conftest import KioskSetup, id_of


def _log_in(kiosk: KioskSetup, user: Any) -> None:
    name, id_number = id_of(user)
    assert kiosk.post_card(kiosk.card(name=name, id_number=id_number)).json()["known"] is True


def test_my_cases_list_and_detail(world: Any, kiosk: KioskSetup, django_assert_max_num_queries: Any) -> None:
    case = apply_for(world.market_item, world.citizen)
    other = apply_for(world.market_item, world.citizen2)
    _log_in(kiosk, world.citizen)
    with django_assert_max_num_queries(12):
        listed = kiosk.client.get("/kiosk/cases/")
    text = listed.content.decode()
    assert case.number in text and other.number not in text
    assert f"/kiosk/cases/{case.public_id}/" in text
    detail = kiosk.client.get(f"/kiosk/cases/{case.public_id}/")
    assert detail.status_code == 200
    assert case.number in detail.content.decode() and "办理进度" in detail.content.decode()
    assert kiosk.client.get(f"/kiosk/cases/{other.public_id}/").status_code == 404


def test_print_results_and_licences(world: Any, kiosk: KioskSetup) -> None:
    case = apply_for(world.market_item, world.citizen)
    case.result_document.save("decision.pdf", ContentFile(PDF_BYTES), save=True)
    other = apply_for(world.market_item, world.citizen2)
    other.result_document.save("decision.pdf", ContentFile(PDF_BYTES), save=True)
    issuer, _seal, _approver = licence_helpers.make_issuer()
    licence = licence_helpers.issue(licence_helpers.make_type(), issuer, world.citizen)
    foreign = licence_helpers.issue(licence_helpers.make_type(), issuer, world.citizen2, holder_name="李明")
    _log_in(kiosk, world.citizen)

    page = kiosk.client.get("/kiosk/print/").content.decode()
    assert f"/kiosk/print/results/{case.public_id}/" in page
    assert f"/kiosk/print/licences/{licence.public_id}/" in page
    assert str(other.public_id) not in page and str(foreign.public_id) not in page

    result = kiosk.client.get(f"/kiosk/print/results/{case.public_id}/")
    assert result.status_code == 200
    assert result["Content-Disposition"].startswith("inline")
    assert b"".join(result.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="case.result_downloaded").exists()
    pdf = kiosk.client.get(f"/kiosk/print/licences/{licence.public_id}/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    assert kiosk.client.get(f"/kiosk/print/results/{other.public_id}/").status_code == 404
    assert kiosk.client.get(f"/kiosk/print/licences/{foreign.public_id}/").status_code == 404


def test_nobody_logged_in_is_sent_home(world: Any, kiosk: KioskSetup) -> None:
    for path in ("/kiosk/cases/", "/kiosk/print/"):
        response = kiosk.client.get(path)
        assert response.status_code == 302 and response["Location"] == "/kiosk/?login=1"
