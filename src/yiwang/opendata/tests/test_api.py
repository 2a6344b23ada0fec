"""The open-data API and pages: search, detail, downloads and their counts, keys and quotas, the
anonymous rate limit, DCAT-AP JSON-LD, who may call what, and the queries a list costs."""

from __future__ import annotations

import pytest
from django.test import Client

from yiwang.opendata.models import DatasetSource, Distribution, KeyUsage, OpenDataKey
from yiwang.opendata.services.access import hash_key
from yiwang.opendata.tests.factories import base_data, open_resource, publish
from yiwang.testing.cases import make_citizen
from yiwang.testing.clients import token_client

pytestmark = pytest.mark.django_db
JSON = "application/json"
API = "/api/v1/open-data"
GEO = DatasetSource.GEOGRAPHY


@pytest.fixture
def datasets(world, django_capture_on_commit_callbacks):
    base_data()
    official = world.market_official
    geo = open_resource(official, world.reviewer, GEO)
    stats = open_resource(official, world.reviewer, DatasetSource.LEGAL_PERSON_STATS)
    with django_capture_on_commit_callbacks(execute=True):
        first = publish(official, geo, GEO, title="合肥市行政区划", keywords=["区划"])
        second = publish(
            official,
            stats,
            DatasetSource.LEGAL_PERSON_STATS,
            title="企业登记统计",
            description="按区划、行业和登记状态统计的市场主体数量",
            keywords=["市场主体"],
            theme="economy",
        )
    return first, second


def test_search_in_chinese_and_pinyin(datasets, django_assert_max_num_queries):
    geo, stats = datasets
    client = Client()
    with django_assert_max_num_queries(4):
        everything = client.get(f"{API}/datasets").json()
    assert everything["count"] == 2
    assert {row["formats"][0] for row in everything["items"]} == {"csv"}
    for query, expected in (("企业", stats), ("行政区划", geo), ("xingzheng", geo), ("qydjtj", stats)):
        found = client.get(f"{API}/datasets", {"q": query}).json()
        assert [row["id"] for row in found["items"]] == [str(expected.public_id)], query
    economy = client.get(f"{API}/datasets", {"theme": "economy"}).json()
    assert economy["count"] == 1
    themes = {t["code"]: t["count"] for t in client.get(f"{API}/themes").json()}
    assert themes["economy"] == 1 and themes["geography"] == 1 and themes["credit"] == 0
    assert client.get(f"{API}/datasets", {"theme": "nope"}).status_code == 422
    assert client.get(f"{API}/datasets", {"q": "x" * 101}).status_code == 422


