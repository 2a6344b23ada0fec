"""sharing_fan_out: queue the webhooks of the base databases' changes for their subscribers
(a scheduled job, every minute; the exchange's ``deliver_webhooks`` sends them)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.core.models import Channel
from yiwang.core.request_context import RequestContext, use_context
from yiwang.sharing.services import fan_out_changes
from yiwang.sharing.services.gateway_auth import purge_nonces


class Command(BaseCommand):
    help = "订阅推送：把基础库的变更按订阅排入推送队列（可重复执行，每分钟运行）；同时清理过期的请求随机数"

    def handle(self, *args: Any, **options: Any) -> None:
        with use_context(RequestContext(channel=Channel.SYSTEM)):
            report = fan_out_changes()
            purged = purge_nonces()
        self.stdout.write(f"{report}; nonces purged {purged}")
