"""Test data of federation: a city's cases with their events, licences, ratings and items; the
province's base items; the two nodes of one database (the live server answers as one of them)."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from yiwang.accounts.models import User
from yiwang.cases.models import Case, CaseEvent, CaseEventType, CaseStatus
from yiwang.catalog.models import BaseItem, ServiceItem
from yiwang.exchange.identity import NodeIdentity
from yiwang.exchange.models import ExchangeNode
from yiwang.exchange.services import register_node
from yiwang.testing.supervision import make_case

NOW = datetime.fromisoformat("2026-12-07T10:00:00+08:00")
_serial = itertools.count(1)


def node_row(ident: NodeIdentity, base_url: str, role: str) -> ExchangeNode:
    return register_node(
        node_id=ident.node_id,
        name=ident.node_id,
        base_url=base_url,
        sm2_public_key=ident.sm2_public_key,
        role=role,
    )


def nodes(
    province: NodeIdentity,
    city: NodeIdentity,
    *,
    province_url: str = "http://127.0.0.1:9",
    city_url: str = "http://127.0.0.1:9",
) -> tuple[ExchangeNode, ExchangeNode]:
    """The province as the city's parent and the city as the province's child (one table holds both)."""
    parent = node_row(province, base_url=province_url, role="parent")
    child = node_row(city, base_url=city_url, role="child")
    ExchangeNode.objects.filter(pk=parent.pk).update(name="安徽省政务服务平台")
    ExchangeNode.objects.filter(pk=child.pk).update(name="合肥市政务服务平台")
    return parent, child


def case_with_events(
    item: ServiceItem, applicant: User, at: datetime, *, events: tuple[str, ...] = (CaseEventType.APPLIED,)
) -> Case:
    """A case filed at ``at`` with its events one second apart (rows as the services write them)."""
    case = make_case(item, applicant, status=CaseStatus.SUBMITTED, submitted_at=at)
    status = {"applied": "submitted", "accepted": "accepted", "completed": "completed"}
    for n, event_type in enumerate(events, start=1):
        CaseEvent.objects.create(
            case=case,
            sequence=n,
            event_type=event_type,
            from_status="" if n == 1 else "submitted",
            to_status=status.get(event_type, "accepted"),
            actor_label="张伟" if n == 1 else "窗口人员",
            channel="web",
            occurred_at=at.replace(second=n % 60),
            data={"outcome": "approved"} if event_type == CaseEventType.COMPLETED else {},
        )
    return case


def base_item_for(item: ServiceItem, **changes: Any) -> BaseItem:
    """The province's base item matching ``item`` (or, with ``changes``, differing from it)."""
    values: dict[str, Any] = {
        "code": item.base_code,
        "name": item.name,
        "item_type": item.item_type,
        "legal_basis": item.legal_basis,
        "exercise_level": "3",
        "statutory_limit_days": item.statutory_limit_days,
    }
    values.update(changes)
    return BaseItem.objects.create(**values)
