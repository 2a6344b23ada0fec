"""Pages: /workbench/proactive/ (rules, reach preview via htmx, activate, objections) and
/my/proactive/ (received pushes and grants, objecting, push settings); query counts of the lists."""

from __future__ import annotations

import pytest
from django.test import Client

from yiwang.proactive.models import Objection, OptOut, Push, Rule, RuleStatus
from yiwang.proactive.services import file_objection, run_scan
from yiwang.testing.mfa import staff_login
from yiwang.testing.proactive import born, citizen_for, make_rule

pytestmark = pytest.mark.django_db

FORM = {
    "name": "退休提醒",
    "event": "retirement",
    "action": "notify",
    "title": "您即将达到法定退休年龄",
    "message": "可网上办理退休申请。",
    "link": "/items/",
    "cond_region_prefix": "3401",
    "cond_male_age": "60",
    "cond_female_age": "55",
    "amount_fen": "0",
}


@pytest.fixture
def manager_client(world) -> Client:
    return staff_login(Client(), world.manager)


def test_manager_creates_previews_activates(world, manager_client):
    response = manager_client.post("/workbench/proactive/", FORM)
    assert response.status_code == 302
    rule = Rule.objects.get()
    assert rule.conditions["region_prefix"] == "3401"
    preview = manager_client.post(
        "/workbench/proactive/preview/", {**FORM, "cond_region_prefix": "34"}, HTTP_HX_REQUEST="true"
    )
    assert preview.status_code == 200 and "reach-preview" in preview.content.decode()
    page = manager_client.get(f"/workbench/proactive/{rule.public_id}/")
    assert "覆盖情况" in page.content.decode()
    assert manager_client.post(f"/workbench/proactive/{rule.public_id}/activate/").status_code == 302
    assert Rule.objects.get().status == RuleStatus.ACTIVE
    assert manager_client.get(f"/workbench/proactive/{rule.public_id}/edit/").status_code == 200
    assert manager_client.get("/workbench/proactive/").status_code == 200


def test_bad_form_is_a_400_with_the_message(world, manager_client):
    response = manager_client.post("/workbench/proactive/", {**FORM, "cond_region_prefix": "abc"})
    assert response.status_code == 400
    assert Rule.objects.count() == 0


def test_clerk_and_other_department_are_refused(world):
    clerk = staff_login(Client(), world.clerk)
    assert clerk.get("/workbench/proactive/").status_code == 403
    rule = make_rule(world.manager)
    other = staff_login(Client(), world.other_manager)
    assert other.get(f"/workbench/proactive/{rule.public_id}/").status_code == 404


def test_recipient_sees_objects_and_turns_pushes_off(world, manager_client):
    make_rule(
        world.manager, action="grant", benefit_name="生育补贴", amount_fen=300_000, legal_basis="某政策"
    )
    account = citizen_for(born(), "recipient")
    run_scan()
    push = Push.objects.get()
    client = Client()
    client.force_login(account)
    listing = client.get("/my/proactive/")
    assert "生育补贴" in listing.content.decode()
    detail = client.get(f"/my/proactive/{push.public_id}/")
    assert "提出异议" in detail.content.decode()
    assert client.post(f"/my/proactive/{push.public_id}/", {"reason": "x"}).status_code == 400
    assert client.post(f"/my/proactive/{push.public_id}/", {"reason": "金额不对"}).status_code == 302
    objection = Objection.objects.get()
    decisions = manager_client.get("/workbench/proactive/objections/")
    assert "金额不对" in decisions.content.decode()
    assert (
        manager_client.post(
            f"/workbench/proactive/objections/{objection.public_id}/decide/",
            {"outcome": "rejected", "note": "符合政策"},
        ).status_code
        == 302
    )
    assert client.post("/my/proactive/settings/", {"enabled": "0"}).status_code == 302
    assert OptOut.objects.filter(rule__isnull=True).count() == 1
    assert "已关闭全部" in client.get("/my/proactive/settings/").content.decode()
    other = Client()
    other.force_login(citizen_for(born(), "someoneelse"))
    assert other.get(f"/my/proactive/{push.public_id}/").status_code == 404


def test_lists_query_counts(world, manager_client, django_assert_max_num_queries):
    rule = make_rule(world.manager, action="grant", benefit_name="补贴", amount_fen=100, legal_basis="依据")
    accounts = [citizen_for(born(), f"many{n}") for n in range(3)]
    run_scan()
    for account in accounts:
        file_objection(account, Push.objects.get(user=account), "理由充分")
    client = Client()
    client.force_login(accounts[0])
    with django_assert_max_num_queries(12):
        assert client.get("/my/proactive/").status_code == 200
    with django_assert_max_num_queries(16):
        assert manager_client.get("/workbench/proactive/objections/").status_code == 200
    with django_assert_max_num_queries(16):
        assert manager_client.get("/workbench/proactive/").status_code == 200
    with django_assert_max_num_queries(20):
        assert manager_client.get(f"/workbench/proactive/{rule.public_id}/").status_code == 200
