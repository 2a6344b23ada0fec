"""跨域通办 状态回传 Case events at the handling instance flow back to the filing instance.

The handling side connects :func:`case_event_recorded` to ``cases.signals.case_event_recorded``: for a
case received through 跨域通办 it sends, after the commit, a ``crossregion.status`` package to the
filing node.  The exchange applies a (sender, kind) stream in sequence order and once per package;
:func:`receive_status` also keeps only events newer than the last one it recorded, so a replay or a
resent package changes nothing.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from django.db import transaction

from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.crossregion.errors import CrossregionErrorCode
from yiwang.crossregion.models import TONGBAN_CHANNEL, ReceivedFiling, RemoteCase, RemoteCaseState
from yiwang.exchange.handlers import ReceivedPackage
from yiwang.exchange.models import ExchangeNode
from yiwang.exchange.services import build_package

logger = logging.getLogger("yiwang.crossregion")
STATUS_KIND = "crossregion.status"


def case_event_recorded(sender: Any, case: Any, event: Any, **kwargs: Any) -> None:
    """Signal receiver on every case event (hot path): only a case filed through 跨域通办 (its channel
    says so, no query for any other case) is looked up; the package is built after the commit."""
    if case.channel != TONGBAN_CHANNEL:
        return
    received = ReceivedFiling.objects.filter(case_id=case.pk).only("filing_id", "sender").first()
    if received is not None:
        _send_after_commit(received, case, event)


def announce_filed(received: ReceivedFiling) -> None:
    """The events of a case recorded before it was known as received (its filing): sent after the commit."""
    for event in received.case.events.order_by("sequence"):
        _send_after_commit(received, received.case, event)


def _send_after_commit(received: ReceivedFiling, case: Any, event: Any) -> None:
    message = {
        "filing_id": str(received.filing_id),
        "case_number": case.number,
        "case_id": str(case.public_id),
        "sequence": int(event.sequence),
        "event": event.event_type,
        "label": str(event.get_event_type_display()),
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "at": event.occurred_at.isoformat(),
    }
    node_id = received.sender
    transaction.on_commit(lambda: send_status(node_id, message))


def send_status(node_id: str, message: dict[str, Any]) -> None:
    node = ExchangeNode.objects.filter(node_id=node_id, active=True).first()
    if node is None:
        logger.warning(
            "crossregion status for %s: node %s unknown or inactive", message["filing_id"], node_id
        )
        return
    build_package(STATUS_KIND, node, {"status.json": json.dumps(message, ensure_ascii=False).encode()})


def receive_status(package: ReceivedPackage) -> dict[str, Any]:
    """The exchange handler of ``crossregion.status`` at the filing instance."""
    try:
        message = json.loads(package.entries["status.json"])
        filing_id = uuid.UUID(str(message["filing_id"]))
        sequence = int(message["sequence"])
    except (KeyError, TypeError, ValueError) as exc:
        raise DomainError(CrossregionErrorCode.MALFORMED_FILING, "状态包内容不完整", status=422) from exc
    case = (
        RemoteCase.objects.select_for_update()
        .filter(public_id=filing_id, item__region__node__node_id=package.sender)
        .first()
    )
    if case is None:  # a result, not a refusal: a refused package would hold back the stream
        return {"applied": False, "reason": CrossregionErrorCode.NOT_FOUND.value}
    if sequence <= case.last_sequence:
        return {"applied": False, "last_sequence": case.last_sequence}
    case.history = [
        *case.history,
        {
            "sequence": sequence,
            "event": str(message.get("event", ""))[:40],
            "label": str(message.get("label", ""))[:60],
            "status": str(message.get("status", ""))[:30],
            "at": str(message.get("at", ""))[:40],
        },
    ]
    case.last_sequence = sequence
    case.status = str(message.get("status", ""))[:30]
    case.status_label = str(message.get("status_label", ""))[:60]
    fields = ["history", "last_sequence", "status", "status_label", "updated_at"]
    if case.state == RemoteCaseState.SENDING and message.get("case_number"):  # the receipt comes later
        case.state = RemoteCaseState.REGISTERED
        case.number = str(message["case_number"])[:60]
        case.remote_case_id = str(message.get("case_id", ""))[:36]
        fields += ["state", "number", "remote_case_id"]
    case.save(update_fields=fields)
    audit.record(
        "crossregion.status_received", obj=case, detail={"sequence": sequence, "status": case.status}
    )
    return {"applied": True, "last_sequence": sequence}
