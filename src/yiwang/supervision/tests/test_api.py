"""The API: who sees which warnings (department staff their own, supervisors their region), the
lifecycle through the API, rules and cards, error shapes, and bounded queries on the lists."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from yiwang.supervision.models import SupervisionRule
from yiwang.supervision.scan import run_scan
from yiwang.testing.clients import token_client
from yiwang.testing.supervision import NOW, World, make_case

pytestmark = pytest.mark.usefixtures("rules")


@pytest.fixture
def warnings(world: World, rules: None) -> None:
    for n in range(3):
        make_case(
            world.item, world.citizen, submitted_at=NOW - timedelta(days=9), due_date=date(2026, 9, 14 + n)
        )
    make_case(world.far_item, world.citizen, submitted_at=NOW - timedelta(days=9), due_date=date(2026, 9, 14))
    run_scan()


def numbers(client) -> int:
    return client.get("/api/v1/supervision/warnings").json()["count"]


@pytest.mark.usefixtures("warnings")
def test_visibility(world: World) -> None:
    assert numbers(token_client(world.handler)) == 3
    assert numbers(token_client(world.other_clerk)) == 0
    assert numbers(token_client(world.far_clerk)) == 1
    assert numbers(token_client(world.supervisor)) == 3  # his region (合肥), not 芜湖
    assert numbers(token_client(world.citizen)) == 0


@pytest.mark.usefixtures("warnings")
def test_lifecycle_and_error_shapes(world: World) -> None:
    handler, supervisor = token_client(world.handler), token_client(world.supervisor)
    first = handler.get("/api/v1/supervision/warnings", {"level": "red", "limit": 1}).json()["results"][0]
    wid = first["id"]
    assert first["allowed_actions"] == ["acknowledge", "correct", "explain", "view"]
    answer = supervisor.post(
        f"/api/v1/supervision/warnings/{wid}/acknowledge", {}, content_type="application/json"
    )
    assert answer.status_code == 403
    assert set(answer.json()) == {"code", "message", "fields"}
    blank = handler.post(
        f"/api/v1/supervision/warnings/{wid}/explain", {"text": " "}, content_type="application/json"
    )
    assert (blank.status_code, blank.json()["code"]) == (400, "supervision_text_required")
    ok = handler.post(
        f"/api/v1/supervision/warnings/{wid}/explain", {"text": "说明"}, content_type="application/json"
    )
    assert ok.json()["status"] == "explained"
    again = handler.post(
        f"/api/v1/supervision/warnings/{wid}/acknowledge", {}, content_type="application/json"
    )
    assert (again.status_code, again.json()["code"]) == (409, "supervision_invalid_state")
    done = supervisor.post(
        f"/api/v1/supervision/warnings/{wid}/review", {"accept": True}, content_type="application/json"
    )
    assert done.json()["status"] == "closed"
    missing = handler.get(f"/api/v1/supervision/warnings/{uuid.uuid4()}")
    assert (missing.status_code, missing.json()["code"]) == (404, "supervision_not_found")
    hidden = token_client(world.other_clerk).get(f"/api/v1/supervision/warnings/{wid}")
    assert hidden.status_code == 404


@pytest.mark.usefixtures("warnings")
def test_list_queries_are_bounded(world: World, django_assert_max_num_queries) -> None:
    client = token_client(world.supervisor)
    client.get("/api/v1/supervision/warnings")
    with django_assert_max_num_queries(12):
        body = client.get("/api/v1/supervision/warnings", {"limit": 100}).json()
    assert body["count"] == 3
    assert client.get("/api/v1/supervision/warnings", {"limit": 1000}).status_code == 422


def test_rules_api(world: World) -> None:
    supervisor, handler = token_client(world.supervisor), token_client(world.handler)
    rule = SupervisionRule.objects.get(kind="time_yellow")
    changed = supervisor.patch(
        f"/api/v1/supervision/rules/{rule.public_id}",
        {"thresholds": {"share": 0.75}, "comment": "调整"},
        content_type="application/json",
    )
    assert changed.json()["version"] == 2
    detail = handler.get(f"/api/v1/supervision/rules/{rule.public_id}").json()
    assert [v["version"] for v in detail["versions"]] == [2, 1]
    refused = handler.patch(
        f"/api/v1/supervision/rules/{rule.public_id}", {"active": False}, content_type="application/json"
    )
    assert refused.status_code == 403
    bad = supervisor.post(
        "/api/v1/supervision/rules",
        {"code": "x-yellow", "kind": "time_yellow", "thresholds": {"share": 2}},
        content_type="application/json",
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "supervision_invalid_thresholds")
    with pytest.raises(AssertionError):
        assert (
            token_client(world.citizen).get(f"/api/v1/supervision/rules/{rule.public_id}").status_code != 404
        )


def test_cards_api(world: World, django_assert_max_num_queries) -> None:
    supervisor, handler = token_client(world.supervisor), token_client(world.handler)
    body = {
        "department": str(world.department.public_id),
        "colour": "yellow",
        "period_start": "2026-09-01",
        "period_end": "2026-09-30",
        "reason": "超期较多",
    }
    card = supervisor.post("/api/v1/supervision/cards", body, content_type="application/json").json()
    assert card["allowed_actions"] == ["view"]
    appealed = handler.post(
        f"/api/v1/supervision/cards/{card['id']}/appeal", {"reasons": "有误"}, content_type="application/json"
    )
    assert appealed.status_code == 201 and appealed.json()["status"] == "appealed"
    decided = supervisor.post(
        f"/api/v1/supervision/cards/{card['id']}/decision",
        {"revoke": True, "comment": "核实有误"},
        content_type="application/json",
    ).json()
    assert decided["status"] == "revoked" and decided["appeals"][0]["status"] == "revoked"
    assert token_client(world.other_clerk).get("/api/v1/supervision/cards").json()["count"] == 0
    with django_assert_max_num_queries(10):
        assert handler.get("/api/v1/supervision/cards").json()["count"] == 1
    far = dict(body, department=str(world.far_department.public_id))
    assert (
        supervisor.post("/api/v1/supervision/cards", far, content_type="application/json").status_code == 403
    )
