"""大写金额: the rules of 《正确填写票据和结算凭证的基本规定》 on known amounts, and properties over
any amount (it reads back to the same number, and keeps the form rules)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.receipts.amounts import DIGITS, amount_in_words, yuan_text


@pytest.mark.parametrize(
    ("fen", "words"),
    [
        (0, "零元整"),
        (1, "壹分"),
        (50, "伍角整"),
        (100, "壹元整"),
        (1000, "壹拾元整"),
        (1005, "壹拾元零伍分"),
        (5000, "伍拾元整"),
        (100500, "壹仟零伍元整"),
        (168032, "壹仟陆佰捌拾元叁角贰分"),
        (1640902, "壹万陆仟肆佰零玖元零贰分"),
        (10050000, "壹拾万零伍佰元整"),
        (10700053, "壹拾万柒仟元伍角叁分"),
        (100000001, "壹佰万元零壹分"),
        (10100000000, "壹亿零壹佰万元整"),
        (1200000000000000, "壹拾贰万亿元整"),
        (-1050, "负壹拾元伍角整"),
        (-5000, "负伍拾元整"),
    ],
)
def test_known_amounts(fen, words):
    assert amount_in_words(fen) == words


def test_not_an_integer_is_refused():
    for value in (1.5, "100", True, None):
        with pytest.raises(TypeError):
            amount_in_words(value)  # type: ignore[arg-type]


def _parse_integer(text: str) -> int:
    total = section = number = 0
    for char in text:
        if char in DIGITS:
            number = DIGITS.index(char)
        elif char in "拾佰仟":
            section += number * 10 ** ("拾佰仟".index(char) + 1)
            number = 0
        elif char == "万":
            section = (section + number) * 10_000
            number = 0
        elif char == "亿":
            total = (total + section + number) * 100_000_000
            section = number = 0
        else:
            raise AssertionError(f"unexpected {char!r} in {text!r}")
    return total + section + number


def parse(words: str) -> int:
    """Read capitals back into fen (the inverse the property checks against)."""
    sign = -1 if words.startswith("负") else 1
    words = words.removeprefix("负").removesuffix("整")
    yuan_part, _, rest = words.rpartition("元")
    fen = _parse_integer(yuan_part) * 100
    rest = rest.removeprefix("零")
    if "角" in rest:
        jiao, rest = rest.split("角")
        fen += DIGITS.index(jiao) * 10
    if rest.endswith("分"):
        fen += DIGITS.index(rest[:-1])
    return sign * fen


@given(st.integers(min_value=-(10**18), max_value=10**18))
def test_capitals_read_back_to_the_amount(fen):
    assert parse(amount_in_words(fen)) == fen


@given(st.integers(min_value=1, max_value=10**16))
def test_capitals_keep_the_form_rules(fen):
    words = amount_in_words(fen)
    assert not words.startswith("零") and "零零" not in words
    assert re.fullmatch(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整]+", words)
    assert not re.search(r"零[元万亿角整]", words)  # never 零 before a unit or the end
    assert ("拾" not in words) or not re.search(r"(^|[^壹贰叁肆伍陆柒捌玖])拾", words)  # 壹拾, not 拾
    if fen % 100 == 0:
        assert words.endswith("元整")
    elif fen % 10 == 0:
        assert words.endswith("角整")
    else:
        assert words.endswith("分") and "整" not in words
    if fen % 100 and fen % 100 < 10 and fen >= 100:
        assert "元零" in words  # 角 zero, 分 not: 元零X分
    assert amount_in_words(-fen) == "负" + words


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_yuan_text_is_exact(fen):
    text = yuan_text(fen)
    assert int(text.replace(",", "").replace(".", "")) == fen
