"""四级四同 Consistency of implementation items with their base items, across the region tree.

An implementation item (实施清单) must keep its base item's (基本目录) name, base code, item type and
legal basis; its committed limit may not exceed its statutory limit, and its statutory limit may
not exceed the base item's where the base item fixes one.  :func:`consistency_report` lists every
violation in one set-based query (only the violating rows are fetched), so it stays fast on a
provincial catalogue of 100,000 items; :func:`item_violations` checks one item in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import F, Q, QuerySet

from yiwang.catalog.models import BaseItem, BaseItemStatus, ItemStatus, ServiceItem
from yiwang.core.models import Region

# Digits of Region.full_code that identify a region of each level (省 2, 市 4, 县 6, 乡 9, 村 12).
REGION_PREFIX_LENGTH = {2: 2, 3: 4, 4: 6, 5: 9, 6: 12}

FIELD_LABELS = {
    "base_item": "基本目录事项",
    "name": "事项名称",
    "base_code": "基本编码",
    "item_type": "事项类型",
    "legal_basis": "设定依据",
    "committed_limit_days": "承诺办结时限",
    "statutory_limit_days": "法定办结时限",
    "base_status": "基本目录状态",
}


@dataclass(frozen=True)
class Violation:
    """One difference between an implementation item and what its base item requires."""

    item_public_id: str
    item_name: str
    implementation_code: str
    status: str
    region_name: str
    body_name: str
    field: str
    expected: str
    actual: str

    @property
    def field_label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "field_label": self.field_label}


def region_prefix(region: Region) -> str:
    """The leading digits of ``full_code`` shared by ``region`` and every region below it."""
    return region.full_code[: REGION_PREFIX_LENGTH.get(region.level, 12)]


def _compare(
    *,
    name: str,
    base_code: str,
    item_type: str,
    legal_basis: str,
    committed: int,
    statutory: int,
    status: str,
    base: dict[str, Any] | None,
) -> Iterator[tuple[str, str, str]]:
    """(field, expected, actual) for every rule the item breaks."""
    if committed > statutory:
        yield "committed_limit_days", f"≤ {statutory}", str(committed)
    if base is None:
        yield "base_item", "关联基本目录事项", "未关联"
        return
    for field, actual in (
        ("name", name),
        ("base_code", base_code),
        ("item_type", item_type),
        ("legal_basis", legal_basis),
    ):
        expected = base["code" if field == "base_code" else field]
        if actual != expected:
            yield field, str(expected), str(actual)
    if base["statutory_limit_days"] is not None and statutory > base["statutory_limit_days"]:
        yield "statutory_limit_days", f"≤ {base['statutory_limit_days']}", str(statutory)
    if base["status"] == BaseItemStatus.RETIRED and status == ItemStatus.PUBLISHED:
        yield "base_status", str(BaseItemStatus.ACTIVE.label), str(BaseItemStatus.RETIRED.label)


def item_violations(item: ServiceItem, base_item: BaseItem | None = None) -> list[Violation]:
    """The violations of one item (in memory: checks unsaved edits too)."""
    base = base_item if base_item is not None else item.base_item
    base_values = (
        None
        if base is None
        else {
            "name": base.name,
            "code": base.code,
            "item_type": base.item_type,
            "legal_basis": base.legal_basis,
            "statutory_limit_days": base.statutory_limit_days,
            "status": base.status,
        }
    )
    return [
        Violation(
            item_public_id=str(item.public_id),
            item_name=item.name,
            implementation_code=item.implementation_code,
            status=item.status,
            region_name=item.region.name if item.region_id else "",
            body_name=item.implementing_body.name if item.implementing_body_id else "",
            field=field,
            expected=expected,
            actual=actual,
        )
        for field, expected, actual in _compare(
            name=item.name,
            base_code=item.base_code,
            item_type=item.item_type,
            legal_basis=item.legal_basis,
            committed=item.committed_limit_days,
            statutory=item.statutory_limit_days,
            status=item.status,
            base=base_values,
        )
    ]


VIOLATING = (
    Q(base_item__isnull=True)
    | ~Q(name=F("base_item__name"))
    | ~Q(base_code=F("base_item__code"))
    | ~Q(item_type=F("base_item__item_type"))
    | ~Q(legal_basis=F("base_item__legal_basis"))
    | Q(committed_limit_days__gt=F("statutory_limit_days"))
    | Q(
        base_item__statutory_limit_days__isnull=False,
        statutory_limit_days__gt=F("base_item__statutory_limit_days"),
    )
    | Q(base_item__status=BaseItemStatus.RETIRED, status=ItemStatus.PUBLISHED)
)

_VALUES = (
    "public_id",
    "name",
    "implementation_code",
    "base_code",
    "item_type",
    "legal_basis",
    "committed_limit_days",
    "statutory_limit_days",
    "status",
    "region__name",
    "implementing_body__name",
    "base_item_id",
    "base_item__name",
    "base_item__code",
    "base_item__item_type",
    "base_item__legal_basis",
    "base_item__statutory_limit_days",
    "base_item__status",
)


def items_in_region(region: Region | None) -> QuerySet[ServiceItem]:
    items = ServiceItem.objects.all()
    if region is not None:
        items = items.filter(region__full_code__startswith=region_prefix(region))
    return items


def consistency_report(region: Region | None = None) -> list[Violation]:
    """一致性报告 Every violation of 四级四同 in ``region`` and below (the whole catalogue if None).

    One query: the database selects only the violating rows (joined to their base item); the rules
    are then named per row in Python.  Ordered by region, body and item name.
    """
    rows = (
        items_in_region(region)
        .filter(VIOLATING)
        .order_by("region__full_code", "implementing_body__name", "name", "pk")
        .values(*_VALUES)
    )
    report: list[Violation] = []
    for row in rows.iterator(chunk_size=2000):
        base = (
            None
            if row["base_item_id"] is None
            else {
                "name": row["base_item__name"],
                "code": row["base_item__code"],
                "item_type": row["base_item__item_type"],
                "legal_basis": row["base_item__legal_basis"],
                "statutory_limit_days": row["base_item__statutory_limit_days"],
                "status": row["base_item__status"],
            }
        )
        for field, expected, actual in _compare(
            name=row["name"],
            base_code=row["base_code"],
            item_type=row["item_type"],
            legal_basis=row["legal_basis"],
            committed=row["committed_limit_days"],
            statutory=row["statutory_limit_days"],
            status=row["status"],
            base=base,
        ):
            report.append(
                Violation(
                    item_public_id=str(row["public_id"]),
                    item_name=row["name"],
                    implementation_code=row["implementation_code"],
                    status=row["status"],
                    region_name=row["region__name"],
                    body_name=row["implementing_body__name"],
                    field=field,
                    expected=expected,
                    actual=actual,
                )
            )
    return report
