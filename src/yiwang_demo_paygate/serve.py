"""Start the simulated gateway: migrate its own SQLite file, make the key file, then run gunicorn.

``serve_demo_paygate()`` (used by ``yiwang demo-paygate``) binds HOST:PORT+3;
``python -m yiwang_demo_paygate.serve --bind 127.0.0.1:8003`` binds where told.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from yiwang_demo_paygate.keys import default_path, load_or_create

SETTINGS = "yiwang_demo_paygate.settings"


def prepare() -> None:
    """Its own database and key file.  In this process when Django is not set up yet, else in a child
    (the caller, ``yiwang demo-paygate``, may already run the platform's settings)."""
    from django.conf import settings

    if settings.configured:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS}
        subprocess.run(
            [sys.executable, "-m", "django", "migrate", "--noinput", "-v", "0"], env=env, check=True
        )
    else:
        import django
        from django.core.management import call_command

        os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
    load_or_create(default_path())


def serve_demo_paygate(bind: str | None = None) -> None:
    """模拟非税收缴网关: a separate gunicorn (one worker: the notification sender is its thread)."""
    if bind is None:
        port = int(os.environ.get("PORT", "8000"))
        bind = f"{os.environ.get('HOST', '127.0.0.1')}:{port + 3}"
    prepare()
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    argv = ["gunicorn", "yiwang_demo_paygate.wsgi:application", "--bind", bind]
    argv += ["--workers", "1", "--threads", "4", "--access-logfile", "-", "--no-control-socket"]
    os.execvp(sys.executable, [sys.executable, "-m", *argv])  # noqa: S606


def main(args: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m yiwang_demo_paygate.serve")
    parser.add_argument("--bind", help="host:port (default HOST:PORT+3)")
    serve_demo_paygate(parser.parse_args(args).bind)


if __name__ == "__main__":
    main()
