"""The receipt links on the applicant's pay page and case page (his own only), and on the finance
officer's order page."""

from __future__ import annotations

import pytest
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from django.urls import reverse

from yiwang.receipts.tests.factories import normal_receipt, pay_at_window, refund
from yiwang.testing.fixtures import logged_in

pytestmark = pytest.mark.django_db


def _render(user, **context):
    request = RequestFactory().get("/")
    request.user = user
    return Template('{% include "receipts/_links.html" %}').render(RequestContext(request, context))


class _Case:
    def __init__(self, public_id):
        self.public_id = public_id


def test_links_for_the_payer_and_finance_only(world, seal, django_capture_on_commit_callbacks):
    order = pay_at_window(world, django_capture_on_commit_callbacks)
    refund(world, django_capture_on_commit_callbacks, order, 5000)
    receipt = normal_receipt(order)
    html = _render(world.citizen, order=order)
    assert 'id="receipt-links"' in html and receipt.number in html
    assert f"/api/v1/receipts/{receipt.public_id}/pdf" in html
    assert 'data-reversal="full"' in html and 'data-kind="red_letter"' in html
    assert f"/verify/receipts/{receipt.public_code}/" in html
    assert receipt.number in _render(world.finance, order=order)
    for other in (world.other_citizen, world.other_finance, world.clerk):
        assert 'id="receipt-links"' not in _render(other, order=order)
    assert 'id="receipt-links"' not in Template('{% include "receipts/_links.html" %}').render(
        Context({"order": order})
    )


def test_case_page_links_by_subject(world, seal, django_capture_on_commit_callbacks):
    order = pay_at_window(world, django_capture_on_commit_callbacks)
    order.subject_type = "cases.Case"
    order.save(update_fields=["subject_type"])
    receipt = normal_receipt(order)
    html = _render(world.citizen, case=_Case(order.subject_id))
    assert receipt.number in html
    assert 'id="receipt-links"' not in _render(world.other_citizen, case=_Case(order.subject_id))


def test_finance_order_page_shows_the_receipt(world, seal, django_capture_on_commit_callbacks):
    order = pay_at_window(world, django_capture_on_commit_callbacks)
    receipt = normal_receipt(order)
    page = logged_in(world.finance).get(reverse("finance:order", args=[order.public_id]))
    assert page.status_code == 200, page.status_code
    assert receipt.number in page.content.decode()
