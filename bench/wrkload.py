"""The production server under wrk, shared by the HTTP parts of the benchmarks (payments, hall).

``serve_and_wrk`` starts gunicorn with ``yiwang/gunicorn_conf.py`` on a free port, waits for
``/healthz``, runs a warm-up (not counted) and the measured ``wrk`` run with a Lua script, stops the
server and returns wrk's figures: requests, requests per second, non-2xx responses, p50/p99 latency.
Needs Debian's ``wrk``.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_and_wrk(
    path: str | Callable[[int], str],
    script: Path,
    *,
    clients: int,
    seconds: int,
    warm_script: Path | None = None,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "yiwang.wsgi:application", "-c", "python:yiwang.gunicorn_conf"],
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT / "src"),
            "PORT": str(port),
            "GUNICORN_ACCESS_LOG": "",
            **(env or {}),
        },
    )
    url = f"http://127.0.0.1:{port}{path(port) if callable(path) else path}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        # warm-up (not counted): every worker thread imports, connects and fills its caches
        subprocess.run(
            ["wrk", "-t1", f"-c{clients}", "-d3s", "-s", str(warm_script or script), url],
            capture_output=True,
            check=True,
        )
        done = subprocess.run(
            ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--latency", "-s", str(script), url],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return parse_wrk(done.stdout, clients)


def parse_wrk(out: str, clients: int) -> dict[str, Any]:
    total = re.search(r"(\d+) requests in", out)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    latency = {
        share: found.group(1) + found.group(2)
        for share in ("50", "99")
        if (found := re.search(rf"^\s+{share}%\s+([\d.]+)(us|ms|s)", out, re.M))
    }
    return {
        "requests": int(total.group(1)) if total else 0,
        "clients": clients,
        "per_s": float(rate.group(1)) if rate else 0.0,
        "errors": int(bad.group(1)) if bad else 0,
        "latency": latency,
    }
