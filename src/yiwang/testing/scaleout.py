"""Helpers of the scale-out tests (test_scaleout_*.py): web nodes as real processes, Redis, ports.

A node is the platform's production server (``python -m yiwang.cli serve``: gunicorn with
``yiwang/gunicorn_conf.py``) in its own process group, on a free port, with the environment a
deployment would give it; ``stop`` kills the group even when the test failed.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("YIWANG_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def redis_available(url: str = REDIS_URL) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def cache_prefix() -> str:
    """A key prefix of its own, so that a run never reads another run's (or instance's) keys."""
    return f"t{uuid.uuid4().hex[:10]}:"


def database_url_of(settings_dict: dict[str, Any]) -> str:
    """The URL of the database a Django connection uses (the test database), for a node's DATABASE_URL."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


def node_env(var_dir: Path, **values: str) -> dict[str, str]:
    """The environment of a node: the test profile (its fast password hasher reads the test's users)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "YIWANG_", "DATABASE_"))}
    env.update(
        YIWANG_PROFILE="test",
        YIWANG_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="yiwang.settings",
        PYTHONPATH=str(ROOT / "src"),
        PYTHONUNBUFFERED="1",
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="2",
        GUNICORN_ACCESS_LOG="",
        GUNICORN_TIMEOUT="30",
    )
    key = Path(os.environ.get("YIWANG_VAR_DIR", ROOT / "var")) / "oidc_rsa_private.pem"
    if key.exists():  # the same OIDC key on every node, as a deployment gives it (no key made per node)
        env["OIDC_RSA_PRIVATE_KEY_FILE"] = str(key)
    env.update(values)
    return env


class Node:
    """One web node: ``yiwang serve`` on its own port."""

    def __init__(self, name: str, env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.port = free_port()
        self.log = logs / f"{name}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "yiwang.cli", "serve"],
            env={**env, "PORT": str(self.port)},
            cwd=ROOT,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"node {self.name} exited: {self.tail()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"node {self.name} not answering after {timeout} s: {self.tail()}")

    def tail(self, size: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-size:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@contextlib.contextmanager
def nodes(names: list[str], env: dict[str, str], logs: Path) -> Iterator[list[Node]]:
    """Start the nodes together (they warm up in parallel), wait until all answer, stop them at the end."""
    started: list[Node] = []
    try:
        for name in names:
            started.append(Node(name, env, logs))
        for node in started:
            node.wait_ready()
        yield started
    except BaseException:
        for node in started:
            print(f"--- {node.name} (tail) ---\n{node.tail()}")
        raise
    finally:
        for node in started:
            node.stop()


def csrf_token(html: str) -> str:
    found = CSRF_INPUT.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def binaries(*names: str) -> bool:
    return all(shutil.which(name) for name in names)
