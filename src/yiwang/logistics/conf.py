"""Settings of logistics, read from Django settings when present, else from the environment.

``LOGISTICS_CARRIER_URL``       the simulated carrier's base URL (default ``http://127.0.0.1:<PORT+4>``)
``LOGISTICS_CARRIER_APP_KEY``   the platform's account at the carrier (``yiwang``)
``LOGISTICS_CARRIER_SECRET``    the shared HMAC-SHA256 secret of that account (demo default)
``LOGISTICS_CALLBACK_WINDOW_S`` how far a callback's timestamp may be from now (300 s)
``LOGISTICS_POLL_AFTER_HOURS``  orders without an event for this long are polled (6 h)
``LOGISTICS_CARRIER_TIMEOUT_S`` HTTP timeout towards the carrier (5 s)
``LOGISTICS_POSTAGE_FEN``       the applicant's postage in fen: same county, city, province, elsewhere
                                (``800,1000,1200,1800``)
``LOGISTICS_CASE_POSTAGE_PAYER``  who pays the postage of a case's result: ``department`` (default)
                                or ``applicant`` (paid online before the parcel goes to the carrier)
"""

from __future__ import annotations

import os

from django.conf import settings

DEMO_SECRET = "yiwang-demo-carrier-secret-0123456789"  # noqa: S105 - demo only, overridden in production


def _value(name: str, default: str) -> str:
    return str(getattr(settings, name, None) or os.environ.get(name) or default)


def carrier_url() -> str:
    port = int(os.environ.get("PORT", "8000"))
    return _value("LOGISTICS_CARRIER_URL", f"http://127.0.0.1:{port + 4}").rstrip("/")


def carrier_app_key() -> str:
    return _value("LOGISTICS_CARRIER_APP_KEY", "yiwang")


def carrier_secret() -> str:
    return _value("LOGISTICS_CARRIER_SECRET", DEMO_SECRET)


def callback_window_s() -> int:
    return int(_value("LOGISTICS_CALLBACK_WINDOW_S", "300"))


def poll_after_hours() -> float:
    return float(_value("LOGISTICS_POLL_AFTER_HOURS", "6"))


def carrier_timeout_s() -> float:
    return float(_value("LOGISTICS_CARRIER_TIMEOUT_S", "5"))


def postage_rates_fen() -> tuple[int, int, int, int]:
    """Four non-negative integers (fen); a malformed setting falls back to the default."""
    default = (800, 1000, 1200, 1800)
    try:
        rates = tuple(int(part) for part in _value("LOGISTICS_POSTAGE_FEN", "800,1000,1200,1800").split(","))
    except ValueError:
        return default
    if len(rates) != 4 or any(r < 0 or r > 1_000_000 for r in rates):
        return default
    return rates[0], rates[1], rates[2], rates[3]


def case_postage_payer() -> str:
    value = _value("LOGISTICS_CASE_POSTAGE_PAYER", "department")
    return value if value in ("department", "applicant") else "department"


def callback_base_url() -> str:
    """Where the carrier sends callbacks: the platform's public address unless overridden."""
    from_settings = getattr(settings, "LOGISTICS_CALLBACK_BASE_URL", None) or os.environ.get(
        "LOGISTICS_CALLBACK_BASE_URL"
    )
    return str(from_settings or settings.YIWANG_PUBLIC_URL).rstrip("/")
