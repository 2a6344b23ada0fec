"""Generators: every ID number and credit code valid and consistent; deterministic; bulk insert."""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.bases.generate import (
    COMPANY_KINDS,
    credit_body,
    generate_companies,
    generate_persons,
    seed_bases,
)
from yiwang.bases.geometry import generate_addresses, generate_region_geometry
from yiwang.bases.models import Address, Company, Person, RegionGeometry
from yiwang.bases.places import DISTRICT_BY_CODE
from yiwang.core.identifiers import validate_credit_code, validate_id_number
from yiwang.testing.accounts import region

KIND_BY_TYPE = {kind.type: kind for kind in COMPANY_KINDS}


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10**6), count=st.integers(min_value=1, max_value=300))
def test_every_generated_person_has_a_valid_consistent_id_number(seed: int, count: int) -> None:
    people = list(generate_persons(count, seed=seed))
    assert len(people) == count
    assert len({p.id_number for p in people}) == count
    for person in people:
        info = validate_id_number(person.id_number)
        assert info.gender == person.gender
        assert info.birth_date == person.birth_date
        assert info.region_code == person.household_region
        assert person.household_region in DISTRICT_BY_CODE
        assert DISTRICT_BY_CODE[person.household_region].name in person.address
        assert 2 <= len(person.name) <= 3
        assert person.id_number[14:17] not in {"998", "999"}


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10**6), count=st.integers(min_value=1, max_value=200))
def test_every_generated_credit_code_is_valid_and_fits_the_company(seed: int, count: int) -> None:
    representatives = list(generate_persons(50, seed=seed))
    companies = list(generate_companies(count, seed=seed, representatives=representatives))
    assert len({c.credit_code for c in companies}) == count
    by_id = {p.id_number: p for p in representatives}
    for company in companies:
        info = validate_credit_code(company.credit_code)
        kind = KIND_BY_TYPE[company.type]
        assert (info.registration_department, info.entity_type) == (
            kind.registration_department,
            kind.entity_type,
        )
        assert info.area_code == company.region
        assert by_id[company.legal_representative_id].name == company.legal_representative
        assert company.registered_capital_fen >= 0


@given(a=st.integers(min_value=0, max_value=31**6 - 1), b=st.integers(min_value=0, max_value=31**6 - 1))
def test_credit_bodies_are_distinct(a: int, b: int) -> None:
    assert (credit_body(a) == credit_body(b)) == (a == b)


def test_generation_is_deterministic_and_avoids_reserved_numbers() -> None:
    first = list(generate_persons(200, seed=7))
    assert first == list(generate_persons(200, seed=7))
    assert first != list(generate_persons(200, seed=8))
    reserved = {first[0].id_number, first[5].id_number}
    again = list(generate_persons(200, seed=7, reserved=reserved))
    assert not reserved & {p.id_number for p in again}


@pytest.mark.django_db
def test_seed_bases_inserts_encrypted_rows_and_is_idempotent(django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(40):
        report = seed_bases(persons=300, companies=60, seed=3, batch_size=100)
    assert (report.persons, report.companies) == (300, 60)
    assert Person.objects.count() == 300 and Company.objects.count() == 60
    seed_bases(persons=300, companies=60, seed=3)
    assert Person.objects.count() == 300 and Company.objects.count() == 60
    sample = Person.objects.first()
    assert sample is not None
    assert Person.objects.filter(id_number=sample.id_number).get() == sample
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, id_number FROM bases_person WHERE id = %s", [sample.pk])
        stored_name, stored_id = cursor.fetchone()
    assert sample.name not in stored_name and sample.id_number not in stored_id  # encrypted at rest


@pytest.mark.django_db
def test_synthetic_geometry_and_addresses() -> None:
    region("3401")
    region("340104", "蜀山区")
    assert generate_region_geometry() == 3  # 安徽省, 合肥市, 蜀山区
    assert generate_region_geometry() == 0
    shu = RegionGeometry.objects.get(code="340104")
    assert shu.synthetic and (round(shu.centroid_lat, 2), round(shu.centroid_lng, 2)) == (31.85, 117.26)
    ring = shu.boundary["coordinates"][0]
    assert shu.boundary["type"] == "Polygon" and ring[0] == ring[-1] and len(ring) == 9
    assert generate_addresses(per_road=2) > 0
    assert Address.objects.filter(region="340104", street="长江西路", house_number="1号").exists()
