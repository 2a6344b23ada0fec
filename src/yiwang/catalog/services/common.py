"""Shared steps of the item services: lock the row, copy state back, store the lists."""

from __future__ import annotations

from typing import Any

from yiwang.catalog.models import (
    FeeItem,
    Material,
    ServiceItem,
)


def save_materials(item: ServiceItem, materials: list[dict[str, Any]]) -> None:
    """Make the item's materials exactly ``materials``; entries with a known public_id keep it."""
    existing = {str(material.public_id): material for material in item.materials.all()}
    kept: set[int] = set()
    for data in materials:
        public_id = str(data.pop("public_id") or "")
        material = existing.get(public_id) or Material(item=item)
        for field, value in data.items():
            setattr(material, field, value)
        material.save()
        kept.add(material.pk)
    item.materials.exclude(pk__in=kept).delete()


def save_fee_items(item: ServiceItem, fee_items: list[dict[str, Any]]) -> None:
    item.fee_items.all().delete()
    FeeItem.objects.bulk_create([FeeItem(item=item, **fee) for fee in fee_items])


def locked_item(item: ServiceItem) -> ServiceItem:
    return (
        ServiceItem.objects.select_for_update(of=("self",))
        .select_related("implementing_body", "region", "base_item", "revision_of")
        .get(pk=item.pk)
    )


def copy_state(target: ServiceItem, source: ServiceItem) -> None:
    for field in ServiceItem._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
