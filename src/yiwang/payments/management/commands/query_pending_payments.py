"""query_pending_payments: ask the gateway about orders paying with no notification, and refunds."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.core.models import Channel
from yiwang.core.request_context import RequestContext, use_context
from yiwang.payments.services import query_pending_payments


class Command(BaseCommand):
    help = "查询支付中而未收到通知的缴款单与退款中的退款，按支付平台的结果处理（可重复执行）"

    def handle(self, *args: Any, **options: Any) -> None:
        with use_context(RequestContext(channel=Channel.CONSOLE)):
            report = query_pending_payments()
        self.stdout.write(
            "查询 {queried} 张，已支付 {paid} 张，支付失败 {failed} 张，退款 {refunds} 笔，错误 {errors} 次".format(
                **report
            )
        )
