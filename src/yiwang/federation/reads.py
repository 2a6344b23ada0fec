"""Queries of the federation pages and API: the overview per child (province) or per kind (city),
and the lists (keyset pages of 50, filters) of cases, licences, ratings and 四级四同 findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from yiwang.core.errors import NotFound
from yiwang.exchange.models import ExchangeNode, IncomingPackage, IncomingState, NodeRole, OutgoingPackage
from yiwang.federation.errors import FederationErrorCode
from yiwang.federation.models import (
    BackflowRecord,
    ConsistencyFinding,
    FederatedCase,
    FederatedCatalogueItem,
    FederatedLicence,
    FederatedRating,
    Watermark,
)

KIND_PREFIX = "federation."
CASE_ORDER = ("-last_event_at", "-id")
LICENCE_ORDER = ("-issued_on", "-id")
RATING_ORDER = ("-rated_at", "-id")
FINDING_ORDER = ("-found_at", "-id")
BACKFLOW_ORDER = ("-received_at", "-id")


@dataclass
class ChildRow:
    node: ExchangeNode
    last_package_at: datetime | None
    lag: timedelta | None
    counts: dict[str, int] = field(default_factory=dict)
    open_findings: int = 0


def _per_node(qs: QuerySet[Any], **filters: Any) -> dict[int, int]:
    return {
        row["node_id"]: row["n"] for row in qs.filter(**filters).values("node_id").annotate(n=Count("id"))
    }


def province_overview() -> list[ChildRow]:
    """Each child node: when its last package was applied, how far behind that is, counts per kind."""
    nodes = list(ExchangeNode.objects.filter(role=NodeRole.CHILD).order_by("node_id"))
    last = dict(
        IncomingPackage.objects.filter(kind__startswith=KIND_PREFIX, state=IncomingState.APPLIED)
        .values_list("sender_id")
        .annotate(at=Max("updated_at"))
        .values_list("sender_id", "at")
    )
    counts = {
        "cases": _per_node(FederatedCase.objects.all()),
        "licences": _per_node(FederatedLicence.objects.all()),
        "ratings": _per_node(FederatedRating.objects.all()),
        "catalogue": _per_node(FederatedCatalogueItem.objects.all()),
    }
    findings = _per_node(ConsistencyFinding.objects.all(), resolved_at__isnull=True)
    now = timezone.now()
    return [
        ChildRow(
            node=node,
            last_package_at=last.get(node.pk),
            lag=(now - last[node.pk]) if node.pk in last else None,
            counts={kind: by_node.get(node.pk, 0) for kind, by_node in counts.items()},
            open_findings=findings.get(node.pk, 0),
        )
        for node in nodes
    ]


@dataclass
class KindRow:
    kind: str
    node: ExchangeNode
    records: int
    packages: int
    last_at: datetime | None
    last_state: str
    last_built_at: datetime | None


def city_overview() -> list[KindRow]:
    """What this city sent (per parent and kind): records, packages, the last package and its state."""
    marks = list(Watermark.objects.select_related("node").filter(node__role=NodeRole.PARENT).order_by("kind"))
    latest: dict[tuple[int, str], OutgoingPackage] = {}
    last_ids = (
        OutgoingPackage.objects.filter(kind__startswith=KIND_PREFIX, receiver__role=NodeRole.PARENT)
        .values("receiver_id", "kind")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    for package in OutgoingPackage.objects.filter(id__in=list(last_ids)):
        latest[(package.receiver_id, package.kind)] = package
    rows = []
    for mark in marks:
        last = latest.get((mark.node_id, mark.kind))
        rows.append(
            KindRow(
                kind=mark.kind,
                node=mark.node,
                records=mark.records,
                packages=mark.packages,
                last_at=mark.last_at,
                last_state=last.get_state_display() if last else "",
                last_built_at=last.created_at if last else None,
            )
        )
    return rows


def backflow_counts() -> dict[str, int]:
    counts = dict(
        BackflowRecord.objects.values_list("record_type")
        .annotate(n=Count("id"))
        .values_list("record_type", "n")
    )
    counts["open_findings"] = BackflowRecord.objects.filter(record_type="finding").aggregate(
        n=Count("id", filter=Q(open_findings__gt=0))
    )["n"]
    return counts


# --- lists ---------------------------------------------------------------------------------------
def _node_filter(qs: QuerySet[Any], node: str) -> QuerySet[Any]:
    return qs.filter(node__node_id=node) if node else qs


def cases(*, node: str = "", status: str = "", q: str = "") -> QuerySet[FederatedCase]:
    qs = _node_filter(FederatedCase.objects.select_related("node").filter(last_event_at__isnull=False), node)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(number=q) | Q(item_code=q))
    return qs.defer("datasets", "events")


def case_detail(public_id: Any) -> FederatedCase:
    row = FederatedCase.objects.select_related("node").filter(public_id=public_id).first()
    if row is None:
        raise NotFound("未找到该汇聚办件", code=FederationErrorCode.NOT_FOUND)
    return row


def licences(*, node: str = "", status: str = "", q: str = "") -> QuerySet[FederatedLicence]:
    qs = _node_filter(FederatedLicence.objects.select_related("node"), node)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(identifier=q) | Q(serial=q))
    return qs


def ratings(*, node: str = "", level: int | None = None, q: str = "") -> QuerySet[FederatedRating]:
    qs = _node_filter(FederatedRating.objects.select_related("node"), node)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(Q(item_code=q) | Q(case_number=q))
    return qs


def findings(*, node: str = "", state: str = "open") -> QuerySet[ConsistencyFinding]:
    qs = _node_filter(ConsistencyFinding.objects.select_related("node", "item"), node)
    if state == "open":
        qs = qs.filter(resolved_at__isnull=True)
    elif state == "resolved":
        qs = qs.filter(resolved_at__isnull=False)
    return qs


def backflow(*, record_type: str = "") -> QuerySet[BackflowRecord]:
    qs = BackflowRecord.objects.select_related("node")
    return qs.filter(record_type=record_type) if record_type else qs


# GB/T 39046 records name their fields in Chinese: the case page picks them here and names them in the
# UI language; the materials list of the application record is not shown.
_EVENT_FIELDS = {"at": "办理时间", "step": "环节名称", "department": "办理部门", "opinion": "办理意见"}
_HIDDEN_DATASET_FIELDS = frozenset({"申请材料"})


def case_events(case: FederatedCase) -> list[dict[str, Any]]:
    """The case's process steps as the city reported them, in order."""
    return [
        {name: (event or {}).get(field, "") for name, field in _EVENT_FIELDS.items()}
        for event in case.events or []
    ]


def case_datasets(case: FederatedCase) -> list[tuple[str, list[tuple[str, Any]]]]:
    """The latest record of each dataset (application, acceptance, …) as (name, [(field, value)])."""
    return [
        (name, [(key, value) for key, value in (record or {}).items() if key not in _HIDDEN_DATASET_FIELDS])
        for name, record in sorted((case.datasets or {}).items())
    ]
