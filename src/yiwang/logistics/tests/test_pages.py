"""Staff pages: the orders of my departments (filters, paging, query count), the order with its
timeline, the waybill PDF; who gets a 403/404; the applicant's case page shows the timeline."""

from __future__ import annotations

import pytest
from django.test import Client

from yiwang.logistics.tests.conftest import NOW
from yiwang.testing.fixtures import logged_in
from yiwang.testing.logistics import event, make_order, post_callback

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def order(fake_carrier, department, clerk, citizen):
    return make_order(department, owner=citizen, actor=clerk, reference=("cases.Case", "x", "CASE-1"))


def test_the_list_is_paged_filtered_and_bounded_in_queries(
    order, fake_carrier, department, clerk, django_assert_max_num_queries
):
    for _ in range(4):
        make_order(department, actor=clerk)
    client = logged_in(clerk)
    with django_assert_max_num_queries(20):
        page = client.get("/workbench/logistics/")
    assert page.status_code == 200 and order.waybill_number in page.content.decode()
    filtered = client.get(
        f"/workbench/logistics/?waybill={order.waybill_number}&status=submitted&kind=delivery&page=x"
    )
    assert filtered.status_code == 200 and filtered.context["page_obj"].paginator.count == 1
    assert client.get("/workbench/logistics/?status=bogus&page=99999999999").status_code == 200


def test_detail_shows_the_timeline_masked_and_the_waybill_prints(order, clerk):
    post_callback(Client(), [event(order.waybill_number, "picked_up", NOW)])
    client = logged_in(clerk)
    page = client.get(f"/workbench/logistics/orders/{order.public_id}/")
    html = page.content.decode()
    assert (
        page.status_code == 200 and "已揽收" in html and "139****5678" in html and "13912345678" not in html
    )
    pdf = client.get(f"/workbench/logistics/orders/{order.public_id}/waybill.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_others_are_refused(order, approver, foreign_clerk, citizen):
    assert logged_in(foreign_clerk).get(f"/workbench/logistics/orders/{order.public_id}/").status_code == 404
    assert (
        logged_in(foreign_clerk).get(f"/workbench/logistics/orders/{order.public_id}/waybill.pdf").status_code
        == 404
    )
    assert (
        logged_in(approver).get(f"/workbench/logistics/orders/{order.public_id}/waybill.pdf").status_code
        == 403
    )
    assert (
        logged_in(approver).post(f"/workbench/logistics/orders/{order.public_id}/cancel/").status_code == 302
    )
    order.refresh_from_db()
    assert order.status == "submitted"  # the handler's cancel was refused (flashed)
    assert logged_in(citizen).get("/workbench/logistics/").status_code == 403
    assert Client().get("/workbench/logistics/").status_code == 302
    assert logged_in(foreign_clerk).get("/workbench/logistics/").context["page_obj"].paginator.count == 0


def test_a_clerk_cancels_from_the_page(order, clerk):
    response = logged_in(clerk).post(
        f"/workbench/logistics/orders/{order.public_id}/cancel/", {"reason": "改窗口"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "cancelled"
