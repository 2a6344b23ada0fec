"""The ``yiwang`` console command: a thin wrapper around manage.py with the platform's own verbs.

yiwang federation-demo  a province (PORT) and its city (PORT+100) platform, paired, each with its web
                  server, worker and scheduler under one supervisor (docs/federation-demo.md)
yiwang demo       migrate, load regions/calendar/demo data, collect static, then run the web server,
                  the task worker(s), the scheduler and the demo side systems (department
                  system, gateway consumer, payment gateway, carrier) under one supervisor (what `make run` does; Ctrl-C stops all)
yiwang serve      production server (gunicorn) on 127.0.0.1:$PORT (default 8000)
yiwang worker     background task worker (django-tasks database backend; requeues tasks a crash left running)
yiwang scheduler  the scheduled jobs (docs/operations.md); `--once JOB` runs one now
yiwang totp USER  demo only: the current TOTP code of a demo staff account (fixed demo secret)
yiwang loaddemo   load the demo data idempotently
yiwang <other>    any manage.py command
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from yiwang.demo.federation import configure_pair, demo_configs, federation_banner
from yiwang.supervisor import Program, Supervisor, die_with_supervisor


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
    _manage("demo_history")  # a few hundred cases so dashboards, big screen and supervision show data


def serve(extra: list[str]) -> None:
    """The production web server (gunicorn) in place of this process."""
    # Workers, threads, timeouts and logs: yiwang/gunicorn_conf.py (environment variables).
    argv = ["gunicorn", "--config", "python:yiwang.gunicorn_conf", "yiwang.wsgi:application", *extra]
    os.execvp(sys.executable, [sys.executable, "-m", *argv])  # noqa: S606


def run_demo(extra: list[str]) -> int:
    """Web server, task worker(s), scheduler and demo department system under one supervisor."""
    from django.conf import settings

    port = os.environ.get("PORT", "8000")
    host = os.environ.get("HOST", "127.0.0.1")
    print_banner(host, port)
    me = [sys.executable, "-m", "yiwang.cli"]
    # Every child computes links from the same public address (PDFs are rendered by the worker).
    env = {"PORT": port, "HOST": host, "YIWANG_PUBLIC_URL": settings.YIWANG_PUBLIC_URL}
    programs = [Program("web", [*me, "serve", *extra], env)]
    workers = max(1, int(os.environ.get("YIWANG_TASK_WORKERS", "1")))
    programs += [
        Program(f"worker{i + 1}" if workers > 1 else "worker", [*me, "worker"], env) for i in range(workers)
    ]
    programs.append(Program("scheduler", [*me, "scheduler"], env))
    if os.environ.get("YIWANG_DEMO_DEPT", "1") == "1" and _demo_mode():
        programs.append(Program("dept", [*me, "demo-dept"], env))
        # The demo consumer system of the sharing gateway (PORT+2): client credentials, real HTTP.
        programs.append(Program("consumer", [*me, "demo_consumer", "--serve"], env))
        # The simulated fiscal non-tax collection gateway (PORT+3) and courier (PORT+4): separate
        # processes with their own databases, spoken to over signed HTTP (docs/payments.md, logistics.md).
        programs.append(Program("paygate", [*me, "demo-paygate"], env))
        programs.append(Program("carrier", [*me, "demo-carrier"], env))
        # The simulated ID-card reader bridge of the demo kiosk (PORT+5; docs/kiosk.md).
        programs.append(
            Program(
                "reader",
                [
                    sys.executable,
                    str(settings.PROJECT_DIR / "scripts" / "card_reader_sim.py"),
                    "--config",
                    str(settings.VAR_DIR / "kiosk_reader.json"),
                    "--port",
                    str(int(port) + 5),
                    "--origin",
                    settings.YIWANG_PUBLIC_URL.rstrip("/"),
                ],
                env,
            )
        )
    return Supervisor(programs).run()


def run_federation_demo() -> int:
    """省市协同 demo: prepare the province and the city (databases, keys, demo data, pairing), then run
    each one's web server, task worker and scheduler under one supervisor, and the province's refresh
    of the city's items open to filing there (docs/federation-demo.md)."""
    project_var = Path(os.environ.get("YIWANG_VAR_DIR", Path(__file__).resolve().parents[2] / "var"))
    province, city = demo_configs(project_var, int(os.environ.get("PORT", "8000")))
    setup = configure_pair(province, city)
    me = [sys.executable, "-m", "yiwang.cli"]
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "YIWANG_VAR_DIR", "PORT")}
    for config in (province, city):
        print(f"=== {config.name} ({config.role}, {config.database_url}) ===", flush=True)
        env = {
            **clean,
            **setup["env"][config.role],
            "YIWANG_FEDERATION_PLAN": json.dumps(setup["plan"][config.role]),
        }
        subprocess.run([*me, "federation_prepare"], env=env, check=True)  # noqa: S603 - our own CLI
    programs = []
    for config in (province, city):
        env = setup["env"][config.role]
        programs += [
            Program(f"{config.role}.web", [*me, "serve"], env),
            Program(f"{config.role}.worker", [*me, "worker"], env),
            Program(f"{config.role}.scheduler", [*me, "scheduler"], env),
        ]
    # 跨域通办: the province lists the city's items open to filing there once the city answers.
    programs.append(
        Program("province.crossregion", [*me, "federation_crossregion"], setup["env"][province.role])
    )
    print(federation_banner(province, city), flush=True)
    return Supervisor(programs).run()


