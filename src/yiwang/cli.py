"""The ``yiwang`` console command: a thin wrapper around manage.py with the platform's own verbs.

yiwang demo       migrate, load regions/calendar/demo data, collect static, serve (what `make run` does)
yiwang serve      production server (gunicorn) on 127.0.0.1:$PORT (default 8000)
yiwang worker     background task worker (django-tasks database backend)
yiwang loaddemo   load the demo data idempotently
yiwang <other>    any manage.py command
"""

from __future__ import annotations

import os
import sys


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
    import django

    django.setup()


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def prepare() -> None:
    """Everything the demo needs before serving; each step is idempotent."""
    _manage("migrate", "--no-input", "-v", "1")
    _manage("collectstatic", "--no-input", "-v", "0")
    _manage("loaddemo")


def serve(extra: list[str]) -> None:
    port = os.environ.get("PORT", "8000")
    host = os.environ.get("HOST", "127.0.0.1")
    workers = os.environ.get("WEB_CONCURRENCY", str(max(2, (os.cpu_count() or 1) * 2)))
    argv = [
        "gunicorn",
        "yiwang.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        workers,
        "--threads",
        os.environ.get("GUNICORN_THREADS", "4"),
        "--timeout",
        "60",
        "--access-logfile",
        "-",
        *extra,
    ]
    print_banner(host, port)
    os.execvp(sys.executable, [sys.executable, "-m", *argv])  # noqa: S606


def print_banner(host: str, port: str) -> None:
    from yiwang.core.demo_accounts import DEMO_ACCOUNTS

    base = f"http://{host}:{port}"
    lines = [
        "",
        "=" * 72,
        "  一网 Yiwang 一体化在线政务服务平台 — demo",
        "=" * 72,
        f"  门户 Portal         {base}/",
        f"  工作台 Workbench    {base}/workbench/",
        f"  API docs           {base}/api/v1/docs   (OpenAPI: {base}/api/v1/openapi.json)",
        f"  管理后台 Admin      {base}/admin/",
        f"  短信发件箱 SMS outbox {base}/dev/sms/",
        f"  Health             {base}/healthz  {base}/readyz",
        "",
        "  Demo accounts (username / password):",
    ]
    for account in DEMO_ACCOUNTS:
        lines.append(f"    {account.role_label:<14} {account.username:<16} {account.password}")
    lines.append("=" * 72)
    print("\n".join(lines), flush=True)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    verb = args[0] if args else "help"
    _django_setup()
    if verb == "demo":
        prepare()
        serve(args[1:])
    elif verb == "serve":
        serve(args[1:])
    elif verb == "worker":
        _manage("db_worker", *args[1:])
    elif verb == "loaddemo":
        _manage("loaddemo", *args[1:])
    elif verb in ("help", "-h", "--help"):
        print(__doc__)
    else:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["yiwang", *args])


if __name__ == "__main__":
    main()
