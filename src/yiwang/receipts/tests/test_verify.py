"""The public verification page /verify/receipts/<code>/: validity, amount, payee, date, the payer
masked, the reversal state; a malformed or unknown code; the code form."""

from __future__ import annotations

import pytest

from yiwang.receipts.models import Receipt
from yiwang.receipts.tests.factories import normal_receipt, pay_at_window, refund

pytestmark = pytest.mark.django_db


def test_page_shows_the_facts_with_the_payer_masked(world, seal, django_capture_on_commit_callbacks, client):
    receipt = normal_receipt(pay_at_window(world, django_capture_on_commit_callbacks))
    page = client.get(f"/verify/receipts/{receipt.public_code}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-valid="true"' in html and 'data-reversal="none"' in html
    assert receipt.number in html and "50.00" in html and "伍拾元整" in html
    assert world.department.name in html and receipt.issued_at.strftime("%Y-%m-%d") in html
    assert "张*" in html and "张伟" not in html
    # lower case works too (the check code is read in capitals)
    assert client.get(f"/verify/receipts/{receipt.public_code.lower()}/").status_code == 200


def test_reversed_receipt_says_so(world, seal, django_capture_on_commit_callbacks, client):
    order = pay_at_window(world, django_capture_on_commit_callbacks)
    receipt = normal_receipt(order)
    refund(world, django_capture_on_commit_callbacks, order, 2000)
    html = client.get(f"/verify/receipts/{receipt.public_code}/").content.decode()
    assert 'data-reversal="partial"' in html and "部分红冲" in html and "20.00" in html
    refund(world, django_capture_on_commit_callbacks, order, 3000)
    html = client.get(f"/verify/receipts/{receipt.public_code}/").content.decode()
    assert 'data-reversal="full"' in html and "已红冲" in html
    red = Receipt.objects.filter(original=receipt).order_by("issued_at", "pk").first()
    assert red is not None
    html = client.get(f"/verify/receipts/{red.public_code}/").content.decode()
    assert "-20.00" in html and "负贰拾元整" in html and receipt.number in html


def test_tampered_document_is_not_valid(world, seal, django_capture_on_commit_callbacks, client):
    receipt = normal_receipt(pay_at_window(world, django_capture_on_commit_callbacks))
    receipt.document_sha256 = "0" * 64
    receipt.save(update_fields=["document_sha256"])
    html = client.get(f"/verify/receipts/{receipt.public_code}/").content.decode()
    assert 'data-valid="false"' in html


def test_bad_and_unknown_codes(world, seal, django_capture_on_commit_callbacks, client):
    receipt = normal_receipt(pay_at_window(world, django_capture_on_commit_callbacks))
    wrong_check = receipt.public_code[:-6] + ("A" if receipt.public_code[-1] != "A" else "B") * 6
    assert client.get(f"/verify/receipts/{wrong_check}/").status_code == 404
    assert client.get("/verify/receipts/not-a-code/").status_code == 404
    assert client.get("/verify/receipts/" + "9" * 300 + "/").status_code == 404
    assert client.get("/verify/receipts/").status_code == 200
    assert client.get("/verify/receipts/", {"code": "12345"}).status_code == 400
    found = client.get("/verify/receipts/", {"code": receipt.number})
    assert found.status_code == 302 and found["Location"].endswith(f"/verify/receipts/{receipt.public_code}/")
    assert client.post("/verify/receipts/", {"code": receipt.public_code}).status_code in (403, 405)
