"""Identifiers of people and organisations: 公民身份号码, 统一社会信用代码, 手机号码.

Validators return the normalised value (and what the number encodes) or raise :class:`IdentifierError`
with a message that tells the applicant exactly what is wrong, so forms can show it beside the field.
The generators build valid numbers for demo data and tests; they raise ``ValueError`` on bad input
because a wrong argument there is a programming error, not something a user typed.

Sources: GB 11643-1999 (公民身份号码), GB 32100-2015 (统一社会信用代码), GB 11714-1997 (组织机构代码).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.utils import timezone

from yiwang.core.errors import CoreErrorCode, DomainError

__all__ = [
    "CREDIT_CODE_ALPHABET",
    "CreditCodeInfo",
    "IdNumberInfo",
    "IdentifierError",
    "credit_code_check_char",
    "id_check_digit",
    "make_credit_code",
    "make_id_number",
    "mask_id_number",
    "org_code_check_char",
    "validate_credit_code",
    "validate_id_number",
    "validate_phone",
]


class IdentifierError(DomainError):
    """证件号码/代码校验失败 An identifier failed validation; ``fields`` names the form field."""

    status = 400

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(code, message, {field: [message]})
        self.field = field


def _normalise(value: str) -> str:
    # NFKC folds full-width input (“１１０１…”, “Ｘ”) that Chinese input methods often produce.
    return unicodedata.normalize("NFKC", str(value)).strip().upper()


def _show(char: str) -> str:
    """Render a character for an error message so that blanks and control characters are visible."""
    if char.isprintable() and not char.isspace():
        return f"“{char}”"
    return f"U+{ord(char):04X}"


# --- 公民身份号码 GB 11643-1999 ----------------------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_EARLIEST_BIRTH = date(1800, 1, 1)
_DIGITS = frozenset("0123456789")
_ID_FIELD = "id_number"


@dataclass(frozen=True)
class IdNumberInfo:
    """公民身份号码解析结果 What an 18-digit citizen ID number encodes."""

    normalized: str
    region_code: str
    birth_date: date
    gender: Literal["male", "female"]

    @property
    def sequence(self) -> str:
        """顺序码 The three-digit sequence number (digits 15–17)."""
        return self.normalized[14:17]

    @property
    def masked(self) -> str:
        """脱敏显示 The form shown on screens: address code and check digit only."""
        return mask_id_number(self.normalized)

    def age_on(self, day: date) -> int:
        """周岁 Full years of age on ``day``."""
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before_birthday)


def id_check_digit(first17: str) -> str:
    """校验码 The 18th character of a citizen ID number for its first 17 digits."""
    if len(first17) != 17 or not set(first17) <= _DIGITS:
        raise ValueError(f"need 17 ASCII digits, got {first17!r}")
    total = sum(int(char) * weight for char, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def make_id_number(region_code: str, birth: date, sequence: int) -> str:
    """生成公民身份号码 Build a valid 18-digit number (odd ``sequence`` = male, even = female)."""
    if len(region_code) != 6 or not set(region_code) <= _DIGITS:
        raise ValueError(f"region_code must be 6 digits, got {region_code!r}")
    if not 0 <= sequence <= 999:
        raise ValueError(f"sequence must be 0–999, got {sequence}")
    first17 = f"{region_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_digit(first17)


def mask_id_number(value: str) -> str:
    """脱敏 Keep the 6-digit address code and the last character, star out the birth date and sequence."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 7) + value[-1]


def _id_error(message: str) -> IdentifierError:
    return IdentifierError(CoreErrorCode.INVALID_ID_NUMBER, _ID_FIELD, message)


def validate_id_number(value: str) -> IdNumberInfo:
    """校验公民身份号码 Validate an 18-digit citizen ID number (GB 11643-1999).

    Accepts a lower-case ``x`` and full-width characters; checks the length, the characters, the birth
    date (a real calendar date, from 1800 up to today) and the check digit.
    """
    number = _normalise(value)
    if not number:
        raise _id_error("请填写公民身份号码")
    if len(number) != 18:
        raise _id_error(f"公民身份号码应为 18 位，当前为 {len(number)} 位")
    for position, char in enumerate(number, start=1):
        allowed = _DIGITS if position < 18 else _DIGITS | {"X"}
        if char not in allowed:
            expected = "数字" if position < 18 else "数字或 X"
            raise _id_error(f"公民身份号码第 {position} 位{_show(char)}无效：第 {position} 位应为{expected}")
    birth_text = number[6:14]
    try:
        birth = date(int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:]))
    except ValueError:
        raise _id_error(f"公民身份号码第 7–14 位的出生日期 {birth_text} 不是有效日期") from None
    if birth < ID_EARLIEST_BIRTH:
        raise _id_error(f"公民身份号码中的出生日期 {birth:%Y-%m-%d} 早于 1800 年，请核对")
    if birth > timezone.localdate():
        raise _id_error(f"公民身份号码中的出生日期 {birth:%Y-%m-%d} 晚于今天，请核对")
    expected_check = id_check_digit(number[:17])
    if number[17] != expected_check:
        raise _id_error(
            f"公民身份号码校验码不符：按前 17 位计算第 18 位应为 {expected_check}，实为 {number[17]}，"
            "请核对号码是否输错"
        )
    gender: Literal["male", "female"] = "male" if int(number[16]) % 2 == 1 else "female"
    return IdNumberInfo(normalized=number, region_code=number[:6], birth_date=birth, gender=gender)


