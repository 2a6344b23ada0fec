"""Issuing on payment: one receipt per paid order (the task enqueued on commit, idempotent), its
number, lines and amounts, the sealed PDF (pyHanko and pdfsig), its QR code to the verification
page, and a department without a seal."""

from __future__ import annotations

import shutil
import subprocess
from urllib.parse import urlsplit

import pytest
import segno
from django.db import connection

from yiwang.core import pdf
from yiwang.core.audit import AuditEvent
from yiwang.core.errors import Conflict
from yiwang.receipts import numbers, reads, services
from yiwang.receipts.models import Receipt, ReceiptKind, ReceiptSequence
from yiwang.receipts.tasks import issue_receipt_task
from yiwang.receipts.tests.factories import make_finance_seal, make_order, normal_receipt, pay_at_window
from yiwang.seals import services as seal_services

pytestmark = pytest.mark.django_db


def test_paid_order_gets_one_receipt(world, seal, django_capture_on_commit_callbacks):
    order = pay_at_window(world, django_capture_on_commit_callbacks)
    receipt = normal_receipt(order)
    assert receipt.kind == ReceiptKind.NORMAL
    assert receipt.payer == world.citizen and receipt.payer_name == "张伟"
    assert receipt.payee == world.department and receipt.payee_name == world.department.name
    assert receipt.total_fen == order.paid_fen == 5000
    assert receipt.amount_in_words == "伍拾元整"
    assert [(line["name"], line["amount_fen"]) for line in receipt.lines] == [("登记费", 5000)]
    assert receipt.lines[0]["legal_basis"] == "发改价格〔2019〕1号"
    assert receipt.order_code == order.code and receipt.seal == seal
    # the task again, the service again: still the one receipt
    issue_receipt_task.enqueue(order.pk)
    assert services.issue_receipt(order) == receipt
    assert Receipt.objects.filter(order=order).count() == 1
    assert AuditEvent.objects.filter(action="receipts.issued", object_id=str(receipt.public_id)).count() == 1


def test_receipt_number_format(world, seal, django_capture_on_commit_callbacks):
    first = normal_receipt(pay_at_window(world, django_capture_on_commit_callbacks))
    second = normal_receipt(pay_at_window(world, django_capture_on_commit_callbacks))
    region = world.department.region.full_code
    assert first.bill_code == f"{region[:2]}010126"  # province, 非税收入类, 统一票据, 2026
    assert (first.serial, second.serial) == (1, 2)
    assert ReceiptSequence.objects.get(bill_code=first.bill_code).last == 2
    assert first.public_code == f"{first.bill_code}{1:010d}{first.check_code}"
    assert first.number == f"{first.bill_code}-0000000001-{first.check_code}"
    assert len(first.check_code) == 6 and set(first.check_code) <= set(numbers.ALPHABET)
    assert first.check_code == numbers.check_code(
        first.bill_code, 1, 5000, first.issued_at.astimezone(numbers_tz()).date()
    )
    parsed = numbers.parse_public_code(first.public_code.lower())
    assert parsed is not None and str(parsed) == first.public_code
    for bad in ("", "123", first.public_code[:-1], first.public_code + "0", first.public_code[:-1] + "I"):
        assert numbers.parse_public_code(bad) is None


def numbers_tz():
    from django.utils import timezone

    return timezone.get_current_timezone()


def test_unpaid_order_has_no_receipt(world, seal):
    order = make_order(world)
    with pytest.raises(Conflict) as refused:
        services.issue_receipt(order)
    assert refused.value.code == "receipts_order_not_paid"
    assert not Receipt.objects.exists()


def test_sealed_pdf_verifies_with_pyhanko(world, seal, django_capture_on_commit_callbacks):
    receipt = normal_receipt(pay_at_window(world, django_capture_on_commit_callbacks))
    data = reads.document_bytes(receipt)
    assert data.startswith(b"%PDF")
    report = seal_services.verify_pdf(data)
    assert report.ok, report
    signature = report.signatures[0]
    assert signature.intact and signature.valid and signature.trusted and signature.covers_whole_document
    assert signature.organisation == world.department.name
    assert signature.seal_id == str(seal.public_id)
    assert reads.document_valid(receipt)
    tampered = bytearray(data)
    index = tampered.find(b"/Title")
    tampered[index + 8] = (tampered[index + 8] + 1) % 256
    assert not seal_services.verify_pdf(bytes(tampered)).ok


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="pdfsig (poppler-utils) not installed")
def test_pdfsig_reports_the_seal_valid(world, seal, django_capture_on_commit_callbacks, tmp_path):
    receipt = normal_receipt(pay_at_window(world, django_capture_on_commit_callbacks))
    path = tmp_path / "receipt.pdf"
    path.write_bytes(reads.document_bytes(receipt))
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    assert "Signature is Valid" in result.stdout, result.stdout + result.stderr


def test_qr_code_points_to_the_verification_page(
    world, seal, django_capture_on_commit_callbacks, monkeypatch, client
):
    encoded: list[str] = []
    make = segno.make

    def spy(content, *args, **kwargs):
        encoded.append(content)
        return make(content, *args, **kwargs)

    monkeypatch.setattr(pdf.segno, "make", spy)  # the QR drawn by core.pdf.draw_qr
    receipt = normal_receipt(pay_at_window(world, django_capture_on_commit_callbacks))
    url = services.verify_url(receipt.public_code)
    assert encoded == [url]
    assert url.endswith(f"/verify/receipts/{receipt.public_code}/")
    page = client.get(urlsplit(url).path)
    assert page.status_code == 200 and receipt.number in page.content.decode()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_pdf_text_shows_number_amount_and_verification_address(
    world, seal, django_capture_on_commit_callbacks, tmp_path
):
    receipt = normal_receipt(pay_at_window(world, django_capture_on_commit_callbacks))
    path = tmp_path / "receipt.pdf"
    path.write_bytes(reads.document_bytes(receipt))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, timeout=60).stdout
    compact = "".join(text.split())
    for expected in (receipt.bill_code, f"{receipt.serial:010d}", receipt.check_code, "伍拾元整", "张伟"):
        assert expected in compact, (expected, text)
    assert services.verify_url(receipt.public_code) in compact


def test_department_without_seal_pays_and_the_receipt_follows(
    world, django_capture_on_commit_callbacks, caplog
):
    order = pay_at_window(world, django_capture_on_commit_callbacks)
    assert order.status == "paid" and not Receipt.objects.exists()  # the payment is not held up
    with pytest.raises(Conflict) as refused:
        services.issue_receipt(order)
    assert refused.value.code == "receipts_no_seal"
    make_finance_seal(world)
    assert services.issue_missing() == {"issued": 1, "red_letter": 0, "failed": 0}
    assert normal_receipt(order).document_sha256
    assert services.issue_missing() == {"issued": 0, "red_letter": 0, "failed": 0}


def test_payer_name_is_encrypted_at_rest(world, seal, django_capture_on_commit_callbacks):
    receipt = normal_receipt(pay_at_window(world, django_capture_on_commit_callbacks))
    with connection.cursor() as cursor:
        cursor.execute("SELECT payer_name FROM receipts_receipt WHERE id = %s", [receipt.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("yw1$") and receipt.payer_name not in stored
    assert Receipt.objects.get(pk=receipt.pk).payer_name == receipt.payer_name
