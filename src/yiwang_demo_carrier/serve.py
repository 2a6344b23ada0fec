"""Start the simulated carrier: gunicorn on PORT+4 (``make run`` starts it with the platform)."""

from __future__ import annotations

import os
import sys


def serve_demo_carrier() -> None:
    """演示快递: a separate gunicorn on PORT+4 with its own SQLite file (var/carrier.sqlite3).

    One worker (the parcel clock is a thread of that worker); the platform's callback URL is sent
    with every order, so nothing here needs the platform's address."""
    port = int(os.environ.get("PORT", "8000"))
    host = os.environ.get("HOST", "127.0.0.1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "yiwang_demo_carrier.settings"
    bind = os.environ.get("CARRIER_BIND", f"{host}:{port + 4}")
    argv = ["gunicorn", "yiwang_demo_carrier.wsgi:application", "--bind", bind]
    argv += ["--workers", "1", "--threads", "4", "--access-logfile", "-", "--no-control-socket"]
    os.execvp(sys.executable, [sys.executable, "-m", *argv])  # noqa: S606


if __name__ == "__main__":
    serve_demo_carrier()
