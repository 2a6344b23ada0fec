"""The intent parser: a table of messages, and it never fails on any text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.knowledge.intents import Intent, parse


@pytest.mark.parametrize(
    ("message", "intent", "topic"),
    [
        ("怎么办理个体工商户", Intent.HOWTO, "个体工商户"),
        ("如何办理营业执照？", Intent.HOWTO, "营业执照"),
        ("你好，营业执照怎么办理", Intent.HOWTO, "营业执照"),
        ("开饭店需要带什么材料", Intent.MATERIALS, "开饭店"),
        ("我的办件办到哪了", Intent.PROGRESS, ""),
        ("查询办件进度", Intent.PROGRESS, ""),
        ("我要投诉窗口态度差", Intent.COMPLAINT, "窗口"),
        ("举报", Intent.COMPLAINT, ""),
        ("转人工", Intent.HUMAN, ""),
        ("我要找人工客服", Intent.HUMAN, "找"),
        ("你好", Intent.GREETING, ""),
        ("谢谢", Intent.THANKS, ""),
        ("忘记密码", Intent.QUESTION, "忘记密码"),
        ("", Intent.QUESTION, ""),
    ],
)
def test_table(message: str, intent: Intent, topic: str) -> None:
    parsed = parse(message)
    assert parsed.intent == intent
    assert parsed.topic == topic


def test_case_number_means_progress() -> None:
    number = "1134010000000000001234567890123202609010007"
    parsed = parse(f"帮我查一下{number}")
    assert parsed.intent == Intent.PROGRESS
    assert parsed.case_number == number


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_crashes(text: str) -> None:
    parsed = parse(text)
    assert parsed.intent in set(Intent)
    assert isinstance(parsed.topic, str)
