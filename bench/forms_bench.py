"""E-form benchmark (#25): saving a 200-field form through the catalogue service (the builder's save
path: normalise, prefill checks, flatten, version fields, audit) and rendering it on the server
(``render_nodes`` + the ``forms/_form.html`` partial).  Targets: save < 300 ms, render < 50 ms.

Usage:

    YIWANG_PROFILE=test uv run python bench/forms_bench.py            # a throwaway test database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test_bench YIWANG_PROFILE=test uv run python bench/forms_bench.py

Options: ``--fields N`` (default 200), ``--runs N`` (default 30).  Prints the figures; not part of the
test suite (no timed assertion anywhere).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
os.environ.setdefault("YIWANG_PROFILE", "test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def definition(fields: int) -> dict[str, Any]:
    """``fields`` leaf fields in sections of 20: every supported kind, conditions and a formula."""
    kinds = ["textfield", "number", "currency", "datetime", "select", "radio", "checkbox", "textarea"]
    sections: list[dict[str, Any]] = []
    for s in range(fields // 20):
        children: list[dict[str, Any]] = []
        for i in range(20):
            n = s * 20 + i
            kind = kinds[n % len(kinds)]
            component: dict[str, Any] = {"type": kind, "key": f"f{n}", "label": f"字段{n}", "input": True}
            if kind in ("select", "radio"):
                component["values"] = [{"label": "是", "value": "yes"}, {"label": "否", "value": "no"}]
            if kind == "datetime":
                component["enableTime"] = False
            if kind == "number" and n >= 9:
                component["calculateValue"] = f"value = data.f{n - 8} * 2 + 1" if (n - 8) % 8 == 1 else ""
            if i % 5 == 4:
                component["conditional"] = {
                    "show": True,
                    "when": f"f{s * 20 + 4 if i != 4 else s * 20 + 5}",
                    "eq": "yes",
                }
            if i == 0:
                component["validate"] = {"required": True, "maxLength": 50}
            children.append({k: v for k, v in component.items() if v != ""})
        sections.append({"type": "panel", "key": f"s{s}", "label": f"第{s + 1}部分", "components": children})
    return {"display": "form", "components": sections}


def timed(fn: Any, runs: int) -> list[float]:
    result = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        result.append((time.perf_counter() - started) * 1000)
    return result


def summary(name: str, ms: list[float]) -> str:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"{name:<34} p50 {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   max {max(ms):7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fields", type=int, default=200)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from yiwang.catalog import services
        from yiwang.catalog.forms import normalise_definition, render_nodes
        from yiwang.catalog.models import ItemStatus
        from yiwang.testing.catalog import ServiceItemFactory
        from yiwang.testing.clients import make_region_staff

        raw = definition(args.fields)
        item: Any = ServiceItemFactory(status=ItemStatus.DRAFT, version=0, materials=[])
        manager = make_region_staff(item.implementing_body, "bench_manager", ("service_manager",))
        clean = normalise_definition(raw)
        values = {f"f{n}": "yes" for n in range(args.fields)}

        def save() -> None:
            services.update_item(item, actor=manager, form_definition=raw)

        def render() -> None:
            render_to_string("forms/_form.html", {"form_nodes": render_nodes(clean, values, {})})

        save()
        render()  # warm the template cache
        print(f"E-form with {args.fields} fields, {args.runs} runs, {connection.vendor}")
        print(summary("save through update_item", timed(save, args.runs)))
        print(summary("render (nodes + partial)", timed(render, args.runs)))
        print(summary("normalise_definition only", timed(lambda: normalise_definition(raw), args.runs)))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
