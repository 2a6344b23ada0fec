"""API /api/v1/proactive/: rules for managers, my pushes, objections, preferences; error shapes."""

from __future__ import annotations

import pytest

from yiwang.proactive.models import Push
from yiwang.proactive.services import run_scan
from yiwang.testing.clients import token_client
from yiwang.testing.proactive import born, citizen_for, make_rule

pytestmark = pytest.mark.django_db

BODY = {
    "name": "企业开办",
    "event": "company_established",
    "title": "欢迎开办企业",
    "conditions": {"region_prefix": "34"},
}


def test_manager_rule_lifecycle(world):
    api = token_client(world.manager)
    created = api.post("/api/v1/proactive/rules", BODY, content_type="application/json")
    assert created.status_code == 201, created.content
    rule_id = created.json()["id"]
    assert created.json()["allowed_actions"] == ["view", "edit", "activate"]
    changed = api.put(
        f"/api/v1/proactive/rules/{rule_id}", {**BODY, "title": "v2"}, content_type="application/json"
    )
    assert changed.json()["version"] == 2
    assert api.post(f"/api/v1/proactive/rules/{rule_id}/activate").json()["status"] == "active"
    again = api.post(f"/api/v1/proactive/rules/{rule_id}/activate")
    assert again.status_code == 409 and again.json()["code"] == "proactive_invalid_state"
    assert api.get(f"/api/v1/proactive/rules/{rule_id}/reach").json()["pushes"] == 0
    assert api.get("/api/v1/proactive/rules").json()["count"] == 1
    assert api.post(f"/api/v1/proactive/rules/{rule_id}/retire").json()["status"] == "retired"


def test_bad_input_and_refusals(world):
    api = token_client(world.manager)
    bad = api.post(
        "/api/v1/proactive/rules",
        {**BODY, "conditions": {"min_age": 9, "max_age": 1}},
        content_type="application/json",
    )
    assert bad.status_code in (400, 422) and "code" in bad.json()
    clerk = token_client(world.clerk)
    refused = clerk.get("/api/v1/proactive/rules")
    assert refused.status_code == 403 and refused.json()["code"] == "proactive_forbidden"
    missing = api.get("/api/v1/proactive/rules/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404 and missing.json()["code"] == "proactive_not_found"


def test_recipient_pushes_objection_preferences(world):
    rule = make_rule(
        world.manager, action="grant", benefit_name="生育补贴", amount_fen=300_000, legal_basis="某政策"
    )
    account = citizen_for(born(), "apiuser")
    run_scan()
    push = Push.objects.get()
    api = token_client(account)
    mine = api.get("/api/v1/proactive/mine").json()
    assert mine["count"] == 1 and mine["results"][0]["allowed_actions"] == ["view", "object"]
    assert mine["results"][0]["amount_fen"] == 300_000
    objection = api.post(
        f"/api/v1/proactive/mine/{push.public_id}/objections",
        {"reason": "金额不对"},
        content_type="application/json",
    )
    assert objection.status_code == 201
    again = api.post(
        f"/api/v1/proactive/mine/{push.public_id}/objections",
        {"reason": "金额不对"},
        content_type="application/json",
    )
    assert again.status_code == 409
    manager = token_client(world.manager)
    open_ones = manager.get("/api/v1/proactive/objections").json()
    assert open_ones["count"] == 1
    decided = manager.post(
        f"/api/v1/proactive/objections/{open_ones['results'][0]['id']}/decision",
        {"outcome": "upheld", "note": "更正", "corrected_amount_fen": 100},
        content_type="application/json",
    )
    assert decided.json()["status"] == "upheld"
    prefs = api.post(
        "/api/v1/proactive/preferences",
        {"rule_id": str(rule.public_id), "enabled": False},
        content_type="application/json",
    )
    assert prefs.json()["rules_off"] == [str(rule.public_id)]
    assert api.get(f"/api/v1/proactive/mine/{push.public_id}").json()["grant_status"] == "corrected"
    stranger = token_client(citizen_for(born(), "apistranger"))
    assert stranger.get(f"/api/v1/proactive/mine/{push.public_id}").status_code == 404
