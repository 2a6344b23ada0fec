"""大写金额 An amount in fen written in Chinese capitals, as on fiscal receipts and bank slips.

The rules are those of 《正确填写票据和结算凭证的基本规定》 (People's Bank of China):

- digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟万亿, then 元角分; a ten is 壹拾 (never a bare 拾);
- an amount that ends at 元 ends with 整, one that ends at 角 with 角整, one with 分 without 整;
- zeros inside the yuan part are written as one 零 per run (壹仟零伍元, 壹拾万零伍佰元); a run of
  zeros at the end of a section (万, 亿) or of the yuan part writes no 零 (壹拾万元整, 壹仟陆佰捌拾元
  叁角贰分): the rules let us omit it, and we always do;
- 角 zero and 分 not zero: 元零X分 (the 零 is compulsory), with no yuan: just X分;
- zero is 零元整; a negative amount (a red-letter receipt) starts with 负.
"""

from __future__ import annotations

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
WAN = 10**4
YI = 10**8


def _four(value: int) -> str:
    """0 < value < 10 000, with inner zeros as one 零 and no trailing zeros."""
    text, pending_zero = "", False
    for position in range(3, -1, -1):
        digit = value // 10**position % 10
        if digit == 0:
            pending_zero = bool(text)
            continue
        if pending_zero:
            text += "零"
            pending_zero = False
        text += DIGITS[digit] + SMALL_UNITS[position]
    return text


def _integer(value: int) -> str:
    """A positive integer in capitals: sections of 亿 (recursively) and 万."""
    if value >= YI:
        high, low = divmod(value, YI)
        return _integer(high) + "亿" + ("" if low == 0 else ("零" if low < YI // 10 else "") + _integer(low))
    if value >= WAN:
        high, low = divmod(value, WAN)
        return _four(high) + "万" + ("" if low == 0 else ("零" if low < WAN // 10 else "") + _four(low))
    return _four(value)


def amount_in_words(fen: int) -> str:
    """5000 → 伍拾元整; 1_640_902 → 壹万陆仟肆佰零玖元零贰分; -1050 → 负壹拾元伍角整."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError("amount must be an integer number of fen")
    if fen == 0:
        return "零元整"
    sign = "负" if fen < 0 else ""
    yuan, rest = divmod(abs(fen), 100)
    jiao, cents = divmod(rest, 10)
    text = _integer(yuan) + "元" if yuan else ""
    if jiao == 0 and cents == 0:
        return sign + text + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    text += DIGITS[cents] + "分" if cents else "整"
    return sign + text


def yuan_text(fen: int) -> str:
    """5000 → "50.00", -123456 → "-1,234.56" (integer arithmetic)."""
    sign = "-" if fen < 0 else ""
    value = abs(fen)
    return f"{sign}{value // 100:,}.{value % 100:02d}"
