"""Catalogue benchmark: search p50/p95 and guide-page p95 with 100,000 implementation items.

Usage (PostgreSQL, the target):

    createdb -h 127.0.0.1 -U postgres yiwang_bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiwang_bench uv run python bench/catalog_search.py

Options: ``--items N`` (default 100000), ``--regenerate`` (drop the generated items first),
``--runs N`` (timed requests per scenario, default 300).  The data is generated once with
``bulk_create`` (the 46 demo item templates implemented by ~2,200 bodies, three materials each, the
search columns built per template and per body, not per item) and kept for later runs.

Prints a table and writes JSON to bench/results/.  Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
os.environ.setdefault("YIWANG_PROFILE", "demo")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from yiwang.catalog.models import ItemStatus, Material, ServiceItem  # noqa: E402
from yiwang.catalog.search import (  # noqa: E402
    _aliases_for,
    _bigrams,
    _words,
    pinyin_initials,
    pinyin_syllables,
    rebuild_search_index,
    search_items,
    tokenize,
)
from yiwang.core.identifiers import make_credit_code  # noqa: E402
from yiwang.core.models import Organisation, Region, RegionLevel  # noqa: E402

BENCH_PREFIX = "B"  # organisation bodies of generated bodies: B0000001 …
QUERIES = [
    "营业执照",
    "身份证",
    "gtgsh",
    "shebaoka",
    "低保",
    "食品经营许可",
    "个体户 变更",
    "我想办理营业执照",
    "公积金提取",
    "出生登记",
    "yyzz",
    "退休",
]
TARGETS_MS = {"search_p95": 50.0, "guide_p95": 30.0}


def _template_words(spec: dict) -> tuple[str, str, list[str]]:
    """Search words of the parts of an item that do not depend on the implementing body."""
    name = spec["name"]
    syllables = pinyin_syllables(name)
    name_tokens = tokenize(name)
    keywords = [*_words(spec.get("keywords", "")), *_aliases_for(name)]
    materials = [m["name"] for m in spec["materials"][:3]]
    parts = [
        [name],
        name_tokens,
        _bigrams(name),
        keywords,
        *(tokenize(k) for k in keywords),
        [spec.get("result_name", "")],
        tokenize(spec.get("result_name", "")),
        [t for t in tokenize(spec.get("conditions", "")) if len(t) >= 2][:80],
        materials,
        *(tokenize(m) for m in materials),
        ["".join(syllables), pinyin_initials(name)],
        syllables,
        *(["".join(pinyin_syllables(t)), pinyin_initials(t)] for t in name_tokens),
    ]
    words = [w for part in parts for phrase in part if phrase for w in _words(phrase)]
    return "".join(syllables), pinyin_initials(name), words


def generate(total: int) -> None:
    from yiwang.demo.content import ITEMS

    started = time.monotonic()
    province, _ = Region.objects.get_or_create(
        code="34", defaults={"full_code": "340000000000", "name": "安徽省", "level": RegionLevel.PROVINCE}
    )
    city, _ = Region.objects.get_or_create(
        code="3401",
        defaults={
            "full_code": "340100000000",
            "name": "合肥市",
            "level": RegionLevel.CITY,
            "parent": province,
        },
    )
    templates = ITEMS
    per_body = len(templates)
    bodies_needed = -(-total // per_body)
    existing = Organisation.objects.filter(credit_code__in=[]).count()
    orgs = []
    districts = [
        "瑶海区",
        "庐阳区",
        "蜀山区",
        "包河区",
        "长丰县",
        "肥东县",
        "肥西县",
        "庐江县",
        "巢湖市",
        "高新区",
    ]
    departments = [
        "市场监督管理局",
        "公安局",
        "民政局",
        "人力资源和社会保障局",
        "卫生健康委员会",
        "住房和城乡建设局",
        "自然资源和规划局",
        "交通运输局",
        "教育局",
        "数据资源局",
        "医疗保障局",
    ]
    for n in range(bodies_needed):
        name = f"合肥市{districts[n % len(districts)]}{departments[n % len(departments)]}第{n // 110 + 1}分局"
        orgs.append(
            Organisation(
                name=name,
                short_name=name[3:13],
                credit_code=make_credit_code("1", "1", "340100", f"{BENCH_PREFIX}{n:07d}"),
                region=city,
                nature="1",
                address="合肥市政务服务中心",
                phone="0551-12345",
            )
        )
    Organisation.objects.bulk_create(orgs, batch_size=1000, ignore_conflicts=True)
    orgs = list(Organisation.objects.filter(credit_code__in=[o.credit_code for o in orgs]).order_by("pk"))
    template_words = [_template_words(spec) for spec in templates]
    org_words = {org.pk: [org.name, org.short_name, *tokenize(org.name)] for org in orgs}
    now = timezone.now()
    rng = random.Random(42)
    created = 0
    batch_items: list[ServiceItem] = []
    batch_specs: list[dict] = []

    def flush() -> None:
        nonlocal created
        with transaction.atomic():
            ServiceItem.objects.bulk_create(batch_items, batch_size=2000)
            materials = [
                Material(
                    item=item,
                    name=m["name"],
                    mandatory=m.get("mandatory", True),
                    order=i,
                    originals=m.get("originals", 0),
                    copies=m.get("copies", 0),
                    source=m.get("source", ""),
                )
                for item, spec in zip(batch_items, batch_specs, strict=True)
                for i, m in enumerate(spec["materials"][:3], start=1)
            ]
            Material.objects.bulk_create(materials, batch_size=5000)
        created += len(batch_items)
        batch_items.clear()
        batch_specs.clear()

    for org in orgs:
        for index, spec in enumerate(templates):
            if created + len(batch_items) >= total:
                break
            pinyin, initials, words = template_words[index]
            search_text = " ".join(
                dict.fromkeys(w.lower() for w in [*words, *(x for p in org_words[org.pk] for x in _words(p))])
            )
            base_code = f"9{index:03d}{org.pk % 100000000:08d}"[:12]
            level = "4"
            batch_items.append(
                ServiceItem(
                    name=spec["name"],
                    base_code=base_code,
                    implementation_code=f"{org.credit_code}{level}{base_code}",
                    item_type=spec["item_type"],
                    exercise_level=level,
                    implementing_body=org,
                    region=city,
                    legal_basis=spec["legal_basis"],
                    conditions=spec.get("conditions", ""),
                    process_description=spec.get("process_description", ""),
                    statutory_limit_days=spec["statutory_limit_days"],
                    committed_limit_days=spec["committed_limit_days"],
                    handling_forms=spec.get("handling_forms", ["1"]),
                    online_depth=spec.get("online_depth", ["1"]),
                    service_objects=spec.get("service_objects", ["1"]),
                    case_kind=spec.get("case_kind", "2"),
                    result_name=spec.get("result_name", ""),
                    form_fields=spec.get("form_fields", []),
                    keywords=spec.get("keywords", ""),
                    status=ItemStatus.PUBLISHED,
                    version=1,
                    published_at=now,
                    search_text=search_text,
                    name_pinyin=pinyin,
                    name_initials=initials,
                    application_count=rng.randint(0, 5000),
                )
            )
            batch_specs.append(spec)
            if len(batch_items) >= 5000:
                flush()
                print(f"  {created:>7} items …", flush=True)
    if batch_items:
        flush()
    if connection.vendor == "sqlite":
        rebuild_search_index(ServiceItem.objects.all(), recompute=False)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"generated {created} items for {len(orgs) - existing} bodies in {time.monotonic() - started:.1f} s"
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def timed(fn, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for i in range(runs):
        started = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    name = settings.DATABASES["default"]["NAME"]
    if connection.vendor == "postgresql" and name in ("postgres", "test", "template1"):
        print(f"refusing to benchmark on the '{name}' database; use yiwang_bench", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    bench_items = ServiceItem.objects.filter(implementing_body__credit_code__contains=f"{BENCH_PREFIX}0")
    if args.regenerate:
        Material.objects.filter(item__in=bench_items).delete()
        bench_items.delete()
    count = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).count()
    if count < args.items:
        print(f"{count} published items: generating {args.items - count} …")
        generate(args.items - count)
    count = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).count()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    ids = list(
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).values_list("public_id", flat=True)[:5000]
    )
    rng = random.Random(7)
    guide_ids = [rng.choice(ids) for _ in range(args.runs)]
    # warm up: jieba, connections, caches of the database
    for query in QUERIES:
        search_items(query)
        client.get("/api/v1/catalog/items", {"q": query})
    for public_id in guide_ids[:20]:
        client.get(f"/items/{public_id}/")

    service = timed(lambda i: search_items(QUERIES[i % len(QUERIES)]), args.runs)
    api = timed(lambda i: client.get("/api/v1/catalog/items", {"q": QUERIES[i % len(QUERIES)]}), args.runs)
    page = timed(lambda i: client.get("/search/", {"q": QUERIES[i % len(QUERIES)]}), args.runs)
    guide = timed(lambda i: client.get(f"/items/{guide_ids[i]}/"), args.runs)
    guide_api = timed(lambda i: client.get(f"/api/v1/catalog/items/{guide_ids[i]}"), args.runs)
    per_query = {
        query: round(statistics.median(timed(lambda _i, q=query: search_items(q), 15)), 2)
        for query in QUERIES
    }
    rows = {
        "search_items() service": service,
        "GET /api/v1/catalog/items?q=": api,
        "GET /search/?q= (page)": page,
        "GET /items/<id>/ (guide page)": guide,
        "GET /api/v1/catalog/items/<id>": guide_api,
    }
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "database_version": connection.cursor().connection.info.server_version
        if connection.vendor == "postgresql"
        else None,
        "items": count,
        "runs": args.runs,
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        },
        "scenarios": {
            label: {
                "p50_ms": round(percentile(samples, 50), 2),
                "p95_ms": round(percentile(samples, 95), 2),
                "max_ms": round(max(samples), 2),
            }
            for label, samples in rows.items()
        },
        "median_ms_per_query": per_query,
        "targets_ms": TARGETS_MS,
    }
    print(f"\n{count} published items on {connection.vendor}; {args.runs} timed requests each\n")
    print(f"{'scenario':<36} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label, figures in results["scenarios"].items():
        print(f"{label:<36} {figures['p50_ms']:>8} {figures['p95_ms']:>8} {figures['max_ms']:>8}")
    print("\nmedian per query (service):", ", ".join(f"{q} {ms}" for q, ms in per_query.items()))
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"catalog_search-{connection.vendor}-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    target.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"\nwritten {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
