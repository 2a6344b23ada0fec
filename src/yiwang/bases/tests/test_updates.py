"""apply_updates: upserts with versions, idempotent replays, the change log and the audit entry."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from yiwang.bases.errors import BasesErrorCode
from yiwang.bases.models import BaseChange, Company, Person, RegionGeometry
from yiwang.bases.services import apply_updates
from yiwang.bases.tests import factories
from yiwang.core.errors import DomainError
from yiwang.core.models import AuditEvent
from yiwang.core.protected import protected_digest
from yiwang.testing.accounts import organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen() -> object:
    with time_machine.travel("2026-12-01 10:00:00+08:00", tick=False) as traveller:
        yield traveller


ID = factories.id_number(sequence=131, birth=date(1990, 5, 12))


def _person(version: int, **values: object) -> dict[str, object]:
    return {"id_number": ID, "version": version, **values}


def test_create_then_newer_version_updates_and_logs_changed_fields() -> None:
    police = organisation("合肥市公安局")
    first = apply_updates(
        "population", [_person(1, name="张伟", address="蜀山区长江西路1号")], source=police, batch_id="b1"
    )
    assert (first.created, first.updated) == (1, 0)
    person = Person.objects.get(id_number=ID)
    assert (person.gender, person.birth_date, person.household_region) == (
        "male",
        date(1990, 5, 12),
        "340104",
    )
    assert person.source == police and person.version == 1
    second = apply_updates(
        "population", [_person(2, address="包河区徽州大道2号", name="张伟")], source=police, batch_id="b2"
    )
    assert (second.created, second.updated) == (0, 1)
    person.refresh_from_db()
    assert person.address == "包河区徽州大道2号" and person.version == 2
    changes = list(BaseChange.objects.order_by("sequence"))
    assert [c.fields for c in changes] == [["address", "name"], ["address"]]
    assert [c.created for c in changes] == [True, False]
    assert changes[0].sequence < changes[1].sequence
    assert all(c.subject_digest == protected_digest(ID, "code") and c.base == "population" for c in changes)
    assert second.changes == [changes[1].sequence]


def test_an_older_version_never_overwrites_and_a_replay_changes_nothing() -> None:
    batch = [_person(3, name="张伟", status="normal")]
    apply_updates("population", batch, source=None, batch_id="b3")
    before = BaseChange.objects.count()
    replay = apply_updates("population", batch, source=None, batch_id="b3")
    assert (replay.created, replay.updated, replay.stale) == (0, 0, 1)
    older = apply_updates(
        "population", [_person(2, name="李四", status="deceased")], source=None, batch_id="b2"
    )
    assert older.stale == 1
    person = Person.objects.get(id_number=ID)
    assert (person.name, person.status, person.version) == ("张伟", "normal", 3)
    assert BaseChange.objects.count() == before
    audits = AuditEvent.objects.filter(action="bases.batch_applied").order_by("sequence")
    assert [a.object_id for a in audits] == ["b3", "b3", "b2"]
    assert audits[1].detail["stale"] == 1


def test_a_newer_version_with_the_same_values_moves_only_the_version() -> None:
    apply_updates("population", [_person(1, name="张伟")], source=None, batch_id="a")
    report = apply_updates("population", [_person(2, name="张伟")], source=None, batch_id="b")
    assert report.unchanged == 1 and BaseChange.objects.count() == 1
    assert Person.objects.get(id_number=ID).version == 2


def test_versions_within_one_batch_apply_in_order() -> None:
    report = apply_updates(
        "population",
        [_person(2, name="张伟", status="deceased"), _person(1, name="张伟", status="normal")],
        source=None,
        batch_id="mixed",
    )
    assert report.created == 1
    person = Person.objects.get(id_number=ID)
    assert (person.status, person.version) == ("deceased", 2)
    assert BaseChange.objects.get().fields == ["name", "status"]


def test_one_bad_record_refuses_the_whole_batch() -> None:
    good = _person(1, name="张伟")
    bad = {"id_number": "340104199005121310", "version": 1, "name": "王五"}  # wrong check digit
    wrong_gender = _person(1, name="张伟", gender="female")
    with pytest.raises(DomainError) as refused:
        apply_updates(
            "population", [good, bad, wrong_gender, {"version": 0, "colour": 1}], source=None, batch_id="x"
        )
    assert refused.value.code == BasesErrorCode.INVALID_RECORD
    assert set(refused.value.fields) == {"records[1]", "records[2]", "records[3]"}
    assert "gender" in refused.value.fields["records[2]"][0]
    assert Person.objects.count() == 0 and BaseChange.objects.count() == 0


def test_a_new_record_needs_its_required_fields() -> None:
    with pytest.raises(DomainError) as refused:
        apply_updates("population", [_person(1, status="normal")], source=None, batch_id="x")
    assert refused.value.code == BasesErrorCode.INVALID_RECORD
    assert Person.objects.count() == 0


def test_unknown_base_and_oversized_batch() -> None:
    with pytest.raises(DomainError) as unknown:
        apply_updates("weather", [], source=None, batch_id="x")
    assert unknown.value.code == BasesErrorCode.UNKNOWN_BASE
    with pytest.raises(DomainError):
        apply_updates("population", [_person(1, name="x")] * 10_001, source=None, batch_id="x")


def test_legal_person_and_geography_feeds() -> None:
    code = factories.credit_code()
    representative = factories.id_number()
    apply_updates(
        "legal_person",
        [
            {
                "credit_code": code,
                "version": 1,
                "name": "合肥新创科技有限公司",
                "legal_representative": "李娜",
                "legal_representative_id": representative,
                "registered_capital_fen": 5_000_000_00,
                "established_on": "2020-01-02",
                "status": "operating",
                "industry": "i6510",
            }
        ],
        source=None,
        batch_id="l1",
    )
    company = Company.objects.get(credit_code=code)
    assert (company.region, company.industry, company.established_on) == ("340104", "I6510", date(2020, 1, 2))
    assert Company.objects.filter(legal_representative_id=representative).get() == company
    apply_updates(
        "legal_person",
        [{"credit_code": code, "version": 2, "status": "cancelled"}],
        source=None,
        batch_id="l2",
    )
    company.refresh_from_db()
    assert company.status == "cancelled"
    apply_updates(
        "geography",
        [
            {
                "code": "340104",
                "version": 1,
                "name": "蜀山区",
                "centroid": {"lat": 31.85, "lng": 117.26},
                "boundary": {
                    "type": "Polygon",
                    "coordinates": [[[117.2, 31.8], [117.3, 31.8], [117.3, 31.9], [117.2, 31.8]]],
                },
            }
        ],
        source=None,
        batch_id="g1",
    )
    apply_updates(
        "geography",
        [{"code": "340104", "version": 2, "centroid": [31.86, 117.27]}],
        source=None,
        batch_id="g2",
    )
    geometry = RegionGeometry.objects.get(code="340104")
    assert (geometry.centroid_lat, geometry.centroid_lng, geometry.version) == (31.86, 117.27, 2)
    assert BaseChange.objects.filter(base="geography").order_by("sequence").last().fields == ["centroid"]


def test_batch_query_count_does_not_grow_with_new_records(django_assert_max_num_queries) -> None:
    records = [{"id_number": factories.id_number(), "version": 1, "name": f"测试{n}"} for n in range(50)]
    with django_assert_max_num_queries(15):
        report = apply_updates("population", records, source=None, batch_id="bulk")
    assert report.created == 50 and BaseChange.objects.count() == 50
