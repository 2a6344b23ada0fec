"""Checks of what the merchant sends: identifiers, amounts in fen, URLs, times."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings

from yiwang_demo_paygate.errors import GatewayError, bad_request

SHANGHAI = ZoneInfo("Asia/Shanghai")
IDENT_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_AMOUNT_FEN = 100_000_000_000


class Fields:
    """Collects every field error of one request, then raises them together."""

    def __init__(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise GatewayError(400, "bad_json", "请求体须为 JSON 对象")
        self.data = data
        self.errors: dict[str, str] = {}

    def ident(self, name: str) -> str:
        value = self.data.get(name)
        if not isinstance(value, str) or not IDENT_RE.fullmatch(value):
            self.errors[name] = "须为 1-64 位字母、数字、下划线或连字符"
            return ""
        return value

    def amount(self, name: str = "amount_fen") -> int:
        value = self.data.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_AMOUNT_FEN:
            self.errors[name] = "须为正整数（分）"
            return 0
        return value

    def text(self, name: str, max_length: int, required: bool = True) -> str:
        value = self.data.get(name, None if required else "")
        if value is None and not required:
            value = ""
        if not isinstance(value, str) or len(value) > max_length or (required and not value.strip()):
            self.errors[name] = f"须为不超过 {max_length} 个字符的文本"
            return ""
        return value.strip()

    def url(self, name: str) -> str:
        value = self.data.get(name)
        if isinstance(value, str) and len(value) <= 500:
            parts = urlsplit(value)
            if parts.scheme in ("http", "https") and parts.netloc and not any(c.isspace() for c in value):
                return value
        self.errors[name] = "须为 http(s) 绝对地址"
        return ""

    def when(self, name: str) -> datetime | None:
        value = self.data.get(name)
        try:
            if not isinstance(value, str) or len(value) > 40:
                raise ValueError(value)
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.errors[name] = "须为 ISO 8601 时间"
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)

    def merchant(self) -> None:
        if self.data.get("merchant_id") != settings.PAYGATE_MERCHANT_ID:
            raise GatewayError(403, "unknown_merchant", "商户号不存在")

    def done(self) -> None:
        if self.errors:
            raise bad_request(self.errors)


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds") if moment else None
