"""The dashboards API: figures within the caller's scope, validation, Excel export, access."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from yiwang.metrics import sources
from yiwang.metrics.sources import Source
from yiwang.metrics.tests.test_indicators import history
from yiwang.testing.metrics import World
from yiwang.testing.mfa import staff_login

pytestmark = pytest.mark.django_db
SEPT = {"start": "2026-09-01", "end": "2026-09-21"}


def client_of(user) -> Client:
    """A session client; staff pass the second factor (the API refuses a password-only session)."""
    client = Client()
    if user.kind == "staff":
        return staff_login(client, user)
    client.force_login(user)
    return client


def test_summary_is_limited_to_the_users_department(
    world: World, django_assert_max_num_queries, own_sources_only
) -> None:
    history(world)
    client = client_of(world.manager)
    with django_assert_max_num_queries(14):  # session, MFA and roles included
        body = client.get("/api/v1/dashboards/summary", SEPT).json()
    assert body["totals"]["filed"] == 5  # the market's cases only (manager: department scope)
    assert body["metrics"]["on_time_rate"] == 75.0
    assert body["overdue_now"] == 0
    assert body["warning_count"] is None or isinstance(body["warning_count"], int)
    police = client_of(world.clerk).get("/api/v1/dashboards/summary", SEPT).json()
    assert police["totals"]["filed"] == 2 and police["overdue_now"] == 1


def test_a_department_outside_the_scope_is_refused(world: World) -> None:
    response = client_of(world.manager).get(
        "/api/v1/dashboards/summary", {**SEPT, "department": str(world.police.public_id)}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "metrics_out_of_scope"


def test_bad_periods_are_422_with_fields(world: World) -> None:
    response = client_of(world.manager).get(
        "/api/v1/dashboards/summary", {"start": "2026-09-30", "end": "2026-09-01"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "metrics_bad_period" and "end" in response.json()["fields"]
    response = client_of(world.manager).get("/api/v1/dashboards/metrics", {"level": "planet"})
    assert response.status_code == 422 and "level" in response.json()["fields"]


def test_today_top_items_and_metrics_table(
    world: World, django_assert_max_num_queries, own_sources_only
) -> None:
    history(world)
    client = client_of(world.manager)
    with django_assert_max_num_queries(18):
        today = client.get("/api/v1/dashboards/today").json()
    assert [row["key"] for row in today["by_status"]] == [
        "filed",
        "accepted",
        "completed",
        "refused",
        "overdue",
    ]
    top = client.get("/api/v1/dashboards/top-items", SEPT).json()
    assert top[0] == {"key": world.licence.implementation_code, "label": world.licence.name, "count": 4}
    with django_assert_max_num_queries(18):
        table = client.get("/api/v1/dashboards/metrics", {**SEPT, "level": "item"}).json()
    labels = {row["label"]: row["values"] for row in table["rows"]}
    assert labels[world.licence.name]["on_time_rate"] == pytest.approx(66.67)
    assert labels[world.idle.name]["filed_count"] == 0.0
    assert {c["name"] for c in table["columns"]} >= {"operation_rate", "zero_visit_share", "time_saved_days"}


def test_excel_export(world: World) -> None:
    history(world)
    response = client_of(world.manager).get("/api/v1/dashboards/metrics/export", SEPT)
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "2026-09-01 — 2026-09-21"
    assert world.licence.name not in {r[0] for r in rows}  # department level by default
    assert world.market.name in {r[0] for r in rows}


def test_warning_count_is_read_through_the_registry(world: World) -> None:
    previous = sources.get("warning_count")
    key = str(world.market.public_id)
    sources.register(
        Source("warning_count", "预警数", "count", False, lambda p, level: {key: 4.0, "other": 9.0})
    )
    try:
        body = client_of(world.manager).get("/api/v1/dashboards/summary", SEPT).json()
    finally:
        if previous is not None:
            sources.register(previous)
        else:
            sources.unregister("warning_count")
    assert body["warning_count"] == 4


def test_security_auditor_and_applicants_are_refused(world: World) -> None:
    assert client_of(world.auditor).get("/api/v1/dashboards/summary").status_code == 403
    assert client_of(world.applicant).get("/api/v1/dashboards/today").status_code == 403
    assert Client().get("/api/v1/dashboards/today").status_code == 401
