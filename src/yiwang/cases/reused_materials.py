"""材料库复用 Materials taken from the applicant's material store instead of being uploaded again.

The material store lives above cases (``yiwang.space``), so cases never reads it: the caller (the
portal's apply page through ``yiwang.space.services.plan_reuse``) resolves the applicant's choices to
:class:`ReusedMaterial` values — the entry's public id, trust level and stored file — and
:func:`yiwang.cases.services.submit_application` files them with the case.  The case gets its own
copy of the file (checked against the entry's SHA-256), so deleting the store entry later never
touches the case; the :class:`~yiwang.cases.models.CaseMaterial` records the source
``material_store``, the entry's trust level and its reference.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.files.base import ContentFile

from yiwang.accounts.models import User
from yiwang.cases.errors import CaseErrorCode
from yiwang.cases.models import Case, CaseMaterial, CaseMaterialSource
from yiwang.catalog.models import Material
from yiwang.core.errors import Conflict, DomainError

FIELD = "store_materials"


@dataclass(frozen=True)
class ReusedMaterial:
    """One material of the application filed from a store entry."""

    material: Material
    reference: uuid.UUID  # the store entry's public id
    trust_level: str
    file: Any  # the entry's FieldFile (opened and copied at filing)
    original_name: str
    content_type: str
    sha256: str


def _read(reused: ReusedMaterial) -> bytes:
    try:
        with reused.file.open("rb") as handle:
            content: bytes = handle.read()
    except (OSError, ValueError) as exc:
        raise Conflict(
            f"材料库中的“{reused.material.name}”文件已不可用，请重新上传",
            code=CaseErrorCode.MISSING_MATERIALS,
            fields={str(reused.material.public_id): ["材料库文件不可用"]},
        ) from exc
    if hashlib.sha256(content).hexdigest() != reused.sha256:
        raise Conflict(
            f"材料库中的“{reused.material.name}”文件校验不一致，请重新上传",
            code=CaseErrorCode.MISSING_MATERIALS,
            fields={str(reused.material.public_id): ["材料库文件校验不一致"]},
        )
    return content


def attach(
    case: Case, reused: Sequence[ReusedMaterial], *, actor: User, stored: list[str], correction_round: int = 0
) -> list[CaseMaterial]:
    """Copy each chosen store entry into the case as a material (inside the case's transaction; file
    names go to ``stored`` so a failed transaction removes them).  One INSERT for all rows."""
    rows = []
    for choice in reused:
        content = _read(choice)
        suffix = PurePath(choice.original_name).suffix.lower()[:10]
        row = CaseMaterial(
            case=case,
            material=choice.material,
            material_name=choice.material.name,
            original_name=choice.original_name,
            content_type=choice.content_type,
            size=len(content),
            sha256=choice.sha256,
            correction_round=correction_round,
            uploaded_by=actor,
            source=CaseMaterialSource.MATERIAL_STORE,
            trust_level=choice.trust_level,
            store_reference=choice.reference,
        )
        row.file.save(f"{uuid.uuid4().hex}{suffix}", ContentFile(content), save=False)
        stored.append(str(row.file.name))
        rows.append(row)
    if rows:
        CaseMaterial.objects.bulk_create(rows)
    return rows


def summary(reused: Iterable[ReusedMaterial]) -> list[dict[str, str]]:
    """For the case's first event: which store entries were used, at which trust level."""
    return [
        {"material": r.material.name, "reference": str(r.reference), "trust_level": r.trust_level}
        for r in reused
    ]


#: ``planner(owner, materials, choices) -> [ReusedMaterial]``: the material store connects it in its
#: ``AppConfig.ready`` (``yiwang.space``), so the API files store entries as the apply page does.
Planner = Callable[[User, Sequence[Material], Mapping[str, str]], list[ReusedMaterial]]
PLANNERS: list[Planner] = []

#: Multipart field prefix: ``store_<material public id>`` = the chosen store entry's public id.
PREFIX = "store_"
MAX_CHOICES = 50


def register_planner(planner: Planner) -> None:
    """Connect the material store (once)."""
    if planner not in PLANNERS:
        PLANNERS.append(planner)


def choices_from(post: Mapping[str, str]) -> dict[str, str]:
    """``{material public id: entry id}`` from ``store_<material id>`` fields (blank ones dropped;
    at most :data:`MAX_CHOICES`, more is a 400)."""
    choices = {
        key.removeprefix(PREFIX)[:40]: str(value or "")[:40]
        for key, value in post.items()
        if key.startswith(PREFIX) and str(value or "").strip()
    }
    if len(choices) > MAX_CHOICES:
        raise DomainError(
            CaseErrorCode.FORM_INVALID, "材料库材料选择过多", {PREFIX: [f"最多 {MAX_CHOICES} 项"]}
        )
    return choices


def plan(owner: User, materials: Sequence[Material], choices: Mapping[str, str]) -> list[ReusedMaterial]:
    """The chosen store entries as :class:`ReusedMaterial` values (400 when they do not fit)."""
    if not choices:
        return []
    if not PLANNERS:
        raise DomainError(CaseErrorCode.FORM_INVALID, "材料库未启用", {PREFIX: ["材料库未启用"]})
    return PLANNERS[0](owner, materials, choices)
