"""大厅屏 Hall-screen view: published items by department in large type, refreshed by htmx every
minute; no login, no navigation (the same published source as the portal and the API)."""

from __future__ import annotations

import uuid
from itertools import groupby
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from yiwang.catalog.models import ItemStatus, ServiceItem

REFRESH_SECONDS = 60
MAX_ITEMS = 2000


def hall_items(request: HttpRequest) -> HttpResponse:
    department = request.GET.get("department", "").strip()
    items = (
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, revision_of__isnull=True)
        .select_related("implementing_body")
        .only(
            "public_id",
            "name",
            "committed_limit_days",
            "visits_required",
            "online_depth",
            "implementing_body__name",
            "implementing_body__short_name",
            "implementing_body__public_id",
        )
        .order_by("implementing_body__name", "name", "pk")
    )
    if department:
        try:
            items = items.filter(implementing_body__public_id=uuid.UUID(department))
        except ValueError:  # a malformed id shows an empty screen, not an error
            items = items.none()
    rows = list(items[:MAX_ITEMS])
    departments: list[dict[str, Any]] = [
        {"name": name, "items": list(group)}
        for name, group in groupby(rows, key=lambda item: item.implementing_body.name)
    ]
    context = {
        "departments": departments,
        "total": len(rows),
        "updated_at": timezone.localtime(),
        "refresh_seconds": REFRESH_SECONDS,
        "department": department,
    }
    if request.headers.get("HX-Request"):
        return render(request, "portal/_hall_items.html", context)
    return render(request, "portal/hall_items.html", context)
