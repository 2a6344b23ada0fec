"""Liveness (/healthz) and readiness (/readyz) probes for the load balancer and orchestrator."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from yiwang.core.calendar import horizon_warning


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable", "error": str(exc)[:200]}, status=503
        )
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        return JsonResponse(
            {
                "status": "unavailable",
                "database": "ok",
                "pending_migrations": [f"{m.app_label}.{m.name}" for m, _ in pending],
            },
            status=503,
        )
    body: dict[str, object] = {"status": "ok", "database": "ok", "migrations": "applied"}
    missing_year = horizon_warning()
    if missing_year is not None:
        # A warning, not a failure: deadlines into that year are counted provisionally (预计).
        body["warnings"] = [
            {
                "code": "calendar_year_provisional",
                "message": f"{missing_year} 年的节假日安排尚未载入，跨年办理时限按法定节假日推算（预计）",
                "year": missing_year,
            }
        ]
    return JsonResponse(body)
