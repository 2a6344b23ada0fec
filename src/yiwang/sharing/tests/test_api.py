"""The sharing API: the lifecycle over HTTP, who may call each endpoint, the error shape, and the
queries a list costs."""

from __future__ import annotations

import pytest
from django.test import Client

from yiwang.sharing.models import Grant
from yiwang.sharing.tests.factories import COMPANY_FIELDS, PERSON_FIELDS, ask, published_resource
from yiwang.testing.cases import make_citizen
from yiwang.testing.clients import token_client

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _resource_body(**extra):
    return {
        "name": "人口基础信息",
        "share_type": "conditional",
        "subject_kind": "person",
        "fields": PERSON_FIELDS,
        **extra,
    }


def test_catalogue_review_request_and_grant_over_http(world):
    police = token_client(world.police_official)
    market = token_client(world.market_official)
    reviewer = token_client(world.reviewer)
    created = police.post(
        "/api/v1/sharing/resources",
        {**_resource_body(), "catalogue_ids": [str(world.base.public_id)]},
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    rid = body["id"]
    assert body["status"] == "draft" and body["code"].startswith(world.police.credit_code)
    assert body["catalogues"] == ["JC"]
    assert set(body["allowed_actions"]) == {"edit", "submit"}
    assert police.post(f"/api/v1/sharing/resources/{rid}/submit").json()["status"] == "in_review"
    self_review = police.post(f"/api/v1/sharing/resources/{rid}/review", {"approve": True}, content_type=JSON)
    assert self_review.status_code == 403
    assert self_review.json()["code"] == "sharing_self_review"
    published = reviewer.post(f"/api/v1/sharing/resources/{rid}/review", {"approve": True}, content_type=JSON)
    assert published.json()["published_version"] == 1
    versions = market.get(f"/api/v1/sharing/resources/{rid}/versions").json()
    assert [v["number"] for v in versions] == [1]
    asked = market.post(
        "/api/v1/sharing/requests",
        {
            "resource_id": rid,
            "fields": ["gender", "name"],
            "purpose": "户籍核验",
            "legal_basis": "《户口登记条例》",
            "period_start": "2026-09-21",
            "period_end": "2027-03-31",
        },
        content_type=JSON,
    )
    assert asked.status_code == 201, asked.content
    qid = asked.json()["id"]
    assert asked.json()["status"] == "pending" and asked.json()["due_at"].startswith("2026-10-12")
    inbox = police.get("/api/v1/sharing/requests?side=provider").json()
    assert [r["id"] for r in inbox] == [qid]
    assert inbox[0]["allowed_actions"] == ["decide"]
    assert market.get("/api/v1/sharing/requests?side=provider").json() == []
    narrowed = police.post(
        f"/api/v1/sharing/requests/{qid}/decision",
        {"decision": "narrow", "fields": ["gender"], "note": "姓名不在用途范围内"},
        content_type=JSON,
    )
    assert narrowed.status_code == 200, narrowed.content
    assert narrowed.json()["status"] == "narrowed"
    grants = market.get("/api/v1/sharing/grants").json()
    assert [(g["fields"], g["status"], g["request_id"]) for g in grants] == [(["gender"], "active", qid)]
    revoked = police.post(
        f"/api/v1/sharing/grants/{grants[0]['id']}/revoke", {"reason": "到期前停止"}, content_type=JSON
    )
    assert revoked.json()["status"] == "revoked"


def test_resource_list_search_and_filters(world):
    published_resource(world.police_official, world.reviewer)
    published_resource(
        world.market_official,
        world.reviewer,
        name="法人基础信息",
        share_type="unconditional",
        fields=COMPANY_FIELDS,
    )
    client = token_client(world.market_clerk)  # any staff member reads the published catalogue
    everything = client.get("/api/v1/sharing/resources").json()
    assert everything["count"] == 2
    assert [r["name"] for r in client.get("/api/v1/sharing/resources?q=法人").json()["items"]] == [
        "法人基础信息"
    ]
    by_code = client.get(f"/api/v1/sharing/resources?q={world.police.credit_code}").json()
    assert by_code["count"] == 1
    unconditional = client.get("/api/v1/sharing/resources?share_type=unconditional").json()
    assert [r["name"] for r in unconditional["items"]] == ["法人基础信息"]
    provider = client.get(f"/api/v1/sharing/resources?provider={world.police.public_id}").json()
    assert [r["name"] for r in provider["items"]] == ["人口基础信息"]
    paged = client.get("/api/v1/sharing/resources?limit=1&offset=1").json()
    assert paged["count"] == 2 and len(paged["items"]) == 1
    tree = client.get("/api/v1/sharing/catalogues").json()
    assert [c["code"] for c in tree] == ["JC"]


def test_drafts_are_visible_to_their_provider_and_the_reviewers_only(world):
    police = token_client(world.police_official)
    rid = police.post("/api/v1/sharing/resources", _resource_body(), content_type=JSON).json()["id"]
    assert token_client(world.market_official).get(f"/api/v1/sharing/resources/{rid}").status_code == 404
    assert token_client(world.reviewer).get(f"/api/v1/sharing/resources/{rid}").status_code == 200
    assert police.get(f"/api/v1/sharing/resources/{rid}").status_code == 200


@pytest.mark.parametrize(
    ("url", "limit"),
    [("/api/v1/sharing/resources", 10), ("/api/v1/sharing/requests", 10), ("/api/v1/sharing/grants", 10)],
)
def test_lists_cost_a_fixed_number_of_queries(world, django_assert_max_num_queries, url, limit):
    population = published_resource(world.police_official, world.reviewer)
    for index in range(6):
        share_request = ask(world.market_official, population, ["gender"])
        if index % 2:
            from yiwang.sharing import services

            services.decide_request(share_request, actor=world.police_official, decision="approve")
    client = token_client(world.police_official)
    client.get(url)  # warm the token cache
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200


def test_validation_and_domain_errors_have_the_one_shape(world):
    police = token_client(world.police_official)
    missing_fields = police.post("/api/v1/sharing/resources", {"name": "x", "fields": []}, content_type=JSON)
    assert missing_fields.status_code == 422
    assert set(missing_fields.json()) == {"code", "message", "fields"}
    assert "fields" in missing_fields.json()["fields"]
    no_basis = police.post("/api/v1/sharing/resources", _resource_body(share_type="none"), content_type=JSON)
    assert no_basis.status_code == 400
    assert no_basis.json()["code"] == "validation_error"
    assert "no_share_basis" in no_basis.json()["fields"]
    unknown = police.get("/api/v1/sharing/resources/00000000-0000-0000-0000-000000000007")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "sharing_not_found"
    bad_paging = police.get("/api/v1/sharing/resources?limit=100000")
    assert bad_paging.status_code == 422
    population = published_resource(world.police_official, world.reviewer)
    share_request = ask(world.market_official, population, ["gender"])
    refuse = police.post(
        f"/api/v1/sharing/requests/{share_request.public_id}/decision",
        {"decision": "refuse"},
        content_type=JSON,
    )
    assert refuse.status_code == 400
    assert refuse.json()["code"] == "sharing_reason_required"
    bad_decision = police.post(
        f"/api/v1/sharing/requests/{share_request.public_id}/decision",
        {"decision": "maybe"},
        content_type=JSON,
    )
    assert bad_decision.status_code == 422


ENDPOINTS = [
    ("get", "/api/v1/sharing/catalogues", True),
    ("post", "/api/v1/sharing/catalogues", False),
    ("get", "/api/v1/sharing/resources", True),
    ("post", "/api/v1/sharing/resources", False),
    ("get", "/api/v1/sharing/resources/{resource}", True),
    ("put", "/api/v1/sharing/resources/{resource}", False),
    ("post", "/api/v1/sharing/resources/{resource}/submit", False),
    ("post", "/api/v1/sharing/resources/{resource}/review", False),
    ("post", "/api/v1/sharing/resources/{resource}/retire", False),
    ("get", "/api/v1/sharing/resources/{resource}/versions", True),
    ("post", "/api/v1/sharing/requests", False),
    ("get", "/api/v1/sharing/requests", False),
    ("get", "/api/v1/sharing/requests/{request}", False),
    ("post", "/api/v1/sharing/requests/{request}/decision", False),
    ("post", "/api/v1/sharing/requests/{request}/withdraw", False),
    ("get", "/api/v1/sharing/grants", False),
    ("post", "/api/v1/sharing/grants/{grant}/revoke", False),
]


@pytest.fixture
def probe(world):
    population = published_resource(world.police_official, world.reviewer)
    share_request = ask(world.market_official, population, ["gender"])
    legal = published_resource(
        world.market_official,
        world.reviewer,
        name="法人基础信息",
        share_type="unconditional",
        fields=COMPANY_FIELDS,
    )
    ask(world.police_official, legal, ["name"])
    grant = Grant.objects.get()
    ids = {"resource": population.public_id, "request": share_request.public_id, "grant": grant.public_id}
    bodies = {
        "/api/v1/sharing/catalogues": {"kind": "thematic", "code": "ZT1", "name": "主题"},
        "/api/v1/sharing/resources": _resource_body(),
        "/api/v1/sharing/resources/{resource}": _resource_body(),
        "/api/v1/sharing/resources/{resource}/review": {"approve": True},
        "/api/v1/sharing/resources/{resource}/retire": {"reason": "x"},
        "/api/v1/sharing/requests": {
            "resource_id": str(population.public_id),
            "fields": ["gender"],
            "purpose": "x",
            "legal_basis": "x",
            "period_start": "2026-09-21",
            "period_end": "2026-12-31",
        },
        "/api/v1/sharing/requests/{request}/decision": {"decision": "approve"},
        "/api/v1/sharing/grants/{grant}/revoke": {"reason": "x"},
    }

    def call(client, method, template):
        url = template.format(**ids)
        if method == "get":
            return client.get(url)
        return client.generic(
            method.upper(), url, data=__import__("json").dumps(bodies.get(template, {})), content_type=JSON
        )

    return call


@pytest.mark.parametrize(("method", "url", "staff_may_read"), ENDPOINTS)
def test_anonymous_is_401(probe, method, url, staff_may_read):
    assert probe(Client(), method, url).status_code == 401


@pytest.mark.parametrize(("method", "url", "staff_may_read"), ENDPOINTS)
def test_citizen_is_403(probe, method, url, staff_may_read):
    response = probe(token_client(make_citizen("sh_citizen")), method, url)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(("method", "url", "staff_may_read"), ENDPOINTS)
def test_staff_who_are_not_data_officials_only_read_the_catalogue(world, probe, method, url, staff_may_read):
    response = probe(token_client(world.market_clerk), method, url)
    if staff_may_read:
        assert response.status_code == 200
    else:
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "sharing_role_required"


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("put", "/api/v1/sharing/resources/{resource}"),
        ("post", "/api/v1/sharing/resources/{resource}/submit"),
        ("post", "/api/v1/sharing/resources/{resource}/retire"),
        ("post", "/api/v1/sharing/requests/{request}/decision"),
        ("post", "/api/v1/sharing/resources/{resource}/review"),
    ],
)
def test_a_consumer_may_not_act_as_provider(world, probe, method, url):
    response = probe(token_client(world.market_official), method, url)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/sharing/requests/{request}"),
        ("post", "/api/v1/sharing/requests/{request}/withdraw"),
        ("post", "/api/v1/sharing/requests/{request}/decision"),
        ("post", "/api/v1/sharing/grants/{grant}/revoke"),
    ],
)
def test_a_third_organisation_sees_no_request_or_grant(world, probe, method, url):
    from yiwang.testing.catalog import OrganisationFactory
    from yiwang.testing.people import make_staff

    outsider = make_staff(OrganisationFactory(name="合肥市民政局"), "sh_civil", ("data_official",))
    assert probe(token_client(outsider), method, url).status_code == 404
