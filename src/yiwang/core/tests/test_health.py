"""/healthz and /readyz probes."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
import time_machine
from django.test import Client


def test_healthz_needs_no_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ready_when_migrations_are_applied(client: Client) -> None:
    with time_machine.travel("2026-06-01 10:00:00+08:00", tick=False):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "applied"}


@pytest.mark.django_db
def test_readyz_warns_from_october_while_next_year_is_provisional(client: Client) -> None:
    from yiwang.core.calendar import clear_calendar_cache
    from yiwang.core.models import CalendarYear

    CalendarYear.objects.filter(year=2031).delete()
    clear_calendar_cache()
    with time_machine.travel("2030-09-30 10:00:00+08:00", tick=False):
        assert "warnings" not in client.get("/readyz").json()
    with time_machine.travel("2030-10-01 10:00:00+08:00", tick=False):
        response = client.get("/readyz")
    assert response.status_code == 200  # a warning, not a failure
    body = response.json()
    assert body["status"] == "ok"
    assert body["warnings"][0]["code"] == "calendar_year_provisional"
    assert body["warnings"][0]["year"] == 2031
    CalendarYear.objects.create(year=2031, source="人工录入")
    with time_machine.travel("2030-10-01 10:00:00+08:00", tick=False):
        assert "warnings" not in client.get("/readyz").json()


@pytest.mark.django_db
def test_readyz_reports_pending_migrations(client: Client) -> None:
    class FakeMigration:
        app_label = "core"
        name = "9999_future"

    with mock.patch(
        "yiwang.core.health.MigrationExecutor.migration_plan", return_value=[(FakeMigration(), False)]
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["pending_migrations"] == ["core.9999_future"]


@pytest.mark.django_db
def test_readyz_reports_an_unreachable_database(client: Client) -> None:
    def broken_cursor(*args: Any, **kwargs: Any) -> Any:
        raise OSError("connection refused")

    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.cursor", broken_cursor):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
