"""``yiwang seed_bases --persons N --companies M --seed S``: fill the bases with generated records."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiwang.bases.generate import BATCH_SIZE, seed_bases
from yiwang.bases.geometry import generate_addresses, generate_region_geometry


class Command(BaseCommand):
    help = "生成演示/压测用的人口、法人基础库数据（确定性；已存在的记录保留不变）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=10_000)
        parser.add_argument("--companies", type=int, default=2_000)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument("--no-geometry", action="store_true", help="不生成区划空间数据和标准地址")

    def handle(self, *args: Any, **options: Any) -> None:
        persons = max(0, min(int(options["persons"]), 20_000_000))
        companies = max(0, min(int(options["companies"]), 5_000_000))
        batch_size = max(100, min(int(options["batch_size"]), 20_000))
        report = seed_bases(persons=persons, companies=companies, seed=options["seed"], batch_size=batch_size)
        self.stdout.write(str(report))
        if not options["no_geometry"]:
            regions = generate_region_geometry()
            addresses = generate_addresses()
            self.stdout.write(f"区划空间数据新增 {regions} 条（合成）；标准地址 {addresses} 条")
