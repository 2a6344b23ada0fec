"""用已有的 "Use the one you have": the stored materials that fit an item's materials, and the
applicant's choices resolved for :func:`yiwang.cases.services.submit_application`.

A stored entry fits a material when it was filed as that catalogue material, carries the same
name, or (for an e-licence material) the same licence type code — and it is not deleted and still
valid today.  A choice of anything else is refused (400 ``space_reuse_invalid``) before anything
is stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence

from django.db.models import Q, QuerySet
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.reused_materials import ReusedMaterial
from yiwang.catalog.models import Material
from yiwang.core.errors import DomainError
from yiwang.space.errors import SpaceErrorCode
from yiwang.space.models import StoredMaterial

OFFERS_PER_MATERIAL = 5
OFFERS_SCANNED = 200


def usable(owner: User) -> QuerySet[StoredMaterial]:
    """The owner's entries that may be reused today."""
    today = timezone.localdate()
    return StoredMaterial.objects.filter(owner=owner, deleted_at__isnull=True).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


def fits(entry: StoredMaterial, material: Material) -> bool:
    code = material.licence_type_code.strip().upper()
    return (
        entry.material_id == material.pk
        or entry.name == material.name
        or bool(code and entry.licence_type_code == code)
    )


def offers(owner: User, materials: Sequence[Material]) -> dict[int, list[StoredMaterial]]:
    """For the apply page: per material (pk), the owner's fitting entries, newest first (one query)."""
    if not materials:
        return {}
    codes = {m.licence_type_code.strip().upper() for m in materials if m.licence_type_code.strip()}
    condition = Q(material_id__in=[m.pk for m in materials]) | Q(name__in=[m.name for m in materials])
    if codes:
        condition |= Q(licence_type_code__in=codes)
    entries = list(usable(owner).filter(condition).order_by("-created_at", "-id")[:OFFERS_SCANNED])
    found: dict[int, list[StoredMaterial]] = {}
    for material in materials:
        fitting = [entry for entry in entries if fits(entry, material)]
        if fitting:
            found[material.pk] = fitting[:OFFERS_PER_MATERIAL]
    return found


def parse_choices(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``{material public id: entry public id}`` from form or JSON pairs; blank choices dropped,
    anything that is not a UUID refused (400)."""
    choices: dict[str, str] = {}
    for key, value in pairs:
        text = str(value or "").strip()
        if not text:
            continue
        try:
            choices[str(uuid.UUID(str(key)))] = str(uuid.UUID(text[:40]))
        except ValueError as exc:
            raise DomainError(
                SpaceErrorCode.REUSE_INVALID, "选择的材料库材料不正确", {str(key)[:40]: ["无效的选择"]}
            ) from exc
    return choices


def plan_reuse(
    owner: User, materials: Sequence[Material], choices: Mapping[str, str]
) -> list[ReusedMaterial]:
    """The chosen entries as :class:`ReusedMaterial` values for the filing; refuses an entry that
    is not the owner's, deleted, expired, or does not fit the material (400, on that material)."""
    if not choices:
        return []
    by_key = {str(material.public_id): material for material in materials}
    entries = {
        str(entry.public_id): entry for entry in usable(owner).filter(public_id__in=list(choices.values()))
    }
    reused = []
    for key, entry_id in choices.items():
        material = by_key.get(key)
        entry = entries.get(entry_id)
        if material is None or entry is None or not fits(entry, material):
            raise DomainError(
                SpaceErrorCode.REUSE_INVALID,
                "选择的材料库材料不可用（不存在、已过期、已删除或与所需材料不符），请重新选择或上传",
                {key: ["材料库材料不可用"]},
            )
        reused.append(
            ReusedMaterial(
                material=material,
                reference=entry.public_id,
                trust_level=entry.trust_level,
                file=entry.file,
                original_name=entry.original_name,
                content_type=entry.content_type,
                sha256=entry.sha256,
            )
        )
    return reused


def plan_for_filing(
    owner: User, materials: Sequence[Material], choices: Mapping[str, str]
) -> list[ReusedMaterial]:
    """:func:`plan_reuse` on raw ``{material id: entry id}`` choices (the cases API's hook)."""
    return plan_reuse(owner, materials, parse_choices(choices.items()))
