"""catalog_consistency: print the 四级四同 report; exit status 1 when there is any violation."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.catalog.consistency import consistency_report
from yiwang.core.models import Region


class Command(BaseCommand):
    help = "检查实施清单与基本目录的一致性（四级四同）；有不一致时退出码为 1"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", default="", help="行政区划代码（含下级），默认全部")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, **options: Any) -> None:
        region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(f"未知的行政区划代码：{options['region']}")
        violations = consistency_report(region)
        if options["json"]:
            self.stdout.write(json.dumps([v.as_dict() for v in violations], ensure_ascii=False, indent=2))
        else:
            for v in violations:
                self.stdout.write(
                    f"{v.implementation_code}\t{v.item_name}\t{v.body_name}\t{v.field_label}\t"
                    f"应为：{v.expected[:60]}\t实为：{v.actual[:60]}"
                )
            items = len({v.item_public_id for v in violations})
            scope = region.name if region else "全部行政区划"
            if violations:
                self.stdout.write(f"{scope}：{items} 个事项共 {len(violations)} 处与基本目录不一致。")
            else:
                self.stdout.write(f"{scope}：全部事项与基本目录一致（四级四同）。")
        if violations:
            sys.exit(1)
