"""四级四同 The province checks each implementation item a city pushes against its own base item
(基本目录): the base code exists, name, item type and legal basis are the same, the committed limit
is not above the statutory one and the statutory limit not above the base item's.  The rules are the
catalogue's own (:func:`yiwang.catalog.consistency.item_violations`); a finding stays open until the
item is pushed again without it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from yiwang.catalog.consistency import item_violations
from yiwang.catalog.models import BaseItem, ItemStatus
from yiwang.federation.models import ConsistencyFinding, FederatedCatalogueItem


def violations(item: FederatedCatalogueItem, base: BaseItem | None) -> list[tuple[str, str, str]]:
    """(field, expected, actual) for every rule the pushed item breaks (none once withdrawn)."""
    if item.item_status != ItemStatus.PUBLISHED:
        return []
    # The catalogue's rules read these attributes only; a plain object, not an unsaved catalogue row.
    probe: Any = SimpleNamespace(
        public_id=item.public_id,
        region_id=None,
        implementing_body_id=None,
        base_item=None,
        name=item.name,
        base_code=item.base_code,
        implementation_code=item.implementation_code,
        item_type=item.item_type,
        legal_basis=item.legal_basis,
        statutory_limit_days=item.statutory_limit_days,
        committed_limit_days=item.committed_limit_days,
        status=item.item_status,
    )
    return [(v.field, v.expected, v.actual) for v in item_violations(probe, base)]


def check_items(items: Sequence[FederatedCatalogueItem]) -> int:
    """Check ``items`` (saved rows) now: open the new findings, resolve the ones gone, count them on
    the item and mark it for back-flow.  Returns the number of open findings among them."""
    if not items:
        return 0
    now = timezone.now()
    bases = {b.code: b for b in BaseItem.objects.filter(code__in={i.base_code for i in items})}
    held: dict[int, dict[tuple[str, str, str], ConsistencyFinding]] = defaultdict(dict)
    for finding in ConsistencyFinding.objects.filter(item__in=items, resolved_at__isnull=True):
        held[finding.item_id][(finding.field, finding.expected, finding.actual)] = finding
    new: list[ConsistencyFinding] = []
    resolved: list[ConsistencyFinding] = []
    total = 0
    for item in items:
        found = violations(item, bases.get(item.base_code))
        current = held.get(item.pk, {})
        for key in found:
            if key not in current:
                field, expected, actual = key
                new.append(
                    ConsistencyFinding(
                        item=item,
                        node_id=item.node_id,
                        field=field,
                        expected=expected,
                        actual=actual,
                        found_at=now,
                    )
                )
        for key, finding in current.items():
            if key not in found:
                finding.resolved_at = now
                resolved.append(finding)
        item.open_findings = len(set(found))
        item.checked_at = now
        item.backflow_due = True
        total += item.open_findings
    ConsistencyFinding.objects.bulk_create(new, batch_size=1000)
    if resolved:
        ConsistencyFinding.objects.bulk_update(resolved, ["resolved_at"], batch_size=1000)
    FederatedCatalogueItem.objects.bulk_update(
        list(items), ["open_findings", "checked_at", "backflow_due"], batch_size=1000
    )
    return total
