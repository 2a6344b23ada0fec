"""Queries of crossregion: the items this instance offers to filing elsewhere, remote items and cases."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from yiwang.catalog.forms import definition_of
from yiwang.catalog.models import ItemStatus, ServiceItem, TongbanRange
from yiwang.crossregion.models import RemoteCase, RemoteItem

OPEN_ELSEWHERE = (TongbanRange.NATIONWIDE, TongbanRange.CROSS_PROVINCE, TongbanRange.PROVINCE)


def items_open_elsewhere() -> QuerySet[ServiceItem]:
    """Published online items whose 通办范围 lets them be filed at another instance."""
    return (
        ServiceItem.objects.filter(
            status=ItemStatus.PUBLISHED,
            online_apply=True,
            tongban_range__in=[r.value for r in OPEN_ELSEWHERE],
        )
        .select_related("implementing_body")
        .prefetch_related("materials")
        .order_by("implementation_code")
    )


def item_listing(item: ServiceItem) -> dict[str, Any]:
    return {
        "id": str(item.public_id),
        "code": item.implementation_code,
        "name": item.name,
        "department": item.implementing_body.name if item.implementing_body_id else "",
        "tongban_range": item.tongban_range,
        "required_assurance_level": int(item.required_assurance_level),
        "form_definition": definition_of(item.form_definition, item.form_fields),
        "materials": [
            {"id": str(m.public_id), "name": m.name, "mandatory": bool(m.mandatory)}
            for m in item.materials.all()
        ],
    }


def node_listing() -> dict[str, Any]:
    """What ``GET /api/v1/crossregion/node/items`` answers: this instance and its open items."""
    return {
        "region": {
            "name": getattr(settings, "YIWANG_SITE_NAME", "") or "",
            "region_code": settings.YIWANG_FEDERATION_REGION,
            "sso_issuer": settings.YIWANG_UPSTREAM_OIDC_ISSUER,
            "sso_client_id": settings.YIWANG_UPSTREAM_OIDC_CLIENT_ID,
        },
        "items": [item_listing(item) for item in items_open_elsewhere()],
    }


def remote_items() -> QuerySet[RemoteItem]:
    return RemoteItem.objects.filter(available=True, region__node__active=True).select_related(
        "region", "region__node"
    )


def my_remote_cases(user: Any) -> QuerySet[RemoteCase]:
    return RemoteCase.objects.filter(applicant=user).select_related("item", "item__region")
