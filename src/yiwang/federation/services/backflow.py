"""数据回流 Back-flow from the province to each city: what the province holds about the city's own
items that arose at the province — ratings given on the province's channels for the city's items,
the base items the city's list is checked against and the 四级四同 findings of each item.

One package kind, ``federation.backflow`` (entries ``ratings.json``, ``base_items.json``,
``findings.json``), built per child under watermarks like the up-push; a base item changed at the
province re-checks the child's items that use it.  The city's handler upserts
:class:`~yiwang.federation.models.BackflowRecord` rows (order-safe on ``source_version``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.catalog.models import BaseItem
from yiwang.core import audit
from yiwang.exchange.handlers import ReceivedPackage
from yiwang.exchange.models import ExchangeNode, NodeRole, OutgoingPackage
from yiwang.exchange.services import build_package, push_package
from yiwang.federation.models import BackflowRecord, BackflowType, ConsistencyFinding, FederatedCatalogueItem
from yiwang.federation.services.consistency import check_items
from yiwang.federation.services.push import batch_size, encode, federation_role, lag, locked_watermark
from yiwang.federation.services.receive import entry, sender_node, upsert
from yiwang.federation.services.records import after, version_of
from yiwang.ratings.models import Rating, RatingLevel

KIND = "federation.backflow"


def _base_record(base: BaseItem) -> dict[str, Any]:
    return {
        "code": base.code,
        "name": base.name,
        "item_type": base.item_type,
        "legal_basis": base.legal_basis,
        "statutory_limit_days": base.statutory_limit_days,
        "status": base.status,
        "source_version": version_of(base.updated_at, base.pk),
    }


def _rating_record(r: Rating) -> dict[str, Any]:
    inv = r.invitation
    return {
        "rating_id": str(r.public_id),
        "item_code": inv.item.implementation_code if inv.item else "",
        "item_name": inv.item.name if inv.item else "",
        "department": inv.organisation.name,
        "channel": r.channel,
        "level": r.level,
        "level_label": str(RatingLevel(r.level).label),
        "reasons": list(r.reasons or []),
        "is_default": r.is_default,
        "rated_at": timezone.localtime(r.rated_at).isoformat(timespec="seconds"),
        "source_version": version_of(r.updated_at, r.pk),
    }


def build_backflow(node: ExchangeNode, *, limit: int | None = None) -> OutgoingPackage | None:
    """Pack what is due for child ``node`` (one package, up to ``limit`` records per entry)."""
    limit = limit or batch_size()
    until = timezone.now() - lag()
    with transaction.atomic():
        ratings_mark = locked_watermark(node, "backflow.ratings")
        bases_mark = locked_watermark(node, "backflow.base_items")
        codes = FederatedCatalogueItem.objects.filter(node=node).values("implementation_code")
        ratings = list(
            after(
                Rating.objects.filter(updated_at__lte=until),
                "updated_at",
                (ratings_mark.last_at, ratings_mark.last_pk),
            )
            .filter(invitation__item__implementation_code__in=codes)
            .select_related("invitation__item", "invitation__organisation")
            .order_by("updated_at", "pk")[:limit]
        )
        base_codes = FederatedCatalogueItem.objects.filter(node=node).values("base_code")
        changed_bases = list(
            after(
                BaseItem.objects.filter(updated_at__lte=until, code__in=base_codes),
                "updated_at",
                (bases_mark.last_at, bases_mark.last_pk),
            ).order_by("updated_at", "pk")[:limit]
        )
        if changed_bases:  # a base item changed here: re-check the child's items that use it
            check_items(
                list(
                    FederatedCatalogueItem.objects.filter(
                        node=node, base_code__in=[b.code for b in changed_bases]
                    )
                )
            )
        due = list(
            FederatedCatalogueItem.objects.select_for_update()
            .filter(node=node, backflow_due=True)
            .order_by("pk")[:limit]
        )
        if not (ratings or changed_bases or due):
            return None
        open_findings: dict[int, list[dict[str, Any]]] = {item.pk: [] for item in due}
        for f in ConsistencyFinding.objects.filter(item__in=due, resolved_at__isnull=True).order_by("pk"):
            open_findings[f.item_id].append(
                {
                    "field": f.field,
                    "expected": f.expected,
                    "actual": f.actual,
                    "found_at": f.found_at.isoformat(),
                }
            )
        findings = [
            {
                "implementation_code": item.implementation_code,
                "name": item.name,
                "base_code": item.base_code,
                "checked_at": item.checked_at.isoformat() if item.checked_at else None,
                "findings": open_findings[item.pk],
                "source_version": version_of(item.checked_at or timezone.now(), item.pk),
            }
            for item in due
        ]
        bases = {b.code: b for b in changed_bases}
        bases.update({b.code: b for b in BaseItem.objects.filter(code__in={i.base_code for i in due})})
        entries = {
            "ratings.json": encode([_rating_record(r) for r in ratings]),
            "base_items.json": encode([_base_record(b) for b in bases.values()]),
            "findings.json": encode(findings),
        }
        package = build_package(KIND, node, entries)
        if ratings:
            ratings_mark.last_at, ratings_mark.last_pk = ratings[-1].updated_at, ratings[-1].pk
            ratings_mark.records += len(ratings)
            ratings_mark.packages += 1
            ratings_mark.save(update_fields=["last_at", "last_pk", "records", "packages", "updated_at"])
        if changed_bases:
            bases_mark.last_at, bases_mark.last_pk = changed_bases[-1].updated_at, changed_bases[-1].pk
            bases_mark.records += len(changed_bases)
            bases_mark.packages += 1
            bases_mark.save(update_fields=["last_at", "last_pk", "records", "packages", "updated_at"])
        FederatedCatalogueItem.objects.filter(pk__in=[i.pk for i in due]).update(backflow_due=False)
        audit.record(
            "federation.backflow_built",
            object_type="exchange.node",
            object_id=node.node_id,
            detail={
                "ratings": len(ratings),
                "base_items": len(bases),
                "findings": len(findings),
                "package": str(package.public_id),
            },
        )
    return package


def push_backflow(*, limit: int | None = None, push: bool = True) -> list[OutgoingPackage]:
    """回流 Build and push the back-flow package of every active child (province instances only)."""
    if federation_role() != "province":
        return []
    built: list[OutgoingPackage] = []
    for node in ExchangeNode.objects.filter(role=NodeRole.CHILD, active=True).order_by("pk"):
        package = build_backflow(node, limit=limit)
        if package is not None:
            built.append(package)
    if push:
        built = [push_package(package) for package in built]
    return built


# --- the city's handler --------------------------------------------------------------------------
def apply_backflow(package: ReceivedPackage) -> dict[str, Any]:
    """Store what the province sent back (only from the parent node)."""
    node = sender_node(package, NodeRole.PARENT)
    counts: dict[str, Any] = {}

    def store(record_type: str, name: str, key: str, item_code: str, title: str, opened: Any = None) -> None:
        def values(r: Any) -> dict[str, Any]:
            return {
                "record_type": record_type,
                "item_code": str(r.get(item_code) or "")[:31] if item_code else "",
                "title": str(r.get(title) or "")[:200],
                "open_findings": len(r.get("findings") or []) if opened else 0,
                "data": dict(r),
            }

        rows = [r for r in entry(package, name) if r.get(key)]
        _, counts[record_type] = upsert(
            BackflowRecord,
            node,
            "key",
            rows,
            values,
            package.package_id,
            key_of=lambda r: f"{record_type}:{r.get(key)}"[:64],
        )

    store(BackflowType.RATING, "ratings.json", "rating_id", "item_code", "item_name")
    store(BackflowType.BASE_ITEM, "base_items.json", "code", "code", "name")
    store(
        BackflowType.FINDING,
        "findings.json",
        "implementation_code",
        "implementation_code",
        "name",
        opened=True,
    )
    return counts
