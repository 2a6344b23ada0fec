"""The carrier's own records (its SQLite file): parcels, their tracking events, callbacks to send."""

from __future__ import annotations

import contextlib
import json
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from yiwang_demo_carrier import settings

TZ = ZoneInfo("Asia/Shanghai")
_LOCK = threading.RLock()

PLANS: dict[str, tuple[str, ...]] = {
    "delivered": ("picked_up", "in_transit", "out_for_delivery", "delivered"),
    "failed_once": (
        "picked_up",
        "in_transit",
        "out_for_delivery",
        "failed_delivery",
        "out_for_delivery",
        "delivered",
    ),
    "returned": ("picked_up", "in_transit", "out_for_delivery", "failed_delivery", "returned_to_sender"),
}
NOTES = {
    "picked_up": ("揽收网点", "快递员已揽收"),
    "in_transit": ("合肥转运中心", "快件已到达转运中心，正在发往目的地"),
    "out_for_delivery": ("目的地营业部", "快递员正在派送"),
    "delivered": ("目的地营业部", "已签收"),
    "failed_delivery": ("目的地营业部", "派送未成功：收件人不在，将再次派送"),
    "returned_to_sender": ("目的地营业部", "多次派送未成功，已退回寄件人"),
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS parcels (
  waybill TEXT PRIMARY KEY, account TEXT NOT NULL, order_ref TEXT NOT NULL, kind TEXT NOT NULL,
  data TEXT NOT NULL, callback_url TEXT NOT NULL, outcome TEXT NOT NULL, step INTEGER NOT NULL,
  status TEXT NOT NULL, next_at REAL NOT NULL, postage_fen INTEGER NOT NULL, created_at REAL NOT NULL,
  UNIQUE (account, order_ref)
);
CREATE TABLE IF NOT EXISTS events (
  event_id TEXT PRIMARY KEY, waybill TEXT NOT NULL, status TEXT NOT NULL, time TEXT NOT NULL,
  location TEXT NOT NULL, note TEXT NOT NULL, signed_by TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS callbacks (
  id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, account TEXT NOT NULL, url TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, next_at REAL NOT NULL, done INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT ''
);
"""


@contextlib.contextmanager
def db() -> Iterator[sqlite3.Connection]:
    with _LOCK:
        connection = sqlite3.connect(settings.CARRIER_DATABASE, timeout=10)
        connection.row_factory = sqlite3.Row
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(SCHEMA)
            with connection:
                yield connection
        finally:
            connection.close()


def _new_waybill() -> str:
    return "SIM" + "".join(secrets.choice("0123456789") for _ in range(12))


def create_parcel(account: str, payload: dict[str, Any]) -> dict[str, Any]:
    """下单 (idempotent by the account's order_ref)."""
    now = time.time()
    recipient, sender = payload["recipient"], payload["sender"]
    postage = 1200 if recipient["region_code"][:2] == sender["region_code"][:2] else 1800
    with db() as connection:
        row = connection.execute(
            "SELECT * FROM parcels WHERE account=? AND order_ref=?", (account, payload["order_ref"])
        ).fetchone()
        if row is not None:
            return dict(row)
        waybill = _new_waybill()
        connection.execute(
            "INSERT INTO parcels VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                waybill,
                account,
                payload["order_ref"],
                payload["kind"],
                json.dumps(payload, ensure_ascii=False),
                payload.get("callback_url", ""),
                settings.CARRIER_DEFAULT_OUTCOME,
                0,
                "accepted",
                now + settings.CARRIER_SIM_STEP_S,
                postage,
                now,
            ),
        )
        return dict(connection.execute("SELECT * FROM parcels WHERE waybill=?", (waybill,)).fetchone())


def parcel(waybill: str) -> dict[str, Any] | None:
    with db() as connection:
        row = connection.execute("SELECT * FROM parcels WHERE waybill=?", (waybill,)).fetchone()
        return dict(row) if row else None


def events(waybill: str) -> list[dict[str, Any]]:
    with db() as connection:
        rows = connection.execute("SELECT * FROM events WHERE waybill=? ORDER BY time, rowid", (waybill,))
        return [{**dict(row), "waybill": waybill} for row in rows]


def cancel(waybill: str) -> str:
    """``""`` when cancelled, else why not."""
    with db() as connection:
        row = connection.execute("SELECT step, status FROM parcels WHERE waybill=?", (waybill,)).fetchone()
        if row is None:
            return "unknown"
        if row["status"] == "cancelled":
            return ""
        if row["step"] > 0:
            return "picked_up"
        connection.execute("UPDATE parcels SET status='cancelled' WHERE waybill=?", (waybill,))
        return ""


def set_outcome(waybill: str, outcome: str) -> bool:
    with db() as connection:
        changed = connection.execute(
            "UPDATE parcels SET outcome=? WHERE waybill=? AND status NOT IN "
            "('delivered','returned_to_sender','cancelled')",
            (outcome, waybill),
        ).rowcount
        return bool(changed)


def advance_due(now: float | None = None) -> int:
    """Move every parcel whose next step is due by one step; queue the signed callback."""
    now = now or time.time()
    moved = 0
    with db() as connection:
        due = connection.execute(
            "SELECT * FROM parcels WHERE next_at<=? AND status NOT IN "
            "('delivered','returned_to_sender','cancelled')",
            (now,),
        ).fetchall()
        for row in due:
            plan = PLANS.get(row["outcome"], PLANS["delivered"])
            if row["step"] >= len(plan):
                continue
            status = plan[row["step"]]
            location, note = NOTES[status]
            data = json.loads(row["data"])
            signed_by = data["recipient"]["name"] if status == "delivered" else ""
            event_id = str(uuid.uuid4())
            stamp = datetime.fromtimestamp(now, TZ).isoformat(timespec="microseconds")
            connection.execute(
                "INSERT INTO events VALUES (?,?,?,?,?,?,?)",
                (event_id, row["waybill"], status, stamp, location, note, signed_by),
            )
            connection.execute(
                "UPDATE parcels SET step=step+1, status=?, next_at=? WHERE waybill=?",
                (status, now + settings.CARRIER_SIM_STEP_S, row["waybill"]),
            )
            if row["callback_url"]:
                connection.execute(
                    "INSERT INTO callbacks (event_id, account, url, next_at) VALUES (?,?,?,?)",
                    (event_id, row["account"], row["callback_url"], now),
                )
            moved += 1
    return moved


def due_callbacks(now: float, limit: int = 50) -> list[dict[str, Any]]:
    with db() as connection:
        rows = connection.execute(
            "SELECT c.*, e.waybill, e.status, e.time, e.location, e.note, e.signed_by FROM callbacks c "
            "JOIN events e ON e.event_id=c.event_id WHERE c.done=0 AND c.next_at<=? ORDER BY c.id LIMIT ?",
            (now, limit),
        ).fetchall()
        return [dict(row) for row in rows]


def callback_result(callback_id: int, *, ok: bool, error: str = "", retry_in: float = 0) -> None:
    with db() as connection:
        if ok:
            connection.execute("UPDATE callbacks SET done=1, attempts=attempts+1 WHERE id=?", (callback_id,))
            return
        connection.execute(
            "UPDATE callbacks SET attempts=attempts+1, next_at=?, last_error=?, "
            "done=CASE WHEN attempts+1>=? THEN 2 ELSE 0 END WHERE id=?",
            (time.time() + retry_in, error[:300], settings.CARRIER_CALLBACK_MAX_ATTEMPTS, callback_id),
        )
