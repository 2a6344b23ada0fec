"""Where a page's time goes, in-process: wall time, SQL time and statement count, template time.

    DATABASE_URL=postgres://…/yiwang_bench uv run python bench/profile_pages.py [--repeat 200] [--cprofile todo_page]

Logs the bench's users in with Django's test client (the MFA step marked done in the session, as the
MFA page does), requests each page ``--repeat`` times after a warm-up and prints, per page, the
median and 90th percentile of the wall time, the SQL time and statement count of one request and the
time spent rendering templates.  ``--cprofile NAME`` prints the 25 most expensive functions of that
page (cumulative).  It measures one thread on an otherwise idle machine; the load figures are
``bench/run.py``'s.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
os.environ.setdefault("YIWANG_PROFILE", "demo")


class SqlTimer:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--cprofile", default="")
    parser.add_argument("--pages", default="todo_page,case_page,my_cases,guide,catalogue_list")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.template import Template
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yiwang.accounts.models import User
    from yiwang.cases.queries import staff_todo
    from yiwang.catalog.models import ItemStatus, ServiceItem

    template_seconds = [0.0]
    depth = [0]
    original_render = Template._render

    def timed_render(self: Template, context: Any) -> Any:
        depth[0] += 1
        started = time.perf_counter()
        try:
            return original_render(self, context)
        finally:
            depth[0] -= 1
            if depth[0] == 0:  # the outermost template only (includes and bases are inside it)
                template_seconds[0] += time.perf_counter() - started

    Template._render = timed_render  # type: ignore[method-assign]

    def staff_client(username: str) -> Client:
        client = Client()
        user = User.objects.get(username=username)
        client.force_login(user)
        session = client.session
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id if device else ""
        session.save()
        return client

    clerk = (
        next(
            u.username
            for u in User.objects.filter(kind="staff", is_active=True).order_by("pk")
            if staff_todo(u).exists()
        )
        if "todo_page" in args.pages or "case_page" in args.pages
        else "clerk"
    )
    staff = staff_client(clerk)
    case = staff_todo(User.objects.get(username=clerk)).first()
    citizen = Client()
    citizen.force_login(User.objects.get(username="citizen"))
    item = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).order_by("pk").first()
    manager = staff_client("manager")
    pages = {
        "todo_page": (staff, "/workbench/"),
        "case_page": (staff, f"/workbench/cases/{case.public_id}/" if case else "/workbench/"),
        "my_cases": (citizen, "/my/cases/"),
        "guide": (Client(), f"/items/{item.public_id}/" if item else "/"),
        "catalogue_list": (manager, "/workbench/catalog/"),
    }
    print(f"clerk {clerk}; {args.repeat} requests a page, one thread")
    print(
        f"{'page':16} {'status':>6} {'p50 ms':>8} {'p90 ms':>8} {'sql ms':>8} {'stmts':>6} {'tmpl ms':>8} {'KB':>6}"
    )
    for name in args.pages.split(","):
        client, url = pages[name]
        for _ in range(10):
            client.get(url)
        walls, sqls, templates = [], [], []
        counts = 0
        size = 0
        status = 0
        for _ in range(args.repeat):
            timer = SqlTimer()
            template_seconds[0] = 0.0
            started = time.perf_counter()
            with connection.execute_wrapper(timer):
                response = client.get(url)
            walls.append(time.perf_counter() - started)
            sqls.append(timer.seconds)
            templates.append(template_seconds[0])
            counts = timer.count
            size = len(response.content)
            status = response.status_code
        walls.sort()
        print(
            f"{name:16} {status:>6} {statistics.median(walls) * 1000:8.2f} "
            f"{walls[int(len(walls) * 0.9)] * 1000:8.2f} {statistics.median(sqls) * 1000:8.2f} "
            f"{counts:>6} {statistics.median(templates) * 1000:8.2f} {size / 1024:6.1f}"
        )
        if name == args.cprofile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.repeat):
                client.get(url)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            pstats.Stats(profile).sort_stats("tottime").print_stats(20)
            # Where the platform's own code spends it (cumulative, yiwang's functions only).
            pstats.Stats(profile).sort_stats("cumulative").print_stats(r"src/yiwang", 40)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