def _demo_kiosk_path() -> str:
    try:
        from yiwang.demo.kiosk import demo_kiosk_path

        return demo_kiosk_path()
    except Exception:  # the banner never stops the demo (e.g. before migrate)
        return "/kiosk/"


def _demo_mode() -> bool:
    from django.conf import settings

    return bool(settings.YIWANG_DEMO and not settings.IS_PRODUCTION)


def serve_demo_dept() -> None:
    """演示部门系统: a separate gunicorn on PORT+1 that logs in through the platform's SSO."""
    port = os.environ.get("PORT", "8000")
    host = os.environ.get("HOST", "127.0.0.1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "yiwang_demo_dept.settings"
    os.environ["DEPT_SSO_BASE_URL"] = f"http://{host}:{port}"
    argv = ["gunicorn", "yiwang_demo_dept.wsgi:application", "--bind", f"{host}:{int(port) + 1}"]
    argv += ["--workers", "1", "--threads", "4", "--access-logfile", "-", "--no-control-socket"]
    os.execvp(sys.executable, [sys.executable, "-m", *argv])  # noqa: S606


def print_totp(username: str) -> None:
    """Demo only: the current TOTP code of a demo staff account."""
    from django.conf import settings
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yiwang.testing.mfa import current_code

    if not settings.YIWANG_DEMO or settings.IS_PRODUCTION:
        print("yiwang totp is available in demo mode only", file=sys.stderr)
        raise SystemExit(2)
    device = TOTPDevice.objects.filter(user__username=username, name="演示身份验证器", confirmed=True).first()
    if device is None:
        print(f"no demo TOTP device for {username!r} (run yiwang loaddemo)", file=sys.stderr)
        raise SystemExit(1)
    print(current_code(device))


def print_banner(host: str, port: str) -> None:
    from yiwang.core.demo_accounts import DEMO_ACCOUNTS, SHARING_DEMO_ACCOUNTS

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
        f"  共享调用方 Gateway demo http://{host}:{int(port) + 2}/   (sharing gateway, client credentials)",
        f"  模拟缴费网关 Pay gateway http://{host}:{int(port) + 3}/   (simulated fiscal non-tax collection)",
        f"  模拟快递 Carrier     http://{host}:{int(port) + 4}/   (simulated courier, tracking pages)",
        f"  模拟读卡器 Card reader http://{host}:{int(port) + 5}/card   (the kiosk's ID-card reader bridge)",
        f"  大厅叫号屏 Queue screen {base}/hall/queue/hefei/   取号机 Ticket machine {base}/hall/take/hefei/",
        f"  自助终端 Kiosk       {base}{_demo_kiosk_path()}",
        f"  窗口叫号 Window console {base}/workbench/hall/   我的预约 {base}/my/appointments/",
        f"  财务 Finance         {base}/workbench/finance/",
        f"  数据开放 Open data   {base}/open-data/",
        f"  Health             {base}/healthz  {base}/readyz",
        "",
        "  Demo accounts (username / password):",
    ]
    for account in (*DEMO_ACCOUNTS, *(entry[0] for entry in SHARING_DEMO_ACCOUNTS)):
        lines.append(f"    {account.role_label:<14} {account.username:<16} {account.password}")
    lines.append(
        "  Staff MFA (TOTP): `make totp USER=clerk` (or `.venv/bin/yiwang totp clerk`) prints the code."
    )
    lines.append("=" * 72)
    print("\n".join(lines), flush=True)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    verb = args[0] if args else "help"
    die_with_supervisor()
    if verb == "demo-dept":
        serve_demo_dept()
    if verb == "demo-paygate":
        from yiwang_demo_paygate.serve import serve_demo_paygate

        serve_demo_paygate()
    if verb == "demo-carrier":
        from yiwang_demo_carrier.serve import serve_demo_carrier

        serve_demo_carrier()
    if verb == "federation-demo":
        raise SystemExit(run_federation_demo())
    _django_setup()
    if verb == "demo":
        prepare()
        raise SystemExit(run_demo(args[1:]))
    elif verb == "serve":
        serve(args[1:])
    elif verb == "worker":
        _manage("task_worker", *args[1:])  # db_worker that requeues what a crash left running
    elif verb == "scheduler":
        from yiwang.core.scheduler import main as scheduler_main

        scheduler_main(args[1:])
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
