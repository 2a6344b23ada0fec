"""The finance reconciliation pages and API: runs list, report (counts, filters, paging, query
count), htmx correction actions, CSV / XLSX export, and who gets 403/404 on every endpoint."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from yiwang.payments import services
from yiwang.payments.models import CorrectionStatus, ReconciliationCorrection, ReconciliationRun
from yiwang.payments.tests.recon_helpers import StatementGateway, paid_order, statement
from yiwang.testing import portal
from yiwang.testing.fixtures import logged_in
from yiwang.testing.payments import make_order, raw_json

pytestmark = pytest.mark.django_db
DAY = date(2026, 9, 20)
API = "/api/v1/payments/reconciliation"


@pytest.fixture
def run(world, paygate_keys, monkeypatch) -> ReconciliationRun:
    """A run with items of two departments (the other department's order is missing theirs)."""
    ours = [paid_order(world, DAY) for _ in range(3)]
    paid_order(world, DAY, organisation=world.other_department)
    unpaid = make_order(world)
    lines = [(o.code, "pay", 5000) for o in ours] + [(unpaid.code, "pay", 5000), ("=HYPERLINK(1)", "pay", 9)]
    gateway = StatementGateway(paygate_keys, statement(DAY, *lines))
    monkeypatch.setattr("yiwang.payments.services.reconciliation.fiscal_gateway", lambda: gateway)
    monkeypatch.setattr("yiwang.payments.services.corrections.fiscal_gateway", lambda: gateway)
    return services.reconcile(DAY, gateway=gateway)


def test_pages_scope_filters_and_queries(world, run, django_assert_max_num_queries):
    client = logged_in(world.finance)
    listing = client.get("/workbench/finance/reconciliation/")
    assert listing.status_code == 200 and run.day.isoformat() in listing.content.decode()
    with django_assert_max_num_queries(25):
        page = client.get(f"/workbench/finance/reconciliation/{run.public_id}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-outcome="matched" data-resolution') == 3
    assert (
        'data-outcome="missing_ours"' in html and "HYPERLINK" not in html
    )  # unknown order: region finance only
    assert 'data-outcome="missing_theirs" data-resolution' not in html  # the other department's
    filtered = client.get(f"/workbench/finance/reconciliation/{run.public_id}/?outcome=matched&page=999")
    assert filtered.status_code == 200 and 'data-outcome="missing_ours" data' not in filtered.content.decode()
    assert client.get("/workbench/finance/reconciliation/?page=-1").status_code == 200
    other = logged_in(world.other_finance).get(f"/workbench/finance/reconciliation/{run.public_id}/")
    assert other.status_code == 200 and 'data-outcome="missing_theirs" data' in other.content.decode()
    assert 'data-outcome="matched" data' not in other.content.decode()
    for user in (world.clerk, world.approver):
        assert logged_in(user).get("/workbench/finance/reconciliation/").status_code == 403
        assert logged_in(user).get(f"/workbench/finance/reconciliation/{run.public_id}/").status_code == 403
    assert logged_in(world.citizen).get("/workbench/finance/reconciliation/").status_code == 403
    assert (
        client.get("/workbench/finance/reconciliation/00000000-0000-0000-0000-000000000000/").status_code
        == 404
    )


def test_run_from_the_page(world, run):
    client = logged_in(world.finance)
    answer = client.post("/workbench/finance/reconciliation/run/", {"day": DAY.isoformat()})
    assert answer.status_code == 302 and str(run.public_id) in answer["Location"]
    assert ReconciliationRun.objects.get().runs == 2
    assert client.post("/workbench/finance/reconciliation/run/", {"day": "2099-01-01"}).status_code == 400
    assert client.post("/workbench/finance/reconciliation/run/", {"day": "x"}).status_code == 400
    assert (
        logged_in(world.clerk)
        .post("/workbench/finance/reconciliation/run/", {"day": "2026-09-20"})
        .status_code
        == 403
    )


def test_htmx_propose_and_decide(world, run):
    checker = portal.make_staff(world.department, "pay_finance_b", ["finance"], "钱芳")
    item = run.items.get(outcome="missing_ours", order__isnull=False)
    maker = logged_in(world.finance)
    url = f"/workbench/finance/reconciliation/items/{item.public_id}/propose/"
    bad = maker.post(url, {"action": "refund", "reason": "x"}, headers={"HX-Request": "true"})
    assert bad.status_code == 409 and f'id="item-{item.public_id}"' in bad.content.decode()
    assert logged_in(world.other_finance).post(url, {"action": "write_off", "reason": "x"}).status_code == 404
    ok = maker.post(url, {"action": "write_off", "reason": "次日到账"}, headers={"HX-Request": "true"})
    assert ok.status_code == 200 and 'data-resolution="proposed"' in ok.content.decode()
    correction = ReconciliationCorrection.objects.get()
    decide = f"/workbench/finance/reconciliation/corrections/{correction.public_id}/decide/"
    assert maker.post(decide, {"decision": "approve"}).status_code == 403  # own proposal
    assert logged_in(world.other_finance).post(decide, {"decision": "approve"}).status_code == 404
    assert logged_in(checker).post(decide, {"decision": "maybe"}).status_code == 400
    done = logged_in(checker).post(decide, {"decision": "approve", "comment": "同意"})
    assert done.status_code == 200 and 'data-resolution="resolved"' in done.content.decode()
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.APPROVED


def test_exports(world, run):
    client = logged_in(world.finance)
    csv_answer = client.get(f"/workbench/finance/reconciliation/{run.public_id}/export.csv")
    assert csv_answer.status_code == 200 and csv_answer["Content-Type"].startswith("text/csv")
    text = csv_answer.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("对账日期,缴款码") and len(text.splitlines()) == 5
    xlsx = client.get(f"/workbench/finance/reconciliation/{run.public_id}/export.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 5 and sheet.cell(1, 2).value == "缴款码"
    assert client.get(f"/workbench/finance/reconciliation/{run.public_id}/export.pdf").status_code == 404
    assert (
        logged_in(world.clerk)
        .get(f"/workbench/finance/reconciliation/{run.public_id}/export.csv")
        .status_code
        == 403
    )


def test_region_finance_sees_unknown_orders_and_exports_are_safe(world, run):
    regional = portal.make_staff(world.department, "pay_finance_region", ["finance"], "吴敏")
    profile_roles = regional.staff_profile.roles.all()
    profile_roles.update(scope="region")
    page = logged_in(regional).get(f"/workbench/finance/reconciliation/{run.public_id}/?outcome=missing_ours")
    assert "HYPERLINK" in page.content.decode()
    text = (
        logged_in(regional)
        .get(f"/workbench/finance/reconciliation/{run.public_id}/export.csv")
        .content.decode()
    )
    assert "'=HYPERLINK(1)" in text


def test_api(world, run, django_assert_max_num_queries):
    checker = portal.make_staff(world.department, "pay_finance_b", ["finance"], "钱芳")
    client = logged_in(world.finance)
    runs = raw_json(client.get(f"{API}/runs"))
    assert runs["count"] == 1 and runs["results"][0]["counts"]["matched"] == 3
    assert client.get(f"{API}/runs?limit=500").status_code == 422
    assert client.get(f"{API}/runs/{run.public_id}").status_code == 200
    with django_assert_max_num_queries(20):
        items = raw_json(client.get(f"{API}/runs/{run.public_id}/items?outcome=missing_ours"))
    assert items["count"] == 1
    item = items["results"][0]
    assert item["allowed_actions"] == ["mark_paid", "write_off"]
    assert client.get(f"{API}/runs/{run.public_id}/items?outcome=bogus").status_code == 422
    created = client.post(
        f"{API}/items/{item['id']}/corrections",
        {"action": "write_off", "reason": "核销"},
        content_type="application/json",
    )
    assert created.status_code == 201
    correction = raw_json(created)["id"]
    own = client.post(f"{API}/corrections/{correction}/approve", {}, content_type="application/json")
    assert own.status_code == 403 and raw_json(own)["code"] == "reconciliation_self_approval"
    other = logged_in(world.other_finance)
    assert other.get(f"{API}/items/{item['id']}").status_code == 404
    assert (
        other.post(f"{API}/corrections/{correction}/reject", {}, content_type="application/json").status_code
        == 404
    )
    ok = logged_in(checker).post(
        f"{API}/corrections/{correction}/approve", {"comment": "好"}, content_type="application/json"
    )
    assert ok.status_code == 200 and raw_json(ok)["status"] == "approved"
    again = logged_in(checker).post(
        f"{API}/corrections/{correction}/reject", {}, content_type="application/json"
    )
    assert again.status_code == 409 and raw_json(again)["code"] == "reconciliation_correction_decided"
    rerun = client.post(f"{API}/runs", {"day": DAY.isoformat()}, content_type="application/json")
    assert rerun.status_code == 201 and raw_json(rerun)["signature_verified"]
    future = client.post(f"{API}/runs", {"day": "2030-01-01"}, content_type="application/json")
    assert future.status_code == 400 and raw_json(future)["code"] == "reconciliation_invalid_day"
    for user in (world.clerk, world.citizen):
        assert logged_in(user).get(f"{API}/runs").status_code == 403
        assert (
            logged_in(user)
            .post(f"{API}/runs", {"day": "2026-09-20"}, content_type="application/json")
            .status_code
            == 403
        )
    from django.test import Client

    assert Client().get(f"{API}/runs").status_code == 401
    assert client.get(f"{API}/items/00000000-0000-0000-0000-000000000000").status_code == 404


def test_an_approval_that_failed_at_the_gateway_is_shown_and_retried(world, run):
    """补记已缴: the approval queries the gateway; when it cannot be reached the correction stays
    pending, the row says so and the checker retries once the gateway answers."""
    from yiwang.payments.gateways.base import GatewayError, PaymentStatus
    from yiwang.payments.services import corrections

    gateway = corrections.fiscal_gateway()
    checker = portal.make_staff(world.department, "pay_finance_c", ["finance"], "钱芳")
    item = run.items.get(outcome="missing_ours", order__isnull=False)
    maker = logged_in(world.finance)
    proposed = maker.post(
        f"/workbench/finance/reconciliation/items/{item.public_id}/propose/",
        {"action": "mark_paid", "reason": "支付平台已扣款"},
        headers={"HX-Request": "true"},
    )
    assert proposed.status_code == 200
    correction = ReconciliationCorrection.objects.get()
    decide = f"/workbench/finance/reconciliation/corrections/{correction.public_id}/decide/"

    def unreachable(order_no: str) -> PaymentStatus:
        raise GatewayError("timeout")

    gateway.query = unreachable  # type: ignore[method-assign]
    failed = logged_in(checker).post(decide, {"decision": "approve"}, headers={"HX-Request": "true"})
    assert failed.status_code == 503
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING and correction.result == {
        "error": "payment_gateway_unavailable"
    }
    page = logged_in(checker).get(f"/workbench/finance/reconciliation/{run.public_id}/").content.decode()
    assert 'data-retry="payment_gateway_unavailable"' in page and "重试执行" in page
    del gateway.query  # the adapter's own query again: the gateway says paid
    gateway.queried[item.order_no] = PaymentStatus(
        order_no=item.order_no, status="paid", amount_fen=item.order.amount_fen, channel="pc"
    )
    retried = logged_in(checker).post(decide, {"decision": "approve"}, headers={"HX-Request": "true"})
    assert retried.status_code == 200 and 'data-resolution="resolved"' in retried.content.decode()
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.APPROVED and "error" not in correction.result
