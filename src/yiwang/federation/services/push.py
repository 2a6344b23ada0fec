"""上报 Up-push from a city: the records changed since the last package, one package kind each, through
the exchange system to the parent node.

Per (parent, kind) a :class:`~yiwang.federation.models.Watermark` holds the ``(change time, pk)`` of
the last record packed.  One transaction locks it, takes the next batch after it (at most
``YIWANG_FEDERATION_BATCH`` records, only rows older than ``YIWANG_FEDERATION_LAG_SECONDS`` so a
transaction that commits late is not passed over), builds the signed package and moves the
watermark: a record is packed once, never skipped.  More changes than a batch → several packages.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.exchange.models import ExchangeNode, NodeRole, OutgoingPackage
from yiwang.exchange.services import build_package, push_package
from yiwang.federation.errors import FederationErrorCode
from yiwang.federation.models import Watermark
from yiwang.federation.services.records import BUILDERS

KINDS = tuple(BUILDERS)
META_ENTRY = "meta.json"


def federation_role() -> str:
    return str(getattr(settings, "YIWANG_FEDERATION_ROLE", "") or "")


def batch_size() -> int:
    return max(1, int(getattr(settings, "YIWANG_FEDERATION_BATCH", 5000)))


def lag() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "YIWANG_FEDERATION_LAG_SECONDS", 5)))


def region_prefix() -> str:
    """The digits every region code of this instance starts with (340100 → 3401)."""
    code = str(getattr(settings, "YIWANG_FEDERATION_REGION", "") or "")[:6]
    if len(code) < 6:
        return code
    return code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code


def encode(records: Any) -> bytes:
    return json.dumps(records, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def parent_node() -> ExchangeNode | None:
    return ExchangeNode.objects.filter(role=NodeRole.PARENT, active=True).order_by("pk").first()


def locked_watermark(node: ExchangeNode, kind: str) -> Watermark:
    try:
        with transaction.atomic():
            Watermark.objects.get_or_create(node=node, kind=kind)
    except IntegrityError:
        pass  # created concurrently
    return Watermark.objects.select_for_update().get(node=node, kind=kind)


def check_kind(kind: str | None) -> list[str]:
    if kind is None:
        return list(KINDS)
    if kind not in KINDS:
        raise DomainError(
            FederationErrorCode.UNKNOWN_KIND, f"没有此类上报数据：{kind}", {"kind": [str(kind)[:60]]}
        )
    return [kind]


def build_next(
    kind: str, node: ExchangeNode, *, limit: int | None = None
) -> tuple[OutgoingPackage | None, int]:
    """Pack the next batch of ``kind`` for ``node`` and move its watermark, in one transaction.
    Returns the package (None when nothing changed) and how many source rows it took."""
    limit = limit or batch_size()
    with transaction.atomic():
        mark = locked_watermark(node, kind)
        kwargs: dict[str, Any] = {"until": timezone.now() - lag(), "limit": limit}
        if kind == "federation.catalogue":
            kwargs["region_prefix"] = region_prefix()
        batch = BUILDERS[kind]((mark.last_at, mark.last_pk), **kwargs)
        if not batch.count or batch.last is None:
            return None, 0
        entries = {f"{name}.json": encode(rows) for name, rows in batch.records.items() if rows}
        start = [mark.last_at.isoformat() if mark.last_at else None, mark.last_pk]
        end = [batch.last[0].isoformat(), batch.last[1]]
        entries[META_ENTRY] = encode(
            {
                "kind": kind,
                "source_rows": batch.count,
                "counts": {name: len(rows) for name, rows in batch.records.items()},
                "from": start,
                "to": end,
                "region": str(getattr(settings, "YIWANG_FEDERATION_REGION", "")),
                "standard": "GB/T 39046-2020" if kind == "federation.cases" else "",
            }
        )
        package = build_package(kind, node, entries)
        mark.last_at, mark.last_pk = batch.last
        mark.records += batch.count
        mark.packages += 1
        mark.save(update_fields=["last_at", "last_pk", "records", "packages", "updated_at"])
        audit.record(
            "federation.package_built",
            object_type="federation.watermark",
            object_id=f"{node.node_id}/{kind}",
            detail={"kind": kind, "rows": batch.count, "package": str(package.public_id), "to": end},
        )
    return package, batch.count


def push_changes(
    kind: str | None = None, *, limit: int | None = None, push: bool = True
) -> list[OutgoingPackage]:
    """上报 Build the packages of every kind (or ``kind``) for the parent node and push them.  Only a
    city instance (``YIWANG_FEDERATION_ROLE = "city"``) with an active parent node does anything."""
    kinds = check_kind(kind)
    if federation_role() != "city":
        return []
    node = parent_node()
    if node is None:
        return []
    limit = limit or batch_size()
    built: list[OutgoingPackage] = []
    for name in kinds:
        while True:
            package, count = build_next(name, node, limit=limit)
            if package is None:
                break
            built.append(package)
            if count < limit:
                break
    if push:
        built = [push_package(package) for package in built]
    return built
