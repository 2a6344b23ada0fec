"""The API and pages: the token endpoints without log-in, staff lists with query counts, actions,
indicators and export authorisation, errors in the documented shape."""

from __future__ import annotations

from typing import Any

from django.test import Client

from yiwang.core.models import PersonalDataAccess
from yiwang.ratings.models import Rectification
from yiwang.testing.clients import token_client
from yiwang.testing.fixtures import logged_in
from yiwang.testing.ratings import World, complete_case

API = "/api/v1/ratings"


def login(user: Any) -> Client:
    return token_client(user)


def test_token_endpoints_and_page_work_without_log_in(world: World) -> None:
    inv = complete_case(world.item, world.citizen)
    anon = Client()
    assert anon.get(f"/rate/{inv.token}/").status_code == 200
    assert anon.get(f"{API}/invitations/{inv.token}").json()["allowed_actions"] == ["rate"]
    response = anon.post(
        f"{API}/invitations/{inv.token}/rating",
        {"level": 2, "channel": "sms", "reasons": ["bad_slow"], "comment": "太慢"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["rating"]["level_label"] == "不满意"
    again = anon.post(f"{API}/invitations/{inv.token}/rating", {"level": 5}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "ratings_already_rated"
    follow = anon.post(
        f"{API}/invitations/{inv.token}/followup", {"comment": "补充"}, content_type="application/json"
    )
    assert follow.status_code == 200 and follow.json()["allowed_actions"] == []
    assert anon.get(f"{API}/invitations/nope").json()["code"] == "ratings_not_found"
    bad = anon.post(f"{API}/invitations/{inv.token}/rating", {"level": 9}, content_type="application/json")
    assert bad.status_code in (400, 422)


def test_rate_page_posts_a_rating(world: World) -> None:
    inv = complete_case(world.item, world.citizen)
    response = Client().post(
        f"/rate/{inv.token}/", {"level": "1", "reasons": ["bad_attitude"], "channel": "sms"}
    )
    assert response.status_code == 302
    assert Rectification.objects.filter(invitation=inv).exists()


def test_staff_list_actions_and_query_counts(world: World, django_assert_max_num_queries: Any) -> None:
    for _ in range(5):
        inv = complete_case(world.item, world.citizen)
        Client().post(
            f"{API}/invitations/{inv.token}/rating",
            {"level": 1, "channel": "pc"},
            content_type="application/json",
        )
    handler = login(world.handler)
    with django_assert_max_num_queries(12):
        rows = handler.get(f"{API}/rectifications").json()
    assert rows["count"] == 5 and rows["results"][0]["allowed_actions"] == ["callback", "view"]
    rid = rows["results"][0]["id"]
    detail = handler.get(f"{API}/rectifications/{rid}").json()
    assert detail["contact_phone"] and "*" in detail["contact_phone"]
    assert PersonalDataAccess.objects.filter(
        subject=world.citizen, object_type="ratings.Rectification"
    ).exists()
    citizen = login(world.citizen)
    with django_assert_max_num_queries(6):
        assert citizen.get(f"{API}/mine").json()["count"] == 5
    assert login(world.other_clerk).get(f"{API}/rectifications/{rid}").status_code == 404
    assert login(world.citizen).get(f"{API}/rectifications").json()["count"] == 0
    done = handler.post(
        f"{API}/rectifications/{rid}/callback",
        {"genuine": True, "note": "属实"},
        content_type="application/json",
    )
    assert done.json()["status"] == "verified"
    wrong = handler.post(
        f"{API}/rectifications/{rid}/revisit", {"satisfied": True}, content_type="application/json"
    )
    assert wrong.status_code == 409 and wrong.json()["code"] == "ratings_invalid_state"
    assert login(world.supervisor).post(f"{API}/rectifications/{rid}/escalate").json()["warning"] is True
    pages = logged_in(world.handler)
    pages.get("/workbench/ratings/")
    with django_assert_max_num_queries(15):
        assert pages.get("/workbench/ratings/").status_code == 200
    assert pages.get(f"/workbench/ratings/{rid}/").status_code == 200
    page = pages.post(f"/workbench/ratings/{rid}/rectify/", {"text": "已整改"})
    assert page.status_code == 302


def test_indicators_and_export_authorisation(world: World) -> None:
    inv = complete_case(world.item, world.citizen)
    Client().post(f"{API}/invitations/{inv.token}/rating", {"level": 5}, content_type="application/json")
    query = "?start=2026-09-01&end=2026-09-30"
    assert login(world.citizen).get(f"{API}/indicators{query}").status_code == 403
    rows = login(world.handler).get(f"{API}/indicators{query}").json()
    assert rows[0]["good_rate"] == 100.0
    assert login(world.supervisor).get(f"{API}/indicators{query}&by=month").json()[0]["key"] == "2026-09"
    assert login(world.handler).get(f"{API}/indicators?start=2026-09-30&end=2026-09-01").status_code == 400
    assert login(world.handler).get(f"{API}/export{query}").status_code == 403
    feed = login(world.supervisor).get(f"{API}/export{query}").json()
    assert feed["count"] == 1 and feed["results"][0]["alternate"] == 5
    assert feed["results"][0]["evaluateLevel"] == "非常满意"
    assert logged_in(world.handler).get(f"/workbench/ratings/indicators/{query}").status_code == 200
    assert len(Client().get(f"{API}/reasons").json()) >= 10
