"""Sharing pages in the workbench: the catalogue, editing and review, the request form, the inbox
and outbox with their due dates, grants; who may open them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from yiwang.sharing.models import Grant, RequestStatus, Resource, ResourceStatus, ShareRequest
from yiwang.sharing.tests.factories import ask, published_resource
from yiwang.testing.cases import make_citizen
from yiwang.testing.mfa import staff_login

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    staff_login(client, user)
    return client


def test_official_catalogues_submits_and_reviewer_publishes(world):
    police = _client(world.police_official)
    assert police.get("/workbench/sharing/resources/new/").status_code == 200
    response = police.post(
        "/workbench/sharing/resources/new/",
        {
            "name": "人口基础信息",
            "share_type": "conditional",
            "subject_kind": "person",
            "service": "bases.population",
            "catalogue_ids": [str(world.base.public_id)],
            "fields_text": "id_number|公民身份号码|string|personal\nname|姓名|string|personal\ngender|性别",
        },
    )
    assert response.status_code == 302, response.content[:500]
    resource = Resource.objects.get(name="人口基础信息")
    assert [f.name for f in resource.fields.all()] == ["id_number", "name", "gender"]
    assert resource.fields.get(name="id_number").is_personal
    assert police.post(f"/workbench/sharing/resources/{resource.public_id}/submit/").status_code == 302
    reviewer = _client(world.reviewer)
    page = reviewer.get(f"/workbench/sharing/resources/{resource.public_id}/")
    assert "审核通过并发布" in page.content.decode()
    own_review = police.post(f"/workbench/sharing/resources/{resource.public_id}/approve/")
    assert own_review.status_code == 403
    assert reviewer.post(f"/workbench/sharing/resources/{resource.public_id}/approve/").status_code == 302
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.PUBLISHED and resource.published_version == 1


def test_bad_resource_form_rerenders_with_its_errors(world):
    response = _client(world.police_official).post(
        "/workbench/sharing/resources/new/",
        {"name": "秘密", "share_type": "none", "fields_text": "a|甲"},
    )
    assert response.status_code == 400
    assert "不予共享" in response.content.decode()
    response = _client(world.police_official).post(
        "/workbench/sharing/resources/new/", {"name": "x", "fields_text": "Bad Name|x"}
    )
    assert response.status_code in (400, 422)


def test_request_form_inbox_decision_and_outbox(world, frozen):
    population = published_resource(world.police_official, world.reviewer)
    market = _client(world.market_official)
    form = market.get(f"/workbench/sharing/resources/{population.public_id}/request/")
    assert form.status_code == 200
    response = market.post(
        f"/workbench/sharing/resources/{population.public_id}/request/",
        {
            "fields": ["gender", "name"],
            "purpose": "核验",
            "legal_basis": "《户口登记条例》",
            "period_start": "2026-09-21",
            "period_end": "2026-12-31",
        },
    )
    assert response.status_code == 302, response.content[:500]
    share_request = ShareRequest.objects.get()
    police = _client(world.police_official)
    inbox = police.get("/workbench/sharing/requests/").content.decode()
    assert "人口基础信息" in inbox and "2026-10-12" in inbox and "逾期" not in inbox.split("申请列表")[1]
    frozen.move_to(datetime(2026, 10, 13, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    police, market = _client(world.police_official), _client(world.market_official)  # sessions timed out
    overdue = police.get("/workbench/sharing/requests/?overdue=1").content.decode()
    assert "人口基础信息" in overdue and "逾期" in overdue
    refused = police.post(
        f"/workbench/sharing/requests/{share_request.public_id}/decide/", {"decision": "refuse"}
    )
    assert refused.status_code == 400
    decided = police.post(
        f"/workbench/sharing/requests/{share_request.public_id}/decide/",
        {"decision": "narrow", "fields": ["gender"], "note": "仅性别"},
    )
    assert decided.status_code == 302
    share_request.refresh_from_db()
    assert share_request.status == RequestStatus.NARROWED
    outbox = market.get("/workbench/sharing/requests/?side=outbox").content.decode()
    assert "部分同意" in outbox
    grants = market.get("/workbench/sharing/grants/").content.decode()
    assert "gender" in grants
    grant = Grant.objects.get()
    assert (
        market.post(
            f"/workbench/sharing/grants/{grant.public_id}/revoke/", {"reason": "不再需要"}
        ).status_code
        == 302
    )
    grant.refresh_from_db()
    assert grant.status == "revoked"


def test_every_staff_member_reads_the_catalogue_but_only_officials_the_rest(world):
    resource = published_resource(world.police_official, world.reviewer)
    share_request = ask(world.market_official, resource, ["gender"])
    clerk = _client(world.market_clerk)
    assert clerk.get("/workbench/sharing/").status_code == 200
    assert clerk.get(f"/workbench/sharing/resources/{resource.public_id}/").status_code == 200
    for url in (
        "/workbench/sharing/requests/",
        "/workbench/sharing/grants/",
        "/workbench/sharing/resources/new/",
        f"/workbench/sharing/resources/{resource.public_id}/request/",
        f"/workbench/sharing/requests/{share_request.public_id}/",
    ):
        assert clerk.get(url).status_code == 403, url
    assert (
        clerk.post(f"/workbench/sharing/resources/{resource.public_id}/retire/", {"reason": "x"}).status_code
        == 403
    )
    citizen = Client()
    citizen.force_login(make_citizen("sh_citizen"))
    assert citizen.get("/workbench/sharing/").status_code == 403
    assert Client().get("/workbench/sharing/").status_code == 302


def test_catalogue_page_searches_and_costs_few_queries(world, django_assert_max_num_queries):
    for index in range(5):
        published_resource(world.police_official, world.reviewer, name=f"户籍资源{index}")
    client = _client(world.market_clerk)
    client.get("/workbench/sharing/")
    with django_assert_max_num_queries(20):
        page = client.get("/workbench/sharing/?q=户籍资源3").content.decode()
    assert "户籍资源3" in page and "户籍资源2" not in page
