"""刷新可跨域办理事项 The filing instance keeps the peers' items open to filing elsewhere."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.crossregion.errors import CrossregionErrorCode
from yiwang.crossregion.models import RemoteItem, RemoteRegion
from yiwang.crossregion.node_client import node_get
from yiwang.exchange.models import ExchangeNode

logger = logging.getLogger("yiwang.crossregion")
FIELDS = (
    "code",
    "name",
    "department",
    "tongban_range",
    "required_assurance_level",
    "form_definition",
    "materials",
)


def _fail(region: RemoteRegion, error: str) -> DomainError:
    RemoteRegion.objects.filter(pk=region.pk).update(last_error=error[:500])
    logger.warning("crossregion refresh of %s failed: %s", region.node.node_id, error)
    return DomainError(
        CrossregionErrorCode.REFRESH_FAILED, f"无法取得对方可办事项：{error}"[:200], status=502
    )


def _clean(row: Any) -> dict[str, Any] | None:
    if not isinstance(row, dict):
        return None
    try:
        remote_id = uuid.UUID(str(row.get("id")))
    except ValueError:
        return None
    materials = [
        {"id": str(m.get("id")), "name": str(m.get("name", ""))[:200], "mandatory": bool(m.get("mandatory"))}
        for m in row.get("materials") or []
        if isinstance(m, dict) and m.get("id")
    ]
    definition = row.get("form_definition") if isinstance(row.get("form_definition"), dict) else {}
    return {
        "remote_id": remote_id,
        "code": str(row.get("code", ""))[:31],
        "name": str(row.get("name", ""))[:300],
        "department": str(row.get("department", ""))[:200],
        "tongban_range": str(row.get("tongban_range", ""))[:1],
        "required_assurance_level": max(0, min(3, int(row.get("required_assurance_level") or 0))),
        "form_definition": definition,
        "materials": materials,
    }


def refresh_region(node: ExchangeNode) -> RemoteRegion:
    """Ask ``node`` (a signed node request) for its items open to filing elsewhere and keep them;
    items it no longer lists become unavailable (cases filed for them keep their row)."""
    region, _ = RemoteRegion.objects.get_or_create(node=node, defaults={"name": node.name})
    try:
        answer = node_get(node, "/items")
    except OSError as exc:
        raise _fail(region, f"network: {exc}") from exc
    data = answer.json()
    if answer.status != 200 or not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise _fail(region, answer.error)
    rows = [row for row in (_clean(r) for r in data["items"]) if row is not None]
    raw = data.get("region")
    info: dict[str, Any] = raw if isinstance(raw, dict) else {}
    with transaction.atomic():
        region = RemoteRegion.objects.select_for_update().get(pk=region.pk)
        region.name = str(info.get("name") or node.name)[:200]
        region.region_code = str(info.get("region_code") or "")[:12]
        region.sso_client_id = str(info.get("sso_client_id") or "")[:100]
        region.refreshed_at = timezone.now()
        region.last_error = ""
        region.save(
            update_fields=["name", "region_code", "sso_client_id", "refreshed_at", "last_error", "updated_at"]
        )
        seen = []
        for row in rows:
            remote_id = row.pop("remote_id")
            RemoteItem.objects.update_or_create(
                region=region, remote_id=remote_id, defaults={**row, "available": True}
            )
            seen.append(remote_id)
        gone = RemoteItem.objects.filter(region=region, available=True).exclude(remote_id__in=seen)
        withdrawn = gone.update(available=False)
        audit.record(
            "crossregion.items_refreshed",
            obj=region,
            detail={"node": node.node_id, "items": len(seen), "withdrawn": withdrawn},
        )
    return region


def refresh_all() -> dict[str, str]:
    """Every active peer node (the scheduler's ``crossregion_refresh``): node id → "ok" or the error."""
    outcome: dict[str, str] = {}
    for node in ExchangeNode.objects.filter(active=True).exclude(base_url=""):
        try:
            region = refresh_region(node)
            outcome[node.node_id] = f"ok ({region.items.filter(available=True).count()} items)"
        except DomainError as exc:
            outcome[node.node_id] = exc.message
    return outcome
