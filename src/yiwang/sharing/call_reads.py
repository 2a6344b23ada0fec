"""Reads of the gateway call (共享网关调用的读取) — docs/adr/0015-gateway-call-reads.md.

A call needs the resource (published? retired? who provides it, which service serves it), the
consumer's active grant for it today and the field definitions of the published version.  The
first two change at any time (a grant revoked, a resource retired) and are read on **every** call,
in one statement (:func:`call_target`, compiled once per process by :class:`CompiledRows`); the
third is immutable — a published version is never edited, a new one gets a new number — and is kept
per process by (resource, version) (:func:`published_field_map`).  So a revocation or retirement
takes effect on the very next call, and a call costs one read instead of four.

Off switch: ``settings.YIWANG_GATEWAY_CALL_READS = False`` (``YIWANG_GATEWAY_CALL_READS=0``): every
call reads the version's fields again (the target statement stays one statement)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import OuterRef, Subquery

from yiwang.core.compiled import CompiledRows
from yiwang.sharing.models import Grant, GrantStatus, Resource, ResourceVersion

MAX_REMEMBERED_VERSIONS = 2048


@dataclass(frozen=True)
class CallTarget:
    """The resource a call names and the consumer's grant for it today (``grant_id`` None: none)."""

    id: int
    code: str
    name: str
    published_version: int | None
    published_at: datetime | None
    status: str
    share_type: str
    provider_id: int
    service: str
    subject_kind: str
    grant_id: int | None
    grant_fields: tuple[str, ...]
    grant_quota: int | None


_TARGET = CompiledRows("sharing.call_target")
_COLUMNS = (
    "pk",
    "code",
    "name",
    "published_version",
    "published_at",
    "status",
    "share_type",
    "provider_id",
    "service",
    "subject_kind",
    "grant_id",
    "grant_fields",
    "grant_quota",
)


def call_target(code: str, consumer_organisation_id: int, day: date) -> CallTarget | None:
    """The resource with this code and the consumer organisation's grant valid on ``day`` (the
    latest-ending active one), in one statement; None when no resource has the code."""
    day_value = connection.ops.adapt_datefield_value(day)
    params = {
        "code": code,
        "consumer": consumer_organisation_id,
        "active": GrantStatus.ACTIVE,
        "day": day_value,
    }

    def build() -> Any:
        grants = Grant.objects.filter(
            consumer_id=consumer_organisation_id,
            resource_id=OuterRef("pk"),
            status=GrantStatus.ACTIVE,
            valid_from__lte=day,
            valid_until__gte=day,
        ).order_by("-valid_until", "-pk")
        return (
            Resource.objects.filter(code=code)
            .annotate(
                grant_id=Subquery(grants.values("pk")[:1]),
                grant_fields=Subquery(grants.values("fields")[:1]),
                grant_quota=Subquery(grants.values("quota_per_day")[:1]),
            )
            .values_list(*_COLUMNS)[:1]
        )

    rows = _TARGET.rows(build, "one", params)
    if not rows:
        return None
    row = dict(zip(_COLUMNS, rows[0], strict=True))
    fields = row["grant_fields"]
    if isinstance(fields, str):  # a JSON column read through a subquery may arrive as text
        fields = json.loads(fields)
    return CallTarget(
        id=row["pk"],
        code=row["code"],
        name=row["name"],
        published_version=row["published_version"],
        published_at=row["published_at"],
        status=row["status"],
        share_type=row["share_type"],
        provider_id=row["provider_id"],
        service=row["service"],
        subject_kind=row["subject_kind"],
        grant_id=row["grant_id"],
        grant_fields=tuple(str(name) for name in (fields or [])),
        grant_quota=row["grant_quota"],
    )


_versions: dict[tuple[int, int, datetime | None], dict[str, dict[str, Any]]] = {}
_versions_lock = threading.Lock()


def _remember() -> bool:
    return bool(getattr(settings, "YIWANG_GATEWAY_CALL_READS", True))


def published_field_map(target: CallTarget) -> dict[str, dict[str, Any]]:
    """Field name → definition of the target's published version (immutable: remembered by
    resource, number and publication time).  Callers must not change the answer."""
    if target.published_version is None:
        return {}
    resource_id, version = target.id, target.published_version
    key = (resource_id, version, target.published_at)
    if _remember():
        with _versions_lock:
            known = _versions.get(key)
        if known is not None:
            return known
    snapshot = (
        ResourceVersion.objects.filter(resource_id=resource_id, number=version)
        .values_list("snapshot", flat=True)
        .first()
    )
    fields = {str(f["name"]): f for f in (snapshot or {}).get("fields", []) if isinstance(f, dict)}
    if _remember() and snapshot is not None:
        with _versions_lock:
            if len(_versions) >= MAX_REMEMBERED_VERSIONS:
                _versions.clear()
            _versions[key] = fields
    return fields


def forget() -> None:
    """Drop what this process remembers (tests; never needed for correctness)."""
    with _versions_lock:
        _versions.clear()
    _TARGET.forget()
