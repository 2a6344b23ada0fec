"""部门供数 Base feeds through the exchange system: a providing department's system sends a signed
package of kind ``bases.<base>.feed`` whose entry ``records.json`` is applied with
:func:`~yiwang.bases.services.updates.apply_updates` (source = the department the sender node is
authorised for, batch id = the package id).  Only nodes with an active :class:`FeedSource` for that
base may feed it; any other sender's package is refused (``bases_feed_not_authorised``).

The sending side (a department system built on this platform, another platform instance, the
``bases_feed`` command) calls :func:`send_feed`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.bases.errors import BasesErrorCode
from yiwang.bases.models import BaseKind, FeedSource
from yiwang.bases.services.updates import MAX_BATCH, apply_updates
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation
from yiwang.exchange import handlers
from yiwang.exchange.handlers import ReceivedPackage
from yiwang.exchange.models import DeliveryMode, ExchangeNode, OutgoingPackage
from yiwang.exchange.services import build_package

RECORDS_ENTRY = "records.json"
FEED_KINDS: dict[str, str] = {f"bases.{base}.feed": base for base in BaseKind.values}


def feed_kind(base: str) -> str:
    """The package kind that feeds ``base``: ``bases.population.feed`` …"""
    if base not in BaseKind.values:
        raise DomainError(
            BasesErrorCode.UNKNOWN_BASE, f"没有名为 {base!r} 的基础库", {"base": [str(base)[:40]]}
        )
    return f"bases.{base}.feed"


def authorise_feed(
    *, node: ExchangeNode, base: str, organisation: Organisation, active: bool = True, actor: Any = None
) -> FeedSource:
    """供数授权 Let ``node`` feed ``base`` as ``organisation`` (or, ``active=False``, stop it)."""
    feed_kind(base)
    with transaction.atomic():
        _, created = FeedSource.objects.get_or_create(
            node=node, base=base, defaults={"organisation": organisation, "active": active}
        )
        source = FeedSource.objects.select_for_update().get(node=node, base=base)
        if (source.organisation_id, source.active) == (organisation.pk, active) and not created:
            return source  # nothing changes: nothing to audit
        source.organisation, source.active, source.updated_at = organisation, active, timezone.now()
        source.save(update_fields=["organisation", "active", "updated_at"])
        audit.record(
            "bases.feed_authorised" if active else "bases.feed_revoked",
            actor=actor,
            obj=source,
            detail={"node": node.node_id, "base": base, "organisation": organisation.name},
        )
    return source


def feed_source(sender: str, base: str) -> FeedSource | None:
    """The active authorisation of node ``sender`` for ``base``."""
    return (
        FeedSource.objects.select_related("organisation", "node")
        .filter(node__node_id=sender, node__active=True, base=base, active=True)
        .first()
    )


def _records(content: bytes | None) -> list[Any]:
    if content is None:
        raise DomainError(BasesErrorCode.INVALID_FEED, f"交换包缺少条目 {RECORDS_ENTRY}", status=422)
    try:
        records = json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError(
            BasesErrorCode.INVALID_FEED, f"{RECORDS_ENTRY} 不是有效的 JSON", status=422
        ) from exc
    if not isinstance(records, list):
        raise DomainError(BasesErrorCode.INVALID_FEED, f"{RECORDS_ENTRY} 应为记录数组", status=422)
    return records


def apply_feed_package(package: ReceivedPackage) -> dict[str, Any]:
    """The exchange handler of ``bases.<base>.feed`` (runs inside the transaction that marks the package
    applied): refuse an unauthorised sender, else apply the records; the counts go into the receipt."""
    base = FEED_KINDS.get(package.kind)
    if base is None:
        raise DomainError(BasesErrorCode.UNKNOWN_BASE, f"没有此类基础库数据包：{package.kind}", status=422)
    source = feed_source(package.sender, base)
    if source is None:
        raise DomainError(
            BasesErrorCode.FEED_NOT_AUTHORISED,
            f"节点 {package.sender} 未获授权向{BaseKind(base).label}供数",
            {"sender": [package.sender], "base": [base]},
            status=403,
        )
    report = apply_updates(
        base,
        _records(package.entries.get(RECORDS_ENTRY)),
        source=source.organisation,
        batch_id=package.package_id,
    )
    result = {k: v for k, v in report.as_dict().items() if k != "changes"}
    result["changes"] = len(report.changes)
    result["source"] = source.organisation.name
    return result


def register_feed_handlers() -> None:
    """Connect every ``bases.<base>.feed`` kind to :func:`apply_feed_package` (``BasesConfig.ready``)."""
    for kind in FEED_KINDS:
        handlers.register(kind, apply_feed_package)


def send_feed(
    base: str,
    records: Sequence[Mapping[str, Any]],
    receiver: ExchangeNode,
    *,
    mode: str = DeliveryMode.PUSH,
    actor: Any = None,
) -> OutgoingPackage:
    """发送供数包 Build and sign the next ``bases.<base>.feed`` package of ``records`` for ``receiver``
    (pushed after the commit, or waiting to be pulled).  The receiver checks every record; here only
    the shape is checked."""
    kind = feed_kind(base)
    if not isinstance(records, list) or not all(isinstance(r, Mapping) for r in records):
        raise DomainError(BasesErrorCode.INVALID_FEED, "记录应为对象数组", {"records": ["应为对象数组"]})
    if not records or len(records) > MAX_BATCH:
        raise DomainError(
            BasesErrorCode.INVALID_FEED,
            f"一个供数包须有 1 至 {MAX_BATCH} 条记录",
            {"records": [str(len(records))]},
        )
    content = json.dumps(records, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return build_package(kind, receiver, {RECORDS_ENTRY: content}, mode=mode, actor=actor)
