"""The gateway's reads: field lists, lookups by key, geometry, the change log."""

from __future__ import annotations

import json
from datetime import date

import pytest

from yiwang.bases.errors import BasesErrorCode
from yiwang.bases.reads import FIELDS, changes_after, lookup_company, lookup_person, region_geometry
from yiwang.bases.services import apply_updates
from yiwang.bases.tests import factories
from yiwang.core.errors import DomainError

pytestmark = pytest.mark.django_db


def test_fields_are_the_published_names() -> None:
    assert list(FIELDS["population"]) == [
        "id_number", "name", "gender", "birth_date", "ethnicity", "household_region", "address", "status",
    ]  # fmt: skip
    assert list(FIELDS["legal_person"]) == [
        "credit_code", "name", "type", "legal_representative", "legal_representative_id",
        "registered_capital_fen", "established_on", "status", "region", "address", "business_scope",
        "industry", "registration_authority",
    ]  # fmt: skip
    assert list(FIELDS["geography"]) == ["code", "name", "centroid", "boundary"]
    assert FIELDS["population"]["id_number"] == {"label": "公民身份号码", "type": "string", "personal": True}
    json.dumps(FIELDS)


def test_lookup_person(django_assert_max_num_queries) -> None:
    person = factories.person(name="王芳", id_number=factories.id_number(birth=date(1992, 2, 29)))
    with django_assert_max_num_queries(1):
        found = lookup_person(person.id_number.lower(), ["name", "birth_date", "status"])
    assert found == {"name": "王芳", "birth_date": "1992-02-29", "status": "normal"}
    whole = lookup_person(person.id_number)
    assert whole is not None and set(whole) == set(FIELDS["population"])
    json.dumps(whole)
    assert lookup_person(factories.id_number()) is None
    assert lookup_person("12345") is None


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(DomainError) as refused:
        lookup_person("x", ["name", "salary"])
    assert refused.value.code == BasesErrorCode.UNKNOWN_FIELD and refused.value.status == 400
    with pytest.raises(DomainError):
        lookup_company("x", ["id_number"])


def test_lookup_company() -> None:
    company = factories.company(name="合肥徽创科技有限公司")
    found = lookup_company(company.credit_code, ["name", "registered_capital_fen", "established_on", "type"])
    assert found == {
        "name": "合肥徽创科技有限公司",
        "registered_capital_fen": 100_000_000,
        "established_on": "2015-06-01",
        "type": "enterprise",
    }
    assert lookup_company(factories.credit_code()) is None
    assert lookup_company("not-a-code") is None


def test_region_geometry() -> None:
    factories.geometry("340104", "蜀山区")
    found = region_geometry("340104")
    assert found is not None
    assert found["name"] == "蜀山区" and found["centroid"] == {"lat": 31.85, "lng": 117.26}
    assert found["boundary"]["type"] == "Polygon"
    assert region_geometry("340104", ["centroid"]) == {"centroid": {"lat": 31.85, "lng": 117.26}}
    assert region_geometry("340103") is None
    assert region_geometry("'; drop") is None
    json.dumps(found)


def test_changes_after() -> None:
    numbers = [factories.id_number() for _ in range(3)]
    apply_updates(
        "population",
        [{"id_number": n, "version": 1, "name": "张伟"} for n in numbers],
        source=None,
        batch_id="feed-1",
    )
    every = changes_after(0)
    assert len(every) == 3 and all(c["batch_id"] == "feed-1" and c["created"] for c in every)
    assert changes_after(every[0]["sequence"], limit=1) == [every[1]]
    assert changes_after(every[-1]["sequence"]) == []
    json.dumps(every)
