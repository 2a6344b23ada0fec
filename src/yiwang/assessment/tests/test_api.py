"""The API: schemes and runs for supervisors, the own row for department staff, error shapes."""

from __future__ import annotations

import uuid

import pytest

from yiwang.assessment import services
from yiwang.assessment.tests.factories import published_scheme, seal
from yiwang.testing.fixtures import logged_in

pytestmark = pytest.mark.django_db
BASE = "/api/v1/supervision/assessment"

SCHEME = {
    "name": "部门季度考核",
    "level": "department",
    "period_kind": "quarter",
    "indicators": [
        {"source": "t_ontime", "weight": "60", "method": "linear", "floor": 50, "target": 100},
        {"source": "t_overdue", "weight": "40", "method": "ranking"},
    ],
}


def test_supervisor_builds_publishes_and_runs(world, test_sources):
    client = logged_in(world.supervisor)
    names = [s["name"] for s in client.get(f"{BASE}/sources").json()]
    assert {"t_ontime", "t_overdue", "sharing_response_rate"} <= set(names)
    created = client.post(f"{BASE}/schemes", SCHEME, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["weights_total"] == "100.00"
    assert body["allowed_actions"] == ["edit", "publish", "view"]
    scheme_id = body["id"]
    published = client.post(f"{BASE}/schemes/{scheme_id}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    run = client.post(
        f"{BASE}/runs", {"scheme": scheme_id, "period": "2026-Q3"}, content_type="application/json"
    )
    assert run.status_code == 201, run.content
    results = run.json()["results"]
    # ranking on the overdue rate: a (2) best → 40, b (10) last of the two with values → 0; c missing → 0
    assert [(r["rank"], r["total"]) for r in results] == [(1, "94.00"), (2, "36.00"), (3, "12.00")]
    listed = client.get(f"{BASE}/runs").json()
    assert listed["count"] == 1 and listed["results"][0]["results"] == []


def test_error_shapes(world, test_sources):
    client = logged_in(world.supervisor)
    bad = dict(SCHEME, indicators=[{"source": "t_ontime", "weight": "60", "floor": 50, "target": 100}])
    scheme_id = client.post(f"{BASE}/schemes", bad, content_type="application/json").json()["id"]
    refused = client.post(f"{BASE}/schemes/{scheme_id}/publish")
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "assessment_weights",
        "message": refused.json()["message"],
        "fields": {"weights": ["60.00"]},
    }
    unknown = client.post(
        f"{BASE}/schemes",
        dict(SCHEME, indicators=[{"source": "x", "weight": 100}]),
        content_type="application/json",
    )
    assert unknown.status_code == 400 and unknown.json()["code"] == "assessment_unknown_source"
    draft_run = client.post(
        f"{BASE}/runs", {"scheme": scheme_id, "period": "2026-Q3"}, content_type="application/json"
    )
    assert draft_run.status_code == 409 and draft_run.json()["code"] == "assessment_not_published"
    missing = client.get(f"{BASE}/schemes/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.json()["code"] == "assessment_not_found"


def test_department_staff_see_their_published_row_only(world, test_sources):
    seal(world)
    scheme = published_scheme(world)
    run = services.run_assessment(world.supervisor, scheme, "2026-Q3")
    clerk = logged_in(world.clerk_b)
    assert clerk.get(f"{BASE}/runs/{run.public_id}").status_code == 404  # a draft
    assert clerk.get(f"{BASE}/schemes").status_code == 403
    assert clerk.post(f"{BASE}/runs/{run.public_id}/publish").status_code == 404
    services.publish_run(world.supervisor, run)
    body = clerk.get(f"{BASE}/runs/{run.public_id}").json()
    assert [(r["label"], r["rank"], r["total"]) for r in body["results"]] == [("合肥市公安局", 2, "56.00")]
    assert body["allowed_actions"] == ["view"]
    assert clerk.get(f"{BASE}/runs").json()["count"] == 1


def test_applicants_are_refused(world, test_sources, client):
    from yiwang.testing import accounts

    citizen = logged_in(accounts.citizen())
    assert citizen.get(f"{BASE}/runs").status_code == 403
    assert citizen.get(f"{BASE}/sources").status_code == 403
    assert client.get(f"{BASE}/runs").status_code == 401


def test_list_query_count(world, test_sources, django_assert_max_num_queries):
    scheme = published_scheme(world)
    services.run_assessment(world.supervisor, scheme, "2026-Q3")
    services.run_assessment(world.supervisor, scheme, "2026-Q2")
    client = logged_in(world.supervisor)
    client.get(f"{BASE}/runs")
    with django_assert_max_num_queries(12):
        assert client.get(f"{BASE}/runs").json()["count"] == 2
    with django_assert_max_num_queries(12):
        assert client.get(f"{BASE}/schemes").json()["count"] == 1
