"""Providers (服务提供者): what answers a gateway call, by the resource's ``service`` key.

Each provider is a function ``(subject, fields) -> dict | None``: the ``fields`` of the record the
subject (ID number, credit code or region code) names, or ``None`` when there is none.  The gateway
has already checked the grant; a provider only reads."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from yiwang.bases import reads as bases_reads
from yiwang.core.protected import protected_digest
from yiwang.licences.models import Licence

Provider = Callable[[str, list[str]], dict[str, Any] | None]

LICENCE_FIELDS = (
    "identifier",
    "licence_type",
    "holder_name",
    "issuer_name",
    "issued_on",
    "valid_from",
    "valid_until",
    "status",
)


def licence_index(subject: str, fields: Iterable[str]) -> dict[str, Any] | None:
    """电子证照索引 The licences held by a person or company (ID number / credit code): ``{"licences":
    [{identifier, licence_type, holder_name, issuer_name, issued_on, valid_from, valid_until, status}]}``
    limited to the asked ``fields`` (at most 100 licences, newest first)."""
    names = [name for name in fields if name in LICENCE_FIELDS] or list(LICENCE_FIELDS)
    digest = protected_digest(subject, "code")
    rows = (
        Licence.objects.filter(holder_code_digest=digest)
        .select_related("licence_type")
        .order_by("-issued_on", "-pk")[:100]
    )
    licences = []
    for row in rows:
        whole = {
            "identifier": row.identifier,
            "licence_type": row.licence_type.code,
            "holder_name": row.holder_name,
            "issuer_name": row.issuer_name,
            "issued_on": row.issued_on.isoformat(),
            "valid_from": row.valid_from.isoformat(),
            "valid_until": row.valid_until.isoformat() if row.valid_until else None,
            "status": row.status,
        }
        licences.append({name: whole[name] for name in names})
    return {"licences": licences} if licences else None


REGISTRY: dict[str, Provider] = {
    "bases.population": lambda subject, fields: bases_reads.lookup_person(subject, fields),
    "bases.legal_person": lambda subject, fields: bases_reads.lookup_company(subject, fields),
    "bases.geography": lambda subject, fields: bases_reads.region_geometry(subject, fields),
    "licences.index": licence_index,
}


def provider_for(service: str) -> Provider | None:
    return REGISTRY.get(service)


def register(service: str, provider: Provider) -> None:
    """Add (or replace) the provider of a service key (tests, other apps' resources)."""
    REGISTRY[service] = provider
