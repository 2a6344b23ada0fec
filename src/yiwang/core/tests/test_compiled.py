"""Compiled reads give exactly the ORM's rows, and a shape they cannot prove goes to the ORM.

Parameters are named: the order of the SQL's parameters is matched from the values, never written
by the caller."""

from __future__ import annotations

from typing import Any

import pytest

from yiwang.cases.models import Case, CaseStatus
from yiwang.cases.reads import SUMMARY_COLUMNS
from yiwang.cases.services import accept_case
from yiwang.core.calendar import seed_calendar
from yiwang.core.compiled import Ambiguous, CompiledRows, bind, match_parameters
from yiwang.testing.cases import (
    OrganisationFactory,
    ServiceItemFactory,
    make_citizen,
    make_staff,
    submit_case,
)

pytestmark = pytest.mark.django_db


def page(organisation_id: int, statuses: list[str], offset: int, limit: int) -> Any:
    return (
        Case.objects.filter(handling_organisation_id=organisation_id, status__in=statuses)
        .order_by("submitted_at")
        .values_list(*SUMMARY_COLUMNS)[offset : offset + limit]
    )


@pytest.fixture
def world(settings: Any, tmp_path: Any) -> tuple[int, int]:
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_calendar([2025, 2026, 2027])
    first, second = OrganisationFactory(name="甲局"), OrganisationFactory(name="乙局")
    citizen = make_citizen("citizen_c")
    for organisation, count in ((first, 5), (second, 3)):
        item = ServiceItemFactory(implementing_body=organisation)
        clerk = make_staff(organisation, f"clerk_{organisation.pk}", ("window_clerk",))
        for n in range(count):
            case = submit_case(item, citizen)
            if n % 2:
                accept_case(case, actor=clerk)
    return first.pk, second.pk


def test_compiled_rows_equal_the_orm(world: tuple[int, int]) -> None:
    compiled = CompiledRows("test")
    for organisation_id in world:
        for statuses in ([CaseStatus.SUBMITTED], [CaseStatus.ACCEPTED, CaseStatus.SUBMITTED]):
            statuses = sorted(statuses)
            for offset, limit in ((0, 50), (1, 2), (0, 1)):
                got = compiled.rows(
                    lambda o=organisation_id, s=statuses, a=offset, b=limit: page(o, s, a, b),
                    shape=(tuple(statuses), offset, limit),
                    params={"statuses": tuple(statuses), "organisation_id": organisation_id},
                )
                expected = list(page(organisation_id, statuses, offset, limit))
                assert got == expected
                assert [type(v) for v in got[0]] == [type(v) for v in expected[0]]
    assert all(compiled.shapes().values())


def test_a_shape_whose_parameters_differ_goes_to_the_orm(world: tuple[int, int]) -> None:
    compiled = CompiledRows("test")
    first, second = world
    statuses = [CaseStatus.SUBMITTED]
    # The caller claims other parameters than the SQL takes: never compiled, always the ORM's answer.
    for organisation_id in (first, second, first):
        got = compiled.rows(
            lambda o=organisation_id: page(o, statuses, 0, 50),
            shape=("wrong",),
            params={"organisation_id": organisation_id, "statuses": ("not-a-status",)},
        )
        assert got == list(page(organisation_id, statuses, 0, 50))
    assert compiled.shapes() == {("wrong",): False}


def test_a_named_value_the_sql_does_not_take_goes_to_the_orm(world: tuple[int, int]) -> None:
    compiled = CompiledRows("test")
    first, _second = world
    statuses = [CaseStatus.SUBMITTED]
    got = compiled.rows(
        lambda: page(first, statuses, 0, 50),
        shape=("extra",),
        params={"organisation_id": first, "statuses": tuple(statuses), "region_id": 99},
    )
    assert got == list(page(first, statuses, 0, 50))
    assert compiled.shapes() == {("extra",): False}


def test_an_ambiguous_call_is_answered_by_the_orm_and_a_later_one_compiles(world: tuple[int, int]) -> None:
    compiled = CompiledRows("test")
    first, _second = world
    statuses = [CaseStatus.SUBMITTED]

    def build() -> Any:
        return page(first, statuses, 0, 50)

    # Two names hold the same value: which one the SQL takes cannot be told from this call.
    got = compiled.rows(
        build, shape=("s",), params={"organisation_id": first, "statuses": tuple(statuses), "twin": first}
    )
    assert got == list(build()) and compiled.shapes() == {}
    got = compiled.rows(build, shape=("s",), params={"organisation_id": first, "statuses": tuple(statuses)})
    assert got == list(build()) and compiled.shapes() == {("s",): True}


def test_switched_off_everything_goes_through_the_orm(world: tuple[int, int], settings: Any) -> None:
    settings.YIWANG_COMPILED_ROWS = False
    compiled = CompiledRows("test")
    first, _second = world
    statuses = [CaseStatus.SUBMITTED]
    got = compiled.rows(
        lambda: page(first, statuses, 0, 50),
        shape=("off",),
        params={"organisation_id": first, "statuses": tuple(statuses)},
    )
    assert got == list(page(first, statuses, 0, 50)) and compiled.shapes() == {}


def test_parameters_are_matched_by_value_and_type() -> None:
    plan = match_parameters([7, "a", "b"], {"statuses": ("a", "b"), "organisation_id": 7})
    assert plan == [("organisation_id", None), ("statuses", 0), ("statuses", 1)]
    assert bind(plan, {"statuses": ("x", "y"), "organisation_id": 8}) == [8, "x", "y"]
    assert match_parameters([1], {"flag": True}) is None  # 1 == True, but not the same value
    assert match_parameters([7, 7], {"organisation_id": 7}) == [("organisation_id", None)] * 2
    with pytest.raises(Ambiguous):
        match_parameters([7], {"a": 7, "b": 7})
