"""办件统计: counts by item/department/status/channel/month and the on-time rate (按期办结率)."""

from __future__ import annotations

import pytest

from yiwang.cases.library import LibraryFilter, case_report, parse_filter
from yiwang.cases.tests.conftest import make_region_staff, token_client
from yiwang.core.errors import DomainError

pytestmark = [pytest.mark.django_db]


def _by_key(rows):
    return {row.key: row for row in rows}


def test_by_item_with_on_time_rate(records_world):
    w = records_world
    rows = _by_key(case_report(w["clerk"], LibraryFilter(), "item"))
    food = rows[str(w["item"].public_id)]
    assert (food.label, food.total, food.closed, food.with_due, food.on_time) == ("食品经营许可", 2, 1, 1, 1)
    assert food.on_time_rate == 1.0
    late = rows[str(w["other_item"].public_id)]
    assert (late.total, late.closed, late.on_time, late.on_time_rate) == (1, 1, 0, 0.0)


def test_by_status_and_channel(records_world):
    w = records_world
    by_status = _by_key(case_report(w["clerk"], LibraryFilter(), "status"))
    assert {k: (r.label, r.total) for k, r in by_status.items()} == {
        "completed": ("已办结", 2),
        "submitted": ("待受理", 1),
    }
    assert by_status["completed"].on_time_rate == 0.5
    by_channel = _by_key(case_report(w["clerk"], LibraryFilter(), "channel"))
    assert by_channel["window"].total == 1
    assert by_channel["window"].label == "窗口"
    assert by_channel["window"].on_time_rate is None  # nothing closed


def test_by_department_follows_scope(records_world):
    w = records_world
    supervisor = make_region_staff(w["department"], "rec_supervisor", ("supervisor",))
    rows = case_report(supervisor, LibraryFilter(), "department")
    assert [(row.label, row.total) for row in rows] == [
        (w["department"].name, 3),
        ("蜀山区市场监督管理局", 1),
    ]


def test_by_month_uses_local_dates_and_filters_apply(records_world):
    w = records_world
    rows = case_report(w["clerk"], LibraryFilter(), "month")
    assert [(row.key, row.label, row.total) for row in rows] == [("2026-09", "2026年09月", 3)]
    assert case_report(w["clerk"], parse_filter({"date_from": "2026-10-01"}), "month") == []


def test_unknown_dimension_is_a_422(records_world):
    with pytest.raises(DomainError) as exc:
        case_report(records_world["clerk"], LibraryFilter(), "weather")
    assert exc.value.status == 422


def test_report_api(records_world, django_assert_max_num_queries):
    client = token_client(records_world["clerk"])
    client.get("/api/v1/library/report")
    with django_assert_max_num_queries(10):
        response = client.get("/api/v1/library/report", {"group_by": "status"})
    assert response.status_code == 200
    body = response.json()
    assert body["group_by"] == "status"
    completed = next(row for row in body["rows"] if row["key"] == "completed")
    assert completed == {
        "key": "completed",
        "label": "已办结",
        "total": 2,
        "closed": 2,
        "with_due": 2,
        "on_time": 1,
        "on_time_rate": 0.5,
    }
    assert client.get("/api/v1/library/report", {"group_by": "weather"}).status_code == 422
