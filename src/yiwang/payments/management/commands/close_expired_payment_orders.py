"""close_expired_payment_orders: close payment orders past their due date (here and at the gateway)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.core.models import Channel
from yiwang.core.request_context import RequestContext, use_context
from yiwang.payments.services import close_expired_orders


class Command(BaseCommand):
    help = "关闭超过缴费期限的缴款单（先在支付平台关闭；已支付的按支付处理；可重复执行）"

    def handle(self, *args: Any, **options: Any) -> None:
        with use_context(RequestContext(channel=Channel.CONSOLE)):
            closed = close_expired_orders()
        self.stdout.write(f"关闭缴款单 {closed} 张")
