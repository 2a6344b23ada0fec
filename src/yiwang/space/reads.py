"""Reads of the material store shared by the pages and the API: the owner's list with filters, one
entry with where it was used, and the e-licences listed live from the wallet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.models import Case
from yiwang.core.errors import NotFound
from yiwang.licences import services as licence_services
from yiwang.licences.models import Licence
from yiwang.space.errors import SpaceErrorCode
from yiwang.space.models import StoredMaterial
from yiwang.space.retention import cases_using

VALIDITY_CHOICES = ("valid", "expired")
WALLET_LIMIT = 50


@dataclass(frozen=True)
class MaterialFilter:
    """Filters of the store list (the API's query schema and the page's GET parameters)."""

    q: str = ""
    source: str = ""
    trust_level: str = ""
    validity: str = ""


def materials_of(owner: User, filters: MaterialFilter | None = None) -> QuerySet[StoredMaterial]:
    """The owner's live entries, newest first, filtered."""
    rows = StoredMaterial.objects.filter(owner=owner, deleted_at__isnull=True).select_related("case")
    f = filters or MaterialFilter()
    if f.q:
        rows = rows.filter(Q(name__icontains=f.q) | Q(original_name__icontains=f.q))
    if f.source:
        rows = rows.filter(source=f.source)
    if f.trust_level:
        rows = rows.filter(trust_level=f.trust_level)
    today = timezone.localdate()
    if f.validity == "valid":
        rows = rows.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    elif f.validity == "expired":
        rows = rows.filter(valid_until__lt=today)
    return rows.order_by("-created_at", "-id")


def material_of(owner: User, public_id: Any) -> StoredMaterial:
    """One live entry of ``owner`` (anyone else's, a deleted one, a bad id: 404)."""
    try:
        entry = (
            StoredMaterial.objects.select_related("case", "material")
            .filter(owner=owner, public_id=public_id, deleted_at__isnull=True)
            .first()
        )
    except (ValueError, TypeError):
        entry = None
    if entry is None:
        raise NotFound("材料不存在", code=SpaceErrorCode.NOT_FOUND)
    return entry


def usages(entry: StoredMaterial) -> list[Case]:
    """Where the entry was used: its origin case and every case it was reused in."""
    return cases_using(entry)


def wallet_licences(owner: User) -> list[Licence]:
    """The e-licences of the owner, live from the wallet (not copied into the store)."""
    return list(licence_services.wallet(owner)[:WALLET_LIMIT])
