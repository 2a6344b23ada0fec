"""办件库: search filters, data scope and the query count of the list endpoint."""

from __future__ import annotations

import pytest

from yiwang.cases.library import LibraryFilter, parse_filter, search_cases
from yiwang.cases.models import CaseStatus
from yiwang.cases.tests.conftest import make_region_staff, token_client
from yiwang.cases.tests.factories import make_staff, submit_case
from yiwang.core.errors import DomainError, PermissionDenied

pytestmark = [pytest.mark.django_db]


def _numbers(qs):
    return {case.number for case in qs}


def test_department_staff_see_only_their_department(records_world):
    w = records_world
    assert _numbers(search_cases(w["clerk"], LibraryFilter())) == {
        w["on_time"].number,
        w["late"].number,
        w["open"].number,
    }


def test_region_scope_reaches_sub_regions_but_not_other_cities(records_world):
    w = records_world
    supervisor = make_region_staff(w["department"], "rec_supervisor", ("supervisor",))
    seen = _numbers(search_cases(supervisor, LibraryFilter()))
    assert w["county"].number in seen
    assert w["far"].number not in seen
    assert len(seen) == 4
    far_clerk = make_staff(w["far_dept"], "rec_far", ("window_clerk",))
    assert _numbers(search_cases(far_clerk, LibraryFilter())) == {w["far"].number}


def test_staff_without_a_case_role_are_refused(records_world):
    manager = make_staff(records_world["department"], "rec_manager", ("service_manager",))
    with pytest.raises(PermissionDenied):
        search_cases(manager, LibraryFilter())


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "completed"}, {"on_time", "late"}),
        ({"status": "submitted"}, {"open", "county"}),
        ({"channel": "window"}, {"open"}),
        ({"region": "340104"}, {"county"}),
        ({"region": "340100"}, {"on_time", "late", "open", "county"}),
        ({"date_from": "2026-09-21", "date_to": "2026-09-21"}, {"on_time", "late", "open", "county"}),
        ({"date_from": "2026-09-22"}, set()),
        ({"applicant_name": "张"}, {"on_time", "late", "open", "county"}),
    ],
)
def test_filters(records_world, params, expected):
    w = records_world
    supervisor = make_region_staff(w["department"], "rec_supervisor", ("supervisor",))
    assert _numbers(search_cases(supervisor, parse_filter(params))) == {w[key].number for key in expected}


def test_item_department_and_number_filters(records_world):
    w = records_world
    clerk = w["clerk"]
    by_item = search_cases(clerk, parse_filter({"item": str(w["item"].public_id)}))
    assert _numbers(by_item) == {w["on_time"].number, w["open"].number}
    by_department = search_cases(clerk, parse_filter({"department": str(w["county_dept"].public_id)}))
    assert list(by_department) == []  # outside the clerk's scope, whatever the filter says
    by_number = search_cases(clerk, parse_filter({"number": w["late"].number}))
    assert _numbers(by_number) == {w["late"].number}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"channel": "fax"}, "channel"),
        ({"item": "not-a-uuid"}, "item"),
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_from": "2026-09-22", "date_to": "2026-09-21"}, "date_to"),
        ({"region": "34ab"}, "region"),
    ],
)
def test_bad_filters_are_422_with_the_field(params, field):
    with pytest.raises(DomainError) as exc:
        parse_filter(params)
    assert exc.value.status == 422
    assert field in exc.value.fields


def test_api_pages_and_filters(records_world):
    client = token_client(records_world["clerk"])
    response = client.get("/api/v1/library/cases", {"limit": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert len(body["items"]) == 2
    response = client.get("/api/v1/library/cases", {"status": CaseStatus.SUBMITTED})
    assert [row["number"] for row in response.json()["items"]] == [records_world["open"].number]
    response = client.get("/api/v1/library/cases", {"channel": "fax"})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert "channel" in response.json()["fields"]


def test_list_query_count_does_not_grow_with_the_page(records_world, django_assert_max_num_queries):
    client = token_client(records_world["clerk"])
    client.get("/api/v1/library/cases")  # warm caches (content types, etc.)
    with django_assert_max_num_queries(12):
        assert client.get("/api/v1/library/cases").status_code == 200
    citizen = records_world["on_time"].applicant
    for _ in range(8):
        submit_case(records_world["item"], citizen)
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/library/cases")
    assert response.json()["count"] == 11
