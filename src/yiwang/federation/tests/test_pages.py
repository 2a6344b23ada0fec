"""The pages and the API: who may see them, what they show (province overview per child, lists with
filters and keyset pages of 50, a case's detail; the city's sent and back-flowed data) and a bounded
number of queries per list whatever its length."""

from __future__ import annotations

import json
from typing import Any

import pytest

from yiwang.accounts.services import issue_api_token
from yiwang.exchange.handlers import ReceivedPackage
from yiwang.federation.models import BackflowRecord, FederatedCase
from yiwang.federation.services import apply_cases, apply_catalogue, apply_ratings
from yiwang.federation.tests.factories import NOW, nodes
from yiwang.testing.catalog import OrganisationFactory
from yiwang.testing.exchange import identity
from yiwang.testing.mfa import staff_login
from yiwang.testing.people import make_staff

pytestmark = pytest.mark.django_db


def _apply(handler: Any, kind: str, name: str, rows: list[dict[str, Any]], package_id: str = "p") -> None:
    handler(
        ReceivedPackage(
            package_id,
            "340100-city",
            kind,
            1,
            NOW.isoformat(),
            {name: json.dumps(rows, ensure_ascii=False).encode()},
        )
    )


def _cases(n: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "办件编号": f"C{k:05d}",
            "实施编码": "ITEM1",
            "事项名称": "食品经营许可",
            "实施主体名称": "合肥市市场监管局",
            "申请人": "张*",
            "办件状态": "accepted",
            "最近环节时间": f"2026-12-0{1 + k % 5}T09:{k % 60:02d}:00+08:00",
            "source_version": f"20261207T000000.000000|{k:020d}",
        }
        for k in range(start, start + n)
    ]


@pytest.fixture
def data(settings: Any) -> dict[str, Any]:
    settings.YIWANG_FEDERATION_ROLE = "province"
    _, child = nodes(identity("340000-province"), identity("340100-city"))
    _apply(apply_cases, "federation.cases", "cases.json", _cases(60))
    _apply(
        apply_ratings,
        "federation.ratings",
        "ratings.json",
        [
            {
                "rating_id": f"r{k}",
                "item_code": "ITEM1",
                "item_name": "食品经营许可",
                "channel": "pc",
                "level": 1 + k % 5,
                "reasons": [],
                "rated_at": "2026-12-01T09:00:00+08:00",
                "source_version": f"v{k:05d}",
            }
            for k in range(7)
        ],
    )
    _apply(
        apply_catalogue,
        "federation.catalogue",
        "catalogue.json",
        [
            {
                "implementation_code": "ITEM1",
                "base_code": "NOPE",
                "name": "食品经营许可",
                "item_type": "01",
                "legal_basis": "法",
                "statutory_limit_days": 20,
                "committed_limit_days": 10,
                "status": "published",
                "source_version": "v1",
            }
        ],
    )
    org = OrganisationFactory()
    return {
        "child": child,
        "admin": make_staff(org, "fed_admin", ("admin",)),
        "official": make_staff(org, "fed_data", ("data_official",)),
        "supervisor": make_staff(org, "fed_sup", ("supervisor",)),
        "clerk": make_staff(org, "fed_clerk", ("window_clerk",)),
    }


def _page(client: Any, user: Any, url: str) -> Any:
    staff_login(client, user)
    return client.get(url)


