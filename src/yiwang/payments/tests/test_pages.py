"""Pages: the applicant's pay page (breakdown, code, QR, pay button, htmx status, renew) and the
case page's 缴费 link; the finance list (scope, filters, paging, queries), detail and actions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from yiwang.payments import services
from yiwang.payments.models import OrderStatus, PaymentOrder
from yiwang.payments.templatetags.payments_tags import yuan
from yiwang.testing.fixtures import logged_in
from yiwang.testing.payments import make_order

pytestmark = pytest.mark.django_db


def _case_order(world, payer=None) -> PaymentOrder:
    order = make_order(world, payer=payer)
    PaymentOrder.objects.filter(pk=order.pk).update(subject_type="cases.Case")
    order.refresh_from_db()
    return order


def test_yuan_filter():
    assert (yuan(5000), yuan(1), yuan(123456789), yuan(-250), yuan("x")) == (
        "50.00",
        "0.01",
        "1,234,567.89",
        "-2.50",
        "",
    )


def test_pay_page_and_online_payment(world, stub):
    order = _case_order(world)
    client = logged_in(world.citizen)
    page = client.get(f"/cases/{order.subject_id}/pay/")
    assert page.status_code == 200
    html = page.content.decode()
    assert order.code in html and "50.00" in html and 'id="pay-online"' in html and "hx-get" in html
    started = client.post(f"/cases/{order.subject_id}/pay/start/", {"channel": "pc"})
    assert started.status_code == 302 and started["Location"].startswith(stub.base_url + "/pay/")
    status = client.get(f"/cases/{order.subject_id}/pay/status/")
    assert status.status_code == 200 and 'data-status="paying"' in status.content.decode()
    qr_page = client.get(f"/cases/{order.subject_id}/pay/").content.decode()
    assert "<svg" in qr_page
    assert logged_in(world.other_citizen).get(f"/cases/{order.subject_id}/pay/").status_code == 404
    assert client.get("/cases/00000000-0000-0000-0000-000000000000/pay/").status_code == 404
    staff = logged_in(world.finance).get(f"/cases/{order.subject_id}/pay/")
    assert staff.status_code == 302  # staff go to their workbench


def test_closed_order_can_be_renewed_from_the_page(world, frozen):
    order = _case_order(world)
    frozen.move_to(order.expires_at + timedelta(minutes=1))
    services.close_expired_orders()
    client = logged_in(world.citizen)
    assert 'id="renew-order"' in client.get(f"/cases/{order.subject_id}/pay/").content.decode()
    assert client.post(f"/cases/{order.subject_id}/pay/renew/").status_code == 302
    assert PaymentOrder.objects.filter(subject_id=order.subject_id, status=OrderStatus.CREATED).count() == 1


def test_finance_list_scope_filters_and_queries(world, django_assert_max_num_queries):
    for _ in range(4):
        make_order(world)
    paid = services.record_offline_payment(make_order(world), actor=world.clerk, receipt_no="PJ1")
    client = logged_in(world.finance)
    with django_assert_max_num_queries(25):
        page = client.get("/workbench/finance/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('href="/workbench/finance/orders/') == 5 and "张伟" not in html
    filtered = client.get("/workbench/finance/", {"status": "paid"}).content.decode()
    assert filtered.count('href="/workbench/finance/orders/') == 1 and paid.code in filtered
    by_code = client.get("/workbench/finance/", {"q": paid.code[:18], "page": "999"}).content.decode()
    assert paid.code in by_code
    assert client.get("/workbench/finance/", {"status": "nonsense"}).status_code == 200
    assert (
        logged_in(world.other_finance)
        .get("/workbench/finance/")
        .content.decode()
        .count("/workbench/finance/orders/")
        == 0
    )
    assert logged_in(world.citizen).get("/workbench/finance/").status_code == 403


def test_finance_paging_is_50_rows(world):
    for _ in range(51):
        make_order(world)
    client = logged_in(world.finance)
    assert client.get("/workbench/finance/").content.decode().count('href="/workbench/finance/orders/') == 50
    assert (
        client.get("/workbench/finance/", {"page": "2"})
        .content.decode()
        .count('href="/workbench/finance/orders/')
        == 1
    )


def test_finance_detail_refund_and_window_payment(world):
    order = make_order(world)
    clerk = logged_in(world.clerk)
    detail = clerk.get(f"/workbench/finance/orders/{order.public_id}/")
    assert detail.status_code == 200 and 'id="offline-button"' in detail.content.decode()
    refused = clerk.post(f"/workbench/finance/orders/{order.public_id}/offline/", {"receipt_no": ""})
    assert refused.status_code == 400
    assert (
        clerk.post(f"/workbench/finance/orders/{order.public_id}/offline/", {"receipt_no": "PJ7"}).status_code
        == 302
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    finance = logged_in(world.finance)
    page = finance.get(f"/workbench/finance/orders/{order.public_id}/").content.decode()
    assert 'id="refund-button"' in page and "PJ7" in page
    bad = finance.post(
        f"/workbench/finance/orders/{order.public_id}/refund/", {"amount": "0.001", "reason": "x"}
    )
    assert bad.status_code == 400
    too_much = finance.post(
        f"/workbench/finance/orders/{order.public_id}/refund/", {"amount": "50.01", "reason": "x"}
    )
    assert too_much.status_code == 409
    done = finance.post(
        f"/workbench/finance/orders/{order.public_id}/refund/", {"amount": "20.50", "reason": "多收"}
    )
    assert done.status_code == 302
    order.refresh_from_db()
    assert order.refunded_fen == 2050
    clerk_refund = clerk.post(
        f"/workbench/finance/orders/{order.public_id}/refund/", {"amount": "1", "reason": "x"}
    )
    assert clerk_refund.status_code == 403
    assert (
        logged_in(world.other_finance).get(f"/workbench/finance/orders/{order.public_id}/").status_code == 404
    )


def test_case_page_shows_the_payment_link(world, frozen, django_capture_on_commit_callbacks):
    from yiwang.cases.services import accept_case, decide_case
    from yiwang.cases.services.filing import submit_application
    from yiwang.testing.portal import pdf_upload

    files = {str(m.public_id): [pdf_upload()] for m in world.item.materials.all() if m.mandatory}
    case = submit_application(
        applicant=world.citizen,
        item=world.item,
        form_data={"company_name": "合肥徽创科技有限公司"},
        files=files,
    )
    client = logged_in(world.citizen)
    assert 'id="payment-due"' not in client.get(f"/my/cases/{case.public_id}/").content.decode()
    decide_case(accept_case(case, actor=world.clerk), actor=world.approver, approve=True, comment="同意")
    page = client.get(f"/my/cases/{case.public_id}/").content.decode()
    assert 'id="payment-due"' in page and f"/cases/{case.public_id}/pay/" in page


def test_only_finance_officers_are_offered_reconciliation(world):
    assert 'id="reconciliation-link"' in logged_in(world.finance).get("/workbench/finance/").content.decode()
    clerk_page = logged_in(world.clerk).get("/workbench/finance/")
    assert clerk_page.status_code == 200 and 'id="reconciliation-link"' not in clerk_page.content.decode()
    assert logged_in(world.clerk).get("/workbench/finance/reconciliation/").status_code == 403
