"""Knowledge benchmark (issue #23): search p95 (target < 50 ms over 50,000 entries) and assistant
answer p95 (target < 200 ms), on SQLite or PostgreSQL.

Usage:

    createdb -h 127.0.0.1 -U postgres bench_knowledge        # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_knowledge uv run python bench/knowledge.py --entries 50000

A quick check on a fresh SQLite file under /tmp (unless DATABASE_URL is set):

    uv run python bench/knowledge.py --entries 2000 --queries 50

Seeding: the demo data, the default FAQs and the guide entries (``knowledge_sync``), then N published
FAQ entries written in bulk from combinations of common words (so the index has realistic overlap),
indexed with the same ``search_text`` builder.  Prints a table and writes JSON to bench/results/.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
os.environ.setdefault("YIWANG_PROFILE", "demo")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = "sqlite:///" + str(
        Path(tempfile.mkdtemp(prefix="yiwang-bench-knowledge-")) / "db.sqlite3"
    )

SUBJECTS = [
    "营业执照",
    "社保卡",
    "公积金",
    "身份证",
    "户口",
    "不动产",
    "驾驶证",
    "护照",
    "居住证",
    "低保",
    "个体户",
    "医保",
    "养老保险",
    "失业金",
    "结婚登记",
    "出生证明",
    "学籍",
    "教师资格",
    "食品经营",
    "出租车",
]
ACTIONS = ["办理", "补办", "变更", "注销", "查询", "续期", "迁移", "挂失", "转移", "申领"]
QUALIFIERS = [
    "需要什么材料",
    "多久能办好",
    "在哪里办",
    "要收费吗",
    "可以网上办吗",
    "能否代办",
    "异地怎么办",
    "流程是什么",
]
QUERIES = [
    "社保卡补办",
    "公积金",
    "gjj",
    "shebaoka",
    "个体户",
    "营业执照变更",
    "忘记密码",
    "如何缴费",
    "身份证挂失",
    "居住证多久",
    "低保申请材料",
    "hz",
    "户口迁移流程",
    "邮寄",
    "电子证照",
]
MESSAGES = [
    "怎么办理个体工商户",
    "营业执照需要什么材料",
    "社保卡补办多久能办好",
    "我的办件办到哪了",
    "你好",
    "忘记密码怎么办",
    "公积金异地怎么办",
    "我要投诉",
]


def setup() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(entries: int) -> tuple[int, float]:
    from django.core.management import call_command
    from django.db import transaction

    from yiwang.catalog.models import ServiceItem
    from yiwang.knowledge import search
    from yiwang.knowledge.models import EntryKind, EntryStatus, KnowledgeEntry

    started = time.perf_counter()
    if not ServiceItem.objects.exists():
        call_command("loaddemo", verbosity=0)
    call_command("knowledge_defaults", verbosity=0)
    call_command("knowledge_sync", verbosity=0)
    have = KnowledgeEntry.objects.filter(source_key__startswith="bench:").count()
    rng = random.Random(23)
    batch: list[KnowledgeEntry] = []
    for n in range(have, entries):
        subject, action, qualifier = rng.choice(SUBJECTS), rng.choice(ACTIONS), rng.choice(QUALIFIERS)
        title = f"{subject}{action}{qualifier}（{n}）"
        answer = f"{subject}{action}请登录平台在线申请，或到政务服务中心窗口办理。{qualifier}详见办事指南。"
        entry = KnowledgeEntry(
            kind=EntryKind.FAQ,
            status=EntryStatus.PUBLISHED,
            title=title,
            answer=answer,
            category=subject,
            source_key=f"bench:{n}",
            version=1,
            hits=rng.randint(0, 1000),
        )
        search.refresh(entry)
        batch.append(entry)
        if len(batch) == 2000 or n == entries - 1:
            with transaction.atomic():
                made = KnowledgeEntry.objects.bulk_create(batch)
                if not all(e.pk for e in made):  # SQLite < 3.35 without RETURNING: read the ids back
                    keys = [e.source_key for e in made]
                    ids = dict(
                        KnowledgeEntry.objects.filter(source_key__in=keys).values_list("source_key", "pk")
                    )
                    for e in made:
                        e.pk = ids[e.source_key]
                search.sync_index([(e.pk, e.search_text) for e in made])
            batch = []
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE knowledge_knowledgeentry")
    return KnowledgeEntry.objects.count(), time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(queries: int) -> dict[str, Any]:
    from yiwang.knowledge import search
    from yiwang.knowledge.services import post_message

    search.search("预热")  # jieba and pinyin tables
    search_ms: list[float] = []
    for n in range(queries):
        started = time.perf_counter()
        search.search(QUERIES[n % len(QUERIES)])
        search_ms.append((time.perf_counter() - started) * 1000)
    answer_ms: list[float] = []
    conversation_id = None
    for n in range(queries):
        if n % 20 == 0:
            conversation_id = None  # a new conversation every 20 messages
        started = time.perf_counter()
        conversation, _ = post_message(
            MESSAGES[n % len(MESSAGES)], user=None, session_key="bench" * 6, conversation_id=conversation_id
        )
        answer_ms.append((time.perf_counter() - started) * 1000)
        conversation_id = conversation.public_id
    return {
        "search_p50_ms": round(statistics.median(search_ms), 2),
        "search_p95_ms": round(percentile(search_ms, 95), 2),
        "answer_p50_ms": round(statistics.median(answer_ms), 2),
        "answer_p95_ms": round(percentile(answer_ms, 95), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    setup()
    from django.db import connection

    total, seconds = seed(args.entries)
    figures = {
        "database": connection.vendor,
        "entries": total,
        "seed_s": round(seconds, 1),
        **measure(args.queries),
    }
    for key, value in figures.items():
        print(f"{key:>16}  {value}")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (out / f"knowledge-{connection.vendor}-{stamp}.json").write_text(
        json.dumps(figures, ensure_ascii=False, indent=2)
    )


if __name__ == "__main__":
    main()
