"""推送人口库更新 The department system as a providing department: it builds a bases.population.feed
package (manifest, SM3/SHA-256 of every entry, SM2 signature), pushes it to the platform's exchange
endpoint over HTTP with signed requests, and reads the platform's receipt.  It has no database: the
sequence of its package stream is kept in a small JSON file."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.utils import timezone

from yiwang.core.identifiers import make_id_number
from yiwang.exchange.client import Answer, signed_request
from yiwang.exchange.identity import NodeIdentity
from yiwang.exchange.package import build_signed

KIND = "bases.population.feed"
REGION = "340104"  # 蜀山区
GIVEN_NAMES = ("子涵", "一诺", "浩然", "欣怡", "宇轩", "梓萱", "俊杰", "雨桐")
_lock = threading.Lock()


@dataclass(frozen=True)
class Platform:
    """The receiving node as ``signed_request`` needs it."""

    node_id: str
    base_url: str
    outbound_token: str = ""


def _load(path: Path) -> dict[str, int]:
    try:
        data = json.loads(path.read_text())
        return {"sequence": int(data.get("sequence", 0)), "newborns": int(data.get("newborns", 0))}
    except (OSError, ValueError, AttributeError):
        return {"sequence": 0, "newborns": 0}


def newborn(n: int, today: date) -> dict[str, Any]:
    """出生登记 A birth registered today: a new citizen of 蜀山区 (valid ID number, version 1)."""
    sequence = 100 + (n * 2 - 1) % 800  # odd: male or female decided by the number, 998/999 never used
    number = make_id_number(REGION, today, sequence)
    return {
        "id_number": number,
        "version": 1,
        "name": "李" + GIVEN_NAMES[n % len(GIVEN_NAMES)],
        "address": f"安徽省合肥市蜀山区长江西路{n}号",
        "status": "normal",
    }


def _package(
    identity: NodeIdentity, platform: Platform, sequence: int, records: list[dict[str, Any]]
) -> tuple[str, bytes]:
    package_id = str(uuid.uuid4())
    entries = {"records.json": json.dumps(records, ensure_ascii=False, sort_keys=True).encode()}
    return package_id, build_signed(
        sign=identity.sign,
        package_id=package_id,
        sender=identity.node_id,
        receiver=platform.node_id,
        kind=KIND,
        sequence=sequence,
        created_at=timezone.now().isoformat(),
        entries=entries,
    )


def _announce(
    identity: NodeIdentity, platform: Platform, package_id: str, sequence: int, data: bytes
) -> Answer:
    body = json.dumps(
        {
            "package_id": package_id,
            "kind": KIND,
            "sequence": sequence,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    ).encode()
    return signed_request(
        identity, platform, "POST", "/packages", body, headers={"Content-Type": "application/json"}
    )


def _applied_up_to(answer: Answer) -> int | None:
    """A 409 for a sequence already used names the last one applied (``已处理至 N``)."""
    body = answer.json() if isinstance(answer.json(), dict) else {}
    for text in (body.get("fields") or {}).get("sequence", []):
        match = re.search(r"(\d+)", str(text))
        if match:
            return int(match.group(1))
    return None


def push_population_update(identity: NodeIdentity, platform: Platform, state_file: Path) -> dict[str, Any]:
    """Push one newborn to the population base; returns ``{state, package_id, sequence, result|code,
    message}``.  Network faults raise ``OSError``."""
    with _lock:
        state = _load(state_file)
        n = state["newborns"] + 1
        records = [newborn(n, timezone.localdate())]
        sequence = state["sequence"] + 1
        package_id, data = _package(identity, platform, sequence, records)
        answer = _announce(identity, platform, package_id, sequence, data)
        done = _applied_up_to(answer) if answer.status == 409 else None
        if done is not None:  # our state file was lost: go on after what the platform has
            sequence = done + 1
            package_id, data = _package(identity, platform, sequence, records)
            answer = _announce(identity, platform, package_id, sequence, data)
        if answer.status in (200, 201) and (answer.json() or {}).get("state") == "receiving":
            answer = signed_request(
                identity, platform, "PUT", f"/packages/{package_id}/chunks?offset=0", data
            )
        body = answer.json() if isinstance(answer.json(), dict) else {}
        receipt = body.get("receipt") or {}
        outcome = receipt.get("state") or body.get("state") or ""
        # A refused package frees its sequence: the next one is sent under it again.
        kept = sequence if outcome in ("applied", "waiting") else state["sequence"]
        state_file.parent.mkdir(parents=True, exist_ok=True)
        state_file.write_text(json.dumps({"sequence": kept, "newborns": n}))
        return {
            "status": answer.status,
            "state": outcome,
            "package_id": package_id,
            "sequence": sequence,
            "result": receipt.get("result"),
            "code": receipt.get("code") or body.get("code", ""),
            "message": receipt.get("message") or body.get("message", ""),
            "name": records[0]["name"],
        }
