"""/healthz and /readyz probes."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.test import Client


def test_healthz_needs_no_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ready_when_migrations_are_applied(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "applied"}


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
