"""省级汇聚 The province's handlers of the four up-push kinds: upsert the records into the federated
tables keyed by (child node, natural key).  They run inside the exchange's apply transaction (exactly
once, in order); the upserts are also order-safe on their own: a record older than the stored one
(``source_version``) changes nothing, so a replayed or reordered package applies nothing new."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from yiwang.core.errors import DomainError
from yiwang.exchange.handlers import ReceivedPackage
from yiwang.exchange.models import ExchangeNode, NodeRole
from yiwang.federation.errors import FederationErrorCode
from yiwang.federation.models import (
    FederatedCase,
    FederatedCatalogueItem,
    FederatedLicence,
    FederatedRating,
)
from yiwang.federation.services.consistency import check_items

M = TypeVar("M", bound=models.Model)
# the model's default manager (``objects``): every federated table has one

DATASET_ORDER = ("application", "acceptance", "special_procedure", "completion")


def sender_node(package: ReceivedPackage, role: str) -> ExchangeNode:
    node = ExchangeNode.objects.filter(node_id=package.sender, active=True).first()
    if node is None or node.role != role:
        code = FederationErrorCode.NOT_A_CHILD if role == NodeRole.CHILD else FederationErrorCode.NOT_A_PARENT
        raise DomainError(
            code,
            f"节点 {package.sender} 不是本平台的{'下级' if role == NodeRole.CHILD else '上级'}节点",
            {"sender": [package.sender]},
            status=403,
        )
    return node


def entry(package: ReceivedPackage, name: str) -> list[dict[str, Any]]:
    content = package.entries.get(name)
    if content is None:
        return []
    try:
        rows = json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError(FederationErrorCode.INVALID_PACKAGE, f"{name} 不是有效的 JSON", status=422) from exc
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise DomainError(FederationErrorCode.INVALID_PACKAGE, f"{name} 应为记录数组", status=422)
    return rows


def _dt(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) and value else None


def _d(value: Any) -> date | None:
    return parse_date(value) if isinstance(value, str) and value else None


def upsert(
    model: type[M],
    node: ExchangeNode,
    key_field: str,
    records: Iterable[Mapping[str, Any]],
    values_of: Callable[[Mapping[str, Any]], dict[str, Any]],
    package_id: str,
    key_of: Callable[[Mapping[str, Any]], str] | None = None,
) -> tuple[dict[str, M], dict[str, int]]:
    """Create or update one row per record (bulk), skipping a record not newer than the stored row.
    Returns the rows touched by key and the counts."""
    key_of = key_of or (lambda r: str(r[key_field]))
    records = [r for r in records if isinstance(r.get("source_version"), str)]
    keys = {key_of(r) for r in records}
    existing: dict[str, Any] = {
        getattr(o, key_field): o
        for o in model._default_manager.filter(node=node, **{f"{key_field}__in": keys})
    }
    now = timezone.now()
    created: dict[str, Any] = {}
    updated: dict[str, Any] = {}
    skipped = 0
    fields: set[str] = {"source_version", "package_id", "received_at"}
    for record in records:
        key = key_of(record)
        version = record["source_version"]
        row = created.get(key) or existing.get(key)
        if row is not None and row.source_version >= version:
            skipped += 1
            continue
        values = values_of(record)
        values.update(source_version=version, package_id=package_id, received_at=now)
        if row is None:
            created[key] = model(node=node, **{key_field: key}, **values)
            continue
        for name, value in values.items():
            setattr(row, name, value)
        fields.update(values)
        if key not in created:
            updated[key] = row
    model._default_manager.bulk_create(list(created.values()), batch_size=1000)
    if updated:
        model._default_manager.bulk_update(list(updated.values()), sorted(fields), batch_size=1000)
    return {**updated, **created}, {"created": len(created), "updated": len(updated), "skipped": skipped}


# --- cases ---------------------------------------------------------------------------------------
def _case_values(r: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "item_code": str(r.get("实施编码") or "")[:31],
        "item_name": str(r.get("事项名称") or "")[:200],
        "base_code": str(r.get("基本编码") or "")[:12],
        "department": str(r.get("实施主体名称") or "")[:200],
        "applicant_masked": str(r.get("申请人") or "")[:200],
        "status": str(r.get("办件状态") or "")[:30],
        "channel": str(r.get("办理渠道") or "")[:10],
        "submitted_at": _dt(r.get("申请时间")),
        "accepted_at": _dt(r.get("受理时间")),
        "completed_at": _dt(r.get("办结时间")),
        "due_date": _d(r.get("承诺办结日期")),
        "last_event_at": _dt(r.get("最近环节时间")),
    }


def apply_cases(package: ReceivedPackage) -> dict[str, Any]:
    node = sender_node(package, NodeRole.CHILD)
    rows, counts = upsert(
        FederatedCase,
        node,
        "number",
        entry(package, "cases.json"),
        _case_values,
        package.package_id,
        key_of=lambda r: str(r.get("办件编号") or "")[:50],
    )
    datasets = {name: entry(package, f"{name}.json") for name in (*DATASET_ORDER, "process")}
    touched: dict[str, FederatedCase] = {}
    for name in DATASET_ORDER:  # the latest record of each dataset, where the case's summary was newer
        for record in datasets[name]:
            case = rows.get(str(record.get("办件编号")))
            if case is not None:
                case.datasets = {**(case.datasets or {}), name: record}
                case.last_dataset = name
                touched[case.number] = case
    missing = {str(r.get("办件编号")) for r in datasets["process"]} - set(rows)
    held = {c.number: c for c in FederatedCase.objects.filter(node=node, number__in=missing)}
    for record in datasets["process"]:  # the process records merge by step number, whatever the order
        number = str(record.get("办件编号"))
        case = rows.get(number) or held.get(number)
        if case is None:
            continue
        steps = {int(e.get("环节序号", 0)): e for e in case.events or []}
        steps[int(record.get("环节序号", 0))] = record
        case.events = [steps[k] for k in sorted(steps)]
        if not case.last_dataset:
            case.last_dataset = "process"
        touched[number] = case
    if touched:
        FederatedCase.objects.bulk_update(
            list(touched.values()), ["datasets", "events", "last_dataset"], batch_size=1000
        )
    return {**counts, "records": {name: len(rows_) for name, rows_ in datasets.items()}}


# --- licences ------------------------------------------------------------------------------------
def _licence_values(r: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "serial": str(r.get("serial") or "")[:40],
        "type_code": str(r.get("type_code") or "")[:40],
        "type_name": str(r.get("type_name") or "")[:100],
        "holder_masked": str(r.get("holder_masked") or "")[:200],
        "holder_code_masked": str(r.get("holder_code_masked") or "")[:40],
        "holder_code_sm3": str(r.get("holder_code_sm3") or "")[:64],
        "issuer_name": str(r.get("issuer_name") or "")[:200],
        "issuer_code": str(r.get("issuer_code") or "")[:18],
        "region_code": str(r.get("region_code") or "")[:12],
        "issued_on": _d(r.get("issued_on")),
        "valid_from": _d(r.get("valid_from")),
        "valid_until": _d(r.get("valid_until")),
        "status": str(r.get("status") or "")[:12],
        "document_sha256": str(r.get("document_sha256") or "")[:64],
        "record_sm3": str(r.get("record_sm3") or "")[:64],
    }


def apply_licences(package: ReceivedPackage) -> dict[str, Any]:
    node = sender_node(package, NodeRole.CHILD)
    records = [
        r for r in entry(package, "licences.json") if _d(r.get("issued_on")) and _d(r.get("valid_from"))
    ]
    _, counts = upsert(
        FederatedLicence,
        node,
        "identifier",
        records,
        _licence_values,
        package.package_id,
        key_of=lambda r: str(r.get("identifier") or "")[:120],
    )
    return counts


# --- ratings -------------------------------------------------------------------------------------
def _rating_values(r: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "item_code": str(r.get("item_code") or "")[:31],
        "item_name": str(r.get("item_name") or "")[:200],
        "department": str(r.get("department") or "")[:200],
        "case_number": str(r.get("case_number") or "")[:50],
        "channel": str(r.get("channel") or "")[:12],
        "level": int(r.get("level") or 0),
        "reasons": [str(x)[:40] for x in r.get("reasons") or []][:20],
        "comment": str(r.get("comment") or "")[:500],
        "is_default": bool(r.get("is_default")),
        "rated_at": _dt(r.get("rated_at")),
    }


def apply_ratings(package: ReceivedPackage) -> dict[str, Any]:
    node = sender_node(package, NodeRole.CHILD)
    records = [r for r in entry(package, "ratings.json") if _dt(r.get("rated_at"))]
    _, counts = upsert(
        FederatedRating,
        node,
        "rating_id",
        records,
        _rating_values,
        package.package_id,
        key_of=lambda r: str(r.get("rating_id") or "")[:36],
    )
    return counts


# --- catalogue -----------------------------------------------------------------------------------
def _catalogue_values(r: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "base_code": str(r.get("base_code") or "")[:12],
        "name": str(r.get("name") or "")[:200],
        "item_type": str(r.get("item_type") or "")[:2],
        "legal_basis": str(r.get("legal_basis") or ""),
        "statutory_limit_days": int(r.get("statutory_limit_days") or 0),
        "committed_limit_days": int(r.get("committed_limit_days") or 0),
        "fee_required": bool(r.get("fee_required")),
        "tongban_range": str(r.get("tongban_range") or "")[:1],
        "department": str(r.get("department") or "")[:200],
        "item_status": str(r.get("status") or "")[:12],
        "version": int(r.get("version") or 0),
    }


def apply_catalogue(package: ReceivedPackage) -> dict[str, Any]:
    """Upsert the city's items, then check each changed one against the province's base items."""
    node = sender_node(package, NodeRole.CHILD)
    rows, counts = upsert(
        FederatedCatalogueItem,
        node,
        "implementation_code",
        entry(package, "catalogue.json"),
        _catalogue_values,
        package.package_id,
        key_of=lambda r: str(r.get("implementation_code") or "")[:31],
    )
    findings = check_items(list(rows.values()))
    return {**counts, "open_findings": findings}


KIND_HANDLERS = {
    "federation.cases": apply_cases,
    "federation.licences": apply_licences,
    "federation.ratings": apply_ratings,
    "federation.catalogue": apply_catalogue,
}
