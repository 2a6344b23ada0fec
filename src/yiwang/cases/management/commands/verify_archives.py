"""verify_archives: recompute every archive package's hashes; exit status 1 when any differs."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiwang.cases.archive import verify_archive
from yiwang.cases.models import ArchivePackage


class Command(BaseCommand):
    help = "校验全部归档包（SM3 与 SHA-256，含归档包与在库文件）；有不一致时退出码为 1"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--case", default="", help="只校验此办件编号")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, **options: Any) -> None:
        packages = ArchivePackage.objects.select_related("case").order_by("pk")
        if options["case"]:
            packages = packages.filter(case__number=options["case"])
        reports = [verify_archive(package) for package in packages.iterator(chunk_size=200)]
        failed = [r for r in reports if not r.ok]
        if options["json"]:
            self.stdout.write(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2))
        else:
            for report in failed:
                for problem in report.problems:
                    self.stdout.write(
                        f"{report.case_number}\t{problem['path'] or '(归档包)'}\t{problem['problem']}"
                    )
            self.stdout.write(f"{len(reports) - len(failed)} 个归档包校验通过，{len(failed)} 个不一致。")
        if failed:
            sys.exit(1)
