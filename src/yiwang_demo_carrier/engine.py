"""The carrier's clock: one daemon thread per server process moves parcels on and sends the
signed callbacks (retried with exponential backoff; given up after CARRIER_CALLBACK_MAX_ATTEMPTS)."""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from yiwang_demo_carrier import settings, signing, store

logger = logging.getLogger("yiwang_demo_carrier")
_started = threading.Event()


def event_json(row: dict[str, Any]) -> dict[str, str]:
    return {
        "event_id": row["event_id"],
        "waybill": row["waybill"],
        "status": row["status"],
        "time": row["time"],
        "location": row["location"],
        "note": row["note"],
        "signed_by": row.get("signed_by", ""),
    }


def send_callback(row: dict[str, Any]) -> None:
    body = json.dumps({"events": [event_json(row)]}, ensure_ascii=False).encode()
    secret = settings.CARRIER_ACCOUNTS.get(row["account"], "")
    url = row["url"]
    headers = signing.headers_for(row["account"], secret, "POST", urlsplit(url).path, body)
    headers["X-Carrier-Event-Id"] = row["event_id"]
    headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            response.read()
        store.callback_result(row["id"], ok=True)
    except urllib.error.HTTPError as exc:
        ok = exc.code in (200, 404)  # 404: the platform does not know the waybill, retrying will not help
        retry = min(settings.CARRIER_SIM_STEP_S * 2 ** row["attempts"], 600)
        store.callback_result(row["id"], ok=ok, error=f"HTTP {exc.code}", retry_in=retry)
    except (urllib.error.URLError, OSError) as exc:
        retry = min(settings.CARRIER_SIM_STEP_S * 2 ** row["attempts"], 600)
        store.callback_result(row["id"], ok=False, error=str(exc)[:300], retry_in=retry)


def tick() -> None:
    store.advance_due()
    for row in store.due_callbacks(time.time()):
        send_callback(row)


def _loop() -> None:
    pause = max(0.05, min(settings.CARRIER_SIM_STEP_S / 4, 2.0))
    while True:
        try:
            tick()
        except Exception:  # keep the clock running whatever one step did
            logger.exception("carrier tick failed")
        time.sleep(pause)


def start() -> None:
    """Start the clock once per process (gunicorn imports the WSGI module in each worker)."""
    if _started.is_set():
        return
    _started.set()
    threading.Thread(target=_loop, name="carrier-clock", daemon=True).start()
