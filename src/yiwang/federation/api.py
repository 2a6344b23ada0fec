"""JSON API of the federation app (/api/v1/federation/): the overview, the lists of what the cities
pushed up (keyset pages: ``cursor`` from ``next_cursor`` / ``previous_cursor``), what flowed back,
and a sync now.  Read: admin, data officials, supervisors; sync: admin and data officials."""

from __future__ import annotations

from collections import Counter
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router

from yiwang.core import keyset
from yiwang.core.errors import CoreErrorCode, DomainError
from yiwang.exchange.identity import configured_identity
from yiwang.federation import reads
from yiwang.federation.actions import require_read, require_sync
from yiwang.federation.errors import FederationErrorCode
from yiwang.federation.models import ConsistencyFinding, FederatedCase
from yiwang.federation.schemas import (
    FederationBackflowPageOut,
    FederationBackflowQuery,
    FederationCaseDetailOut,
    FederationCasePageOut,
    FederationCaseQuery,
    FederationFindingPageOut,
    FederationFindingQuery,
    FederationLicencePageOut,
    FederationLicenceQuery,
    FederationOverviewOut,
    FederationRatingPageOut,
    FederationRatingQuery,
    FederationSyncOut,
)
from yiwang.federation.services import federation_role, push_backflow, push_changes

router = Router(tags=["federation"])


def _page(qs: Any, ordering: tuple[str, ...], query: Any) -> keyset.KeysetPage:
    try:
        return keyset.keyset_page(qs, ordering, query.cursor, size=query.limit, invalid="raise")
    except keyset.InvalidCursor as exc:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR, "分页游标无效", {"cursor": ["分页游标无效"]}
        ) from exc


def _paged(page: keyset.KeysetPage, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"items": items, "next_cursor": page.next_cursor, "previous_cursor": page.previous_cursor}


def case_out(c: FederatedCase) -> dict[str, Any]:
    return {
        "id": c.public_id,
        "node_id": c.node.node_id,
        "number": c.number,
        "item_code": c.item_code,
        "item_name": c.item_name,
        "department": c.department,
        "applicant_masked": c.applicant_masked,
        "status": c.status,
        "submitted_at": c.submitted_at,
        "completed_at": c.completed_at,
        "last_dataset": c.last_dataset,
        "last_event_at": c.last_event_at,
    }


def finding_out(f: ConsistencyFinding) -> dict[str, Any]:
    return {
        "node_id": f.node.node_id,
        "implementation_code": f.item.implementation_code,
        "item_name": f.item.name,
        "field": f.field,
        "expected": f.expected,
        "actual": f.actual,
        "found_at": f.found_at,
        "resolved_at": f.resolved_at,
    }


@router.get("/overview", response=FederationOverviewOut, summary="省市协同概览")
def overview(request: HttpRequest) -> dict[str, Any]:
    require_read(request.user)
    return {
        "role": federation_role(),
        "children": [
            {
                "node_id": row.node.node_id,
                "name": row.node.name,
                "last_package_at": row.last_package_at,
                "lag_seconds": int(row.lag.total_seconds()) if row.lag is not None else None,
                "counts": row.counts,
                "open_findings": row.open_findings,
            }
            for row in reads.province_overview()
        ],
        "sent": [
            {
                "kind": row.kind,
                "parent": row.node.node_id,
                "records": row.records,
                "packages": row.packages,
                "last_record_at": row.last_at,
                "last_state": row.last_state,
            }
            for row in reads.city_overview()
        ],
        "backflow": reads.backflow_counts(),
    }


@router.get("/cases", response=FederationCasePageOut, summary="汇聚办件（GB/T 39046 数据集）")
def cases(request: HttpRequest, query: Query[FederationCaseQuery]) -> dict[str, Any]:
    require_read(request.user)
    page = _page(reads.cases(node=query.node, status=query.status, q=query.q), reads.CASE_ORDER, query)
    return _paged(page, [case_out(c) for c in page.rows])


@router.get("/cases/{case_id}", response=FederationCaseDetailOut, summary="汇聚办件详情")
def case_detail(request: HttpRequest, case_id: UUID) -> dict[str, Any]:
    require_read(request.user)
    c = reads.case_detail(case_id)
    return {
        **case_out(c),
        "accepted_at": c.accepted_at,
        "due_date": c.due_date,
        "datasets": c.datasets,
        "events": c.events,
    }


@router.get("/licences", response=FederationLicencePageOut, summary="汇聚证照索引")
def licences(request: HttpRequest, query: Query[FederationLicenceQuery]) -> dict[str, Any]:
    require_read(request.user)
    page = _page(reads.licences(node=query.node, status=query.status, q=query.q), reads.LICENCE_ORDER, query)
    fields = (
        "identifier",
        "type_name",
        "holder_masked",
        "holder_code_masked",
        "issuer_name",
        "region_code",
        "issued_on",
        "valid_from",
        "valid_until",
        "status",
    )
    return _paged(
        page, [{"node_id": r.node.node_id, **{f: getattr(r, f) for f in fields}} for r in page.rows]
    )


@router.get("/ratings", response=FederationRatingPageOut, summary="汇聚好差评")
def ratings(request: HttpRequest, query: Query[FederationRatingQuery]) -> dict[str, Any]:
    require_read(request.user)
    page = _page(reads.ratings(node=query.node, level=query.level, q=query.q), reads.RATING_ORDER, query)
    fields = (
        "rating_id",
        "item_code",
        "item_name",
        "case_number",
        "channel",
        "level",
        "reasons",
        "is_default",
        "rated_at",
    )
    return _paged(
        page, [{"node_id": r.node.node_id, **{f: getattr(r, f) for f in fields}} for r in page.rows]
    )


@router.get("/findings", response=FederationFindingPageOut, summary="四级四同核查发现")
def findings(request: HttpRequest, query: Query[FederationFindingQuery]) -> dict[str, Any]:
    require_read(request.user)
    page = _page(reads.findings(node=query.node, state=query.state), reads.FINDING_ORDER, query)
    return _paged(page, [finding_out(f) for f in page.rows])


@router.get("/backflow", response=FederationBackflowPageOut, summary="回流数据（本市）")
def backflow(request: HttpRequest, query: Query[FederationBackflowQuery]) -> dict[str, Any]:
    require_read(request.user)
    page = _page(reads.backflow(record_type=query.record_type), reads.BACKFLOW_ORDER, query)
    fields = ("record_type", "key", "item_code", "title", "open_findings", "data", "received_at")
    return _paged(page, [{f: getattr(r, f) for f in fields} for r in page.rows])


@router.post("/sync", response=FederationSyncOut, summary="立即同步（市级上报 / 省级回流）")
def sync(request: HttpRequest) -> dict[str, Any]:
    require_sync(request.user)
    role = federation_role()
    if role in ("city", "province") and configured_identity() is None:
        raise DomainError(FederationErrorCode.INVALID_INPUT, "本节点未配置交换身份", status=409)
    packages = push_changes() if role == "city" else push_backflow() if role == "province" else []
    return {"role": role, "packages": len(packages), "states": dict(Counter(str(p.state) for p in packages))}
