"""Settings of payments (docs/payments.md "Settings"), read from Django settings with defaults from
the environment, so a deployment sets them in either place."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings


def _get(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None or value == "":
        value = os.environ.get(name, default)
    return str(value)


def due_days() -> int:
    """YIWANG_PAYMENT_DUE_DAYS: working days the applicant has to pay (default 7)."""
    return max(1, min(int(_get("YIWANG_PAYMENT_DUE_DAYS", "7")), 60))


def paygate_url() -> str:
    """YIWANG_PAYGATE_URL: the fiscal gateway (demo: http://127.0.0.1:PORT+3)."""
    port = int(os.environ.get("PORT", "8000")) + 3
    return _get("YIWANG_PAYGATE_URL", f"http://127.0.0.1:{port}").rstrip("/")


def merchant_id() -> str:
    return _get("YIWANG_PAYGATE_MERCHANT_ID", "YIWANG-DEMO")


def keys_file() -> Path:
    default = Path(getattr(settings, "VAR_DIR", Path.cwd() / "var")) / "paygate-keys.json"
    return Path(_get("YIWANG_PAYGATE_KEYS_FILE", str(default)))


def gateway_timeout() -> float:
    return float(_get("YIWANG_PAYGATE_TIMEOUT_S", "5"))


def query_after_minutes() -> int:
    """YIWANG_PAYMENT_QUERY_AFTER_MINUTES: a paying order without notification is queried after this."""
    return max(1, int(_get("YIWANG_PAYMENT_QUERY_AFTER_MINUTES", "5")))


def public_url() -> str:
    return _get("YIWANG_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