# --- 统一社会信用代码 GB 32100-2015 and 组织机构代码 GB 11714-1997 --------------------------------------

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_CREDIT_VALUES = {char: index for index, char in enumerate(CREDIT_CODE_ALPHABET)}
# GB 11714 values letters by their place in the full Latin alphabet (A=10 … Z=35), not by the
# 31-character credit-code alphabet.
_ORG_VALUES = {char: int(char, 36) for char in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_CREDIT_FIELD = "credit_code"


@dataclass(frozen=True)
class CreditCodeInfo:
    """统一社会信用代码解析结果 The parts of an 18-character unified social credit code."""

    normalized: str
    registration_department: str
    entity_type: str
    area_code: str
    organisation_code: str

    @property
    def organisation_code_display(self) -> str:
        """组织机构代码 in its customary ``XXXXXXXX-X`` form."""
        return f"{self.organisation_code[:8]}-{self.organisation_code[8]}"


def credit_code_check_char(first17: str) -> str:
    """校验码 The 18th character of a credit code for its first 17 characters."""
    if len(first17) != 17 or any(char not in _CREDIT_VALUES for char in first17):
        raise ValueError(f"need 17 characters of {CREDIT_CODE_ALPHABET}, got {first17!r}")
    total = sum(
        _CREDIT_VALUES[char] * weight for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """组织机构代码校验码 The 9th character of an organisation code (GB 11714) for its first 8."""
    if len(first8) != 8 or any(char not in _ORG_VALUES for char in first8):
        raise ValueError(f"need 8 digits or upper-case letters, got {first8!r}")
    total = sum(_ORG_VALUES[char] * weight for char, weight in zip(first8, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_credit_code(registration_department: str, entity_type: str, area_code: str, org_body8: str) -> str:
    """生成统一社会信用代码 Build a valid code, computing both the GB 11714 and the GB 32100 check."""
    if len(registration_department) != 1 or registration_department not in _CREDIT_VALUES:
        raise ValueError(
            f"registration_department must be one character of the alphabet: {registration_department!r}"
        )
    if len(entity_type) != 1 or entity_type not in _CREDIT_VALUES:
        raise ValueError(f"entity_type must be one character of the alphabet: {entity_type!r}")
    if len(area_code) != 6 or not set(area_code) <= _DIGITS:
        raise ValueError(f"area_code must be 6 digits, got {area_code!r}")
    if len(org_body8) != 8 or any(char not in _CREDIT_VALUES for char in org_body8):
        raise ValueError(f"org_body8 must be 8 characters of {CREDIT_CODE_ALPHABET}, got {org_body8!r}")
    first17 = registration_department + entity_type + area_code + org_body8 + org_code_check_char(org_body8)
    return first17 + credit_code_check_char(first17)


def _credit_error(message: str) -> IdentifierError:
    return IdentifierError(CoreErrorCode.INVALID_CREDIT_CODE, _CREDIT_FIELD, message)


def validate_credit_code(value: str) -> CreditCodeInfo:
    """校验统一社会信用代码 Validate an 18-character unified social credit code (GB 32100-2015).

    Checks, in this order: length, characters (naming the first bad one), the 6-digit area code, the
    embedded organisation code's own check (GB 11714), and the overall check character.
    """
    code = _normalise(value)
    if not code:
        raise _credit_error("请填写统一社会信用代码")
    if len(code) != 18:
        raise _credit_error(f"统一社会信用代码应为 18 位，当前为 {len(code)} 位")
    for position, char in enumerate(code, start=1):
        if char not in _CREDIT_VALUES:
            raise _credit_error(
                f"统一社会信用代码第 {position} 位{_show(char)}无效：只能使用数字和除 I、O、S、V、Z 以外的大写字母"
            )
    area_code = code[2:8]
    if not set(area_code) <= _DIGITS:
        raise _credit_error(
            f"统一社会信用代码第 3–8 位（登记管理机关行政区划码）应为 6 位数字，实为 {area_code}"
        )
    organisation_code = code[8:17]
    expected_org = org_code_check_char(organisation_code[:8])
    if organisation_code[8] != expected_org:
        raise _credit_error(
            f"统一社会信用代码第 9–17 位的组织机构代码 {organisation_code} 校验不符：第 17 位应为 {expected_org}，"
            f"实为 {organisation_code[8]}，请核对代码是否输错"
        )
    expected_check = credit_code_check_char(code[:17])
    if code[17] != expected_check:
        raise _credit_error(
            f"统一社会信用代码校验码不符：按前 17 位计算第 18 位应为 {expected_check}，实为 {code[17]}，"
            "请核对代码是否输错"
        )
    return CreditCodeInfo(
        normalized=code,
        registration_department=code[0],
        entity_type=code[1],
        area_code=area_code,
        organisation_code=organisation_code,
    )


# --- 手机号码 ------------------------------------------------------------------------------------

# [0-9] rather than \d: \d also matches Arabic-Indic and other scripts' digits.
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
_PHONE_SEPARATORS = re.compile(r"[\s\-()]")
_PHONE_FIELD = "phone"


def validate_phone(value: str) -> str:
    """校验手机号码 Validate a mainland mobile number and return its 11 digits.

    Spaces, hyphens, brackets and a leading +86/0086 are tolerated because people paste numbers in
    those forms; what is stored is always the bare 11 digits.
    """
    phone = _PHONE_SEPARATORS.sub("", _normalise(value))
    if not phone:
        raise IdentifierError(CoreErrorCode.INVALID_PHONE, _PHONE_FIELD, "请填写手机号码")
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :]
            break
    else:
        if len(phone) == 13 and phone.startswith("86"):
            phone = phone[2:]
    if not _MOBILE_RE.fullmatch(phone):
        raise IdentifierError(
            CoreErrorCode.INVALID_PHONE,
            _PHONE_FIELD,
            "手机号码应为 11 位数字，以 1 开头且第 2 位为 3–9，请核对",
        )
    return phone
