"""gunicorn configuration of the production server (``yiwang serve``; ``gunicorn -c python:yiwang.gunicorn_conf``).

Everything comes from the environment so that one image serves every node:

* ``HOST``/``PORT`` — bind address (``127.0.0.1:8000``);
* ``WEB_CONCURRENCY`` — worker processes, default cores + 1.  Each worker runs threads, so the
  usual 2 × cores rule for sync workers oversubscribes the CPU: the threads of one process share
  its interpreter lock, and on the 2-core benchmark machine 3 workers × 2 threads served the to-do
  list and the case detail 20–40 % faster than 4 × 4 or 3 × 4 (docs/benchmarks.md);
* ``GUNICORN_WORKER_CLASS`` — overrides the worker class (``gthread`` with threads, else ``sync``);
* ``GUNICORN_THREADS`` — threads per worker (``gthread``), default 2 (enough to overlap one
  request's database waits with another's Python); each thread holds its own
  database connection (or borrows one from the pool when ``YIWANG_DB_POOL`` is on);
* ``GUNICORN_ACCESS_LOG`` — ``-`` (stdout, the default) or a path; empty switches the access log off
  (the benchmark does, so that it measures the application and not the log writer);
* ``GUNICORN_TIMEOUT`` — seconds before a stuck worker is restarted (60);
* ``GUNICORN_MAX_REQUESTS`` — recycle a worker after this many requests (0 = never), with jitter;
* ``YIWANG_WARMUP`` — ``0`` skips the warm-up below (test servers that start often and are asked few
  pages: the first request pays what it needs).
"""

from __future__ import annotations

import os

# Django-free at import time (gunicorn reads this file before Django is set up).
from yiwang.core.warmup import logger, warm_up

cores = os.cpu_count() or 1
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", str(max(2, cores + 1))))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS") or ("gthread" if threads > 1 else "sync")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
_access = os.environ.get("GUNICORN_ACCESS_LOG", "-")
accesslog = _access or None
# gunicorn 24+ opens a control socket at one fixed path per user (~/.gunicorn/gunicorn.ctl), which
# the servers of one node (platform, demo department system, a benchmark) would fight over; unused.
control_socket_disable = True


def post_worker_init(worker: object) -> None:
    """Before the worker takes traffic: URLconf and API, translations, templates, jieba (the first
    request paid ~3.6 s for these otherwise; yiwang/core/warmup.py)."""
    if os.environ.get("YIWANG_WARMUP", "1") == "0":
        return
    try:
        took = warm_up()
        logger.info(
            "worker warmed up in %.2f s (%s)",
            sum(took.values()),
            ", ".join(f"{k} {v:.2f}" for k, v in took.items()),
        )
    except Exception:  # noqa: S110 - a warm-up must never stop a worker from starting
        pass
