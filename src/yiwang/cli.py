"""The ``yiwang`` console command: a thin wrapper around manage.py with the platform's own verbs.

yiwang demo       migrate, load regions/calendar/demo data, collect static, serve (what `make run` does)
yiwang serve      production server (gunicorn) on 127.0.0.1:$PORT (default 8000)
yiwang worker     background task worker (django-tasks database backend)
yiwang totp USER  demo only: the current TOTP code of a demo staff account (fixed demo secret)
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
    # Workers, threads, timeouts and logs: yiwang/gunicorn_conf.py (environment variables).
    argv = ["gunicorn", "--config", "python:yiwang.gunicorn_conf", "yiwang.wsgi:application", *extra]
    print_banner(host, port)
    if os.environ.get("YIWANG_DEMO_DEPT", "1") == "1" and _demo_mode():
        start_demo_dept(host, port)
    os.execvp(sys.executable, [sys.executable, "-m", *argv])  # noqa: S606


def _demo_mode() -> bool:
    from django.conf import settings

    return bool(settings.YIWANG_DEMO and not settings.IS_PRODUCTION)


def start_demo_dept(host: str, port: str) -> None:
    """演示部门系统: a separate gunicorn process on PORT+1 that logs in through the platform's SSO.

    It is started before the platform replaces this process (exec), so it keeps running beside it;
    it exits when its parent (the platform server) exits.
    """
    import subprocess

    dept_port = str(int(port) + 1)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yiwang_demo_dept.settings",
        "DEPT_SSO_BASE_URL": f"http://{host}:{port}",
    }
    subprocess.Popen(  # noqa: S603 - fixed argv
        [
            sys.executable,
            "-m",
            "gunicorn",
            "yiwang_demo_dept.wsgi:application",
            "--bind",
            f"{host}:{dept_port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--access-logfile",
            "-",
        ],
        env=env,
        preexec_fn=_die_with_parent,
    )


def _die_with_parent() -> None:
    """Linux: the demo department system gets SIGTERM when the platform server exits."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def print_totp(username: str) -> None:
    """Demo only: the current TOTP code of a demo staff account."""
    from django.conf import settings
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yiwang.accounts.testing import current_code

    if not settings.YIWANG_DEMO or settings.IS_PRODUCTION:
        print("yiwang totp is available in demo mode only", file=sys.stderr)
        raise SystemExit(2)
    device = TOTPDevice.objects.filter(user__username=username, name="演示身份验证器", confirmed=True).first()
    if device is None:
        print(f"no demo TOTP device for {username!r} (run yiwang loaddemo)", file=sys.stderr)
        raise SystemExit(1)
    print(current_code(device))


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
        f"  演示部门系统 SSO demo http://{host}:{int(port) + 1}/   (OIDC: {base}/.well-known/openid-configuration)",
        f"  Health             {base}/healthz  {base}/readyz",
        "",
        "  Demo accounts (username / password):",
    ]
    for account in DEMO_ACCOUNTS:
        lines.append(f"    {account.role_label:<14} {account.username:<16} {account.password}")
    lines.append("  Staff MFA (TOTP): `yiwang totp <username>` prints the current code (demo secret).")
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
    elif verb == "totp" and len(args) > 1:
        print_totp(args[1])
    elif verb == "loaddemo":
        _manage("loaddemo", *args[1:])
    elif verb in ("help", "-h", "--help"):
        print(__doc__)
    else:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["yiwang", *args])


if __name__ == "__main__":
    main()
