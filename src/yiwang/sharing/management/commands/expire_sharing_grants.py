"""expire_sharing_grants: expire grants past their last day and pending requests past their period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.core.models import Channel
from yiwang.core.request_context import RequestContext, use_context
from yiwang.sharing.services import expire_grants


class Command(BaseCommand):
    help = "共享授权到期处理：到期授权置为已到期，期限已过仍未答复的申请置为已过期（可重复执行，每日运行）"

    def handle(self, *args: Any, **options: Any) -> None:
        with use_context(RequestContext(channel=Channel.CONSOLE)):
            report = expire_grants()
        self.stdout.write(f"到期授权 {report.grants} 项，过期申请 {report.requests} 件")
