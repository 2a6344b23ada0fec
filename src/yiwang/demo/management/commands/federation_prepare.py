"""``manage.py federation_prepare``: prepare one instance of the 省市协同 demo (run by ``yiwang
federation-demo`` with that instance's settings; docs/federation-demo.md): migrate, static files, the
level's demo data, the pairing plan of ``YIWANG_FEDERATION_PLAN``.  Idempotent."""

from __future__ import annotations

import json
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yiwang.demo.federation_instance import prepare_instance


class Command(BaseCommand):
    help = "省市协同演示：准备本实例（迁移、演示数据、配对；可重复执行）"

    def handle(self, *args: Any, **options: Any) -> None:
        role, plan = (
            os.environ.get("YIWANG_FEDERATION_ROLE", ""),
            os.environ.get("YIWANG_FEDERATION_PLAN", ""),
        )
        if not role or not plan:
            raise CommandError(
                "YIWANG_FEDERATION_ROLE and YIWANG_FEDERATION_PLAN are set by yiwang federation-demo"
            )
        prepare_instance(role, json.loads(plan))