def test_detail_and_anonymous_download_counts(datasets):
    geo, _ = datasets
    client = Client()
    detail = client.get(f"{API}/datasets/{geo.public_id}").json()
    assert detail["allowed_actions"] == ["download"]
    assert [d["format"] for d in detail["distributions"]] == ["csv", "json", "xlsx"]
    assert all(d["ready"] for d in detail["distributions"])
    response = client.get(f"{API}/datasets/{geo.public_id}/download/csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    content = b"".join(response.streaming_content)
    assert content.decode("utf-8-sig").splitlines()[0] == "region_code,name,synthetic"
    page = client.get(f"/open-data/datasets/{geo.public_id}/download/json/")
    assert page.status_code == 200
    geo.refresh_from_db()
    assert geo.download_count == 2
    assert dict(Distribution.objects.filter(dataset=geo).values_list("format", "download_count")) == {
        "csv": 1,
        "json": 1,
        "xlsx": 0,
    }
    assert client.get(f"{API}/datasets/{geo.public_id}/download/pdf").status_code == 422
    assert client.get(f"/open-data/datasets/{geo.public_id}/download/pdf/").status_code == 404


def test_anonymous_downloads_are_rate_limited(datasets, settings):
    settings.YIWANG_OPENDATA_ANON_PER_HOUR = 2
    geo, _ = datasets
    client = Client()
    url = f"{API}/datasets/{geo.public_id}/download/json"
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    limited = client.get(url)
    assert limited.status_code == 429 and limited.json()["code"] == "opendata_rate_limited"
    geo.refresh_from_db()
    assert geo.download_count == 2


def test_keys_hashed_quota_and_revocation(datasets, settings):
    settings.YIWANG_OPENDATA_KEY_DAILY_QUOTA = 2
    settings.YIWANG_OPENDATA_ANON_PER_HOUR = 0  # only the key may download
    geo, _ = datasets
    citizen = token_client(make_citizen("od_citizen"))
    issued = citizen.post(f"{API}/keys", {"name": "研究"}, content_type=JSON)
    assert issued.status_code == 201
    secret, key_id = issued.json()["key"], issued.json()["id"]
    stored = OpenDataKey.objects.get(public_id=key_id)
    assert stored.key_hash == hash_key(secret) and secret not in stored.key_hash
    assert "key" not in citizen.get(f"{API}/keys").json()[0]
    keyed = Client(headers={"X-Open-Data-Key": secret})
    url = f"{API}/datasets/{geo.public_id}/download/xlsx"
    assert [keyed.get(url).status_code for _ in range(2)] == [200, 200]
    over = keyed.get(url)
    assert over.status_code == 429 and over.json()["code"] == "opendata_quota_exceeded"
    assert KeyUsage.objects.get(key=stored).count == 2
    assert citizen.get(f"{API}/keys").json()[0]["used_today"] == 2
    bulk = keyed.get(f"{API}/bulk").json()
    assert {entry["title"] for entry in bulk} == {"合肥市行政区划", "企业登记统计"}
    assert Client().get(f"{API}/bulk").status_code == 401
    assert Client(headers={"X-Open-Data-Key": "yod_bad_key"}).get(url).status_code == 401
    other = token_client(make_citizen("od_other"))
    assert other.post(f"{API}/keys/{key_id}/revoke").status_code == 404
    assert citizen.post(f"{API}/keys/{key_id}/revoke").json()["revoked_at"]
    assert keyed.get(f"{API}/bulk").status_code == 401
    assert citizen.post(f"{API}/keys/{key_id}/revoke").status_code == 409
    assert Client().post(f"{API}/keys", {"name": "x"}, content_type=JSON).status_code == 401


def test_dcat_ap_json_ld(datasets):
    geo, _stats = datasets
    client = Client()
    response = client.get("/open-data/catalog.jsonld")
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    catalogue = response.json()
    assert catalogue["@type"] == "dcat:Catalog"
    assert {"dcat", "dct", "foaf"} <= set(catalogue["@context"])
    assert len(catalogue["dcat:dataset"]) == 2
    node = client.get(f"/open-data/datasets/{geo.public_id}.jsonld").json()
    assert node["@type"] == "dcat:Dataset" and node["dct:identifier"] == str(geo.public_id)
    for key in ("dct:title", "dct:description", "dct:publisher", "dct:issued", "dct:modified", "dct:license"):
        assert key in node, key
    assert node["dct:accrualPeriodicity"]["@id"].endswith("/frequency/DAILY")
    distributions = node["dcat:distribution"]
    assert {d["dcat:mediaType"] for d in distributions} == {
        "text/csv",
        "application/json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    assert all(d["dcat:downloadURL"]["@id"].startswith("http://testserver/open-data/") for d in distributions)
    assert all(d["spdx:checksum"]["spdx:checksumValue"] for d in distributions)


def test_publishing_over_http_and_who_may(world, django_capture_on_commit_callbacks):
    resource = open_resource(world.market_official, world.reviewer, DatasetSource.CATALOGUE)
    body = {
        "resource_id": str(resource.public_id),
        "source": "catalogue",
        "title": "政务信息资源目录",
        "theme": "government",
        "keywords": ["目录"],
    }
    assert (
        token_client(world.police_official).post(f"{API}/datasets", body, content_type=JSON).status_code
        == 403
    )
    assert (
        token_client(world.market_clerk).post(f"{API}/datasets", body, content_type=JSON).status_code == 403
    )
    assert (
        token_client(make_citizen("od_c")).post(f"{API}/datasets", body, content_type=JSON).status_code == 403
    )
    assert Client().post(f"{API}/datasets", body, content_type=JSON).status_code == 401
    market = token_client(world.market_official)
    with django_capture_on_commit_callbacks(execute=True):
        created = market.post(f"{API}/datasets", body, content_type=JSON)
    assert created.status_code == 201, created.content
    dataset_id = created.json()["id"]
    assert set(created.json()["allowed_actions"]) == {"download", "update", "withdraw"}
    police = token_client(world.police_official)
    assert police.patch(f"{API}/datasets/{dataset_id}", {"title": "x"}, content_type=JSON).status_code == 404
    assert (
        market.patch(f"{API}/datasets/{dataset_id}", {"title": "资源目录"}, content_type=JSON).json()["title"]
        == "资源目录"
    )
    assert [d["title"] for d in market.get(f"{API}/manage/datasets").json()] == ["资源目录"]
    withdrawn = market.post(f"{API}/datasets/{dataset_id}/withdraw", {"reason": "调整"}, content_type=JSON)
    assert withdrawn.json()["status"] == "withdrawn"
    assert Client().get(f"{API}/datasets/{dataset_id}").status_code == 404
    assert Client().get(f"{API}/datasets/{dataset_id}/download/csv").status_code == 404
    assert Client().get(f"/open-data/datasets/{dataset_id}/").status_code == 404


def test_pages(datasets):
    geo, _ = datasets
    client = Client()
    index = client.get("/open-data/", {"q": "企业"})
    assert index.status_code == 200 and "企业登记统计".encode() in index.content
    assert "合肥市行政区划".encode() not in index.content
    page = client.get(f"/open-data/datasets/{geo.public_id}/")
    assert page.status_code == 200 and b"download/csv/" in page.content
    assert client.get("/open-data/licence/").status_code == 200
    assert client.get("/open-data/keys/").status_code == 302
    citizen = make_citizen("od_page")
    client.force_login(citizen)
    issued = client.post("/open-data/keys/", {"name": "研究"})
    assert issued.status_code == 200 and b"yod_" in issued.content
    key = OpenDataKey.objects.get(user=citizen)
    assert client.post(f"/open-data/keys/{key.public_id}/revoke/").status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