def test_the_province_overview_shows_each_child_with_counts_and_open_findings(client, data):
    response = _page(client, data["official"], "/workbench/federation/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "合肥市政务服务平台" in page and 'id="federation-sync"' in page
    assert ">60</a>" in page and ">7</a>" in page and ">1</a>" in page  # cases, ratings, open findings


def test_the_supervisor_reads_but_may_not_sync_and_a_clerk_sees_nothing(client, data):
    page = _page(client, data["supervisor"], "/workbench/federation/").content.decode()
    assert 'id="federation-sync"' not in page
    assert client.post("/workbench/federation/sync/").status_code == 403
    assert _page(client, data["clerk"], "/workbench/federation/cases/").status_code == 403


def test_lists_are_keyset_paged_by_50_with_filters_in_bounded_queries(
    client, data, django_assert_max_num_queries
):
    staff_login(client, data["admin"])
    with django_assert_max_num_queries(12):
        first = client.get("/workbench/federation/cases/")
    assert len(first.context["rows"]) == 50 and first.context["rows"][0].number == "C00059"
    assert first.context["next_query"]
    with django_assert_max_num_queries(12):
        second = client.get("/workbench/federation/cases/" + first.context["next_query"])
    assert len(second.context["rows"]) == 10
    only = client.get("/workbench/federation/cases/?q=C00007").context["rows"]
    assert [c.number for c in only] == ["C00007"]
    low = client.get("/workbench/federation/ratings/?level=1").context["rows"]
    assert [r.level for r in low] == [1, 1]
    findings = client.get("/workbench/federation/findings/").context["rows"]
    assert [f.field for f in findings] == ["base_item"]
    detail = client.get(f"/workbench/federation/cases/{only[0].public_id}/")
    assert detail.status_code == 200 and "C00007" in detail.content.decode()


def test_the_api_mirrors_the_lists_with_cursors_and_refuses_a_bad_one(
    client, data, django_assert_max_num_queries
):
    headers = {"Authorization": f"Bearer {issue_api_token(data['supervisor'])}"}
    with django_assert_max_num_queries(8):
        first = client.get("/api/v1/federation/cases?limit=50", headers=headers)
    body = first.json()
    assert first.status_code == 200 and len(body["items"]) == 50 and body["next_cursor"]
    rest = client.get(f"/api/v1/federation/cases?cursor={body['next_cursor']}", headers=headers).json()
    assert len(rest["items"]) == 10 and not {i["number"] for i in rest["items"]} & {
        i["number"] for i in body["items"]
    }
    detail = client.get(f"/api/v1/federation/cases/{body['items'][0]['id']}", headers=headers)
    assert detail.status_code == 200 and detail.json()["applicant_masked"] == "张*"
    bad = client.get("/api/v1/federation/cases?cursor=xx", headers=headers)
    assert bad.status_code in (400, 422) and bad.json()["code"]
    overview = client.get("/api/v1/federation/overview", headers=headers).json()
    assert overview["children"][0]["counts"]["cases"] == 60 and overview["children"][0]["open_findings"] == 1
    sync = client.post("/api/v1/federation/sync", headers=headers)
    assert sync.status_code == 403 and sync.json()["code"] == "federation_forbidden"


def test_the_city_page_shows_what_flowed_back(client, data, settings):
    settings.YIWANG_FEDERATION_ROLE = "city"
    BackflowRecord.objects.create(
        node=data["child"],
        record_type="finding",
        key="finding:ITEM1",
        item_code="ITEM1",
        title="食品经营许可",
        open_findings=1,
        data={"findings": [{"field": "name", "expected": "甲", "actual": "乙"}]},
        source_version="v1",
        package_id="p",
        received_at=NOW,
    )
    page = _page(client, data["official"], "/workbench/federation/").content.decode()
    assert 'id="backflow-open-findings"' in page
    listing = client.get("/workbench/federation/backflow/?type=finding").content.decode()
    assert "食品经营许可" in listing and "乙" in listing


def test_a_case_page_shows_the_steps_and_datasets_in_the_ui_language(client, data):
    case = FederatedCase.objects.get(number="C00001")
    case.events = [
        {"环节序号": 1, "办理时间": "2026-12-01 09:00", "环节名称": "受理", "办理部门": "合肥市市场监管局"},
        {
            "环节序号": 2,
            "办理时间": "2026-12-02 10:00",
            "环节名称": "审查",
            "办理部门": "合肥市市场监管局",
            "办理意见": "同意",
        },
    ]
    case.datasets = {"application": {"办件编号": "C00001", "申请材料": [{"名称": "营业执照"}]}}
    case.save(update_fields=["events", "datasets"])
    page = _page(client, data["official"], f"/workbench/federation/cases/{case.public_id}/").content.decode()
    assert "2026-12-01 09:00 · 受理 · 合肥市市场监管局</li>" in page
    assert "审查 · 合肥市市场监管局 · 同意</li>" in page
    assert "<dt>办件编号</dt><dd>C00001</dd>" in page and "营业执照" not in page
