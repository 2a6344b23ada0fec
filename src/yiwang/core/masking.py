"""Personal data masking (个人信息脱敏, GB/T 35273-2020 §6.2; GB/T 22239-2019 8.1.4.11).

One place for how personal data is shown to anyone but its subject: staff pages and staff API
responses show these by default; the full value needs the ``core.view_personal_data_unmasked``
permission, an explicit request and leaves an access-log row (:mod:`yiwang.core.personal_data`).

* ID number (公民身份号码) and other document codes: the last 4 characters only
  (``**************002X``, enough to match the paper document in hand); ``keep_region=True`` also
  keeps the 6-digit address code (``110105********002X``), as the holder's own pages show it.
* Mobile phone: ``138****5678``.
* Name (姓名): the first character (the surname) and one ``*`` per other character (``张*``, ``欧阳**``
  keeps only ``欧``: a two-character surname cannot be told from a given name).
* Address (地址): the first 6 characters (province/city/district), then ``****``.
* Bank-like numbers (银行卡号, account numbers): the last 4 digits.
* E-mail: the first character of the local part and the domain (``z***@example.cn``).
* Free text (:func:`mask_text`): every ID number, mobile number and e-mail address inside it.

``mask_value`` masks a form field by its name (``id_number``, ``phone``, ``address``…) and falls
back to :func:`mask_text`; ``mask_form`` masks a whole form (``case.form_data``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# 18-character GB 11643 number: 6-digit address code, a date of birth 18xx–20xx, sequence, check.
ID_NUMBER_RE = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])"
)
PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")

MASK = "*"


def mask_id_number(value: str | None, *, keep_region: bool = False) -> str:
    """证件号码: the last 4 characters (and, with ``keep_region``, the 6-digit address code)."""
    value = value or ""
    if keep_region and len(value) >= 15:
        return value[:6] + MASK * (len(value) - 10) + value[-4:]
    return MASK * max(len(value) - 4, 0) + value[-4:]


def mask_phone(value: str | None) -> str:
    """手机号码: ``138****5678``; other lengths keep the last 4 digits."""
    value = value or ""
    if len(value) == 11:
        return value[:3] + MASK * 4 + value[-4:]
    return MASK * max(len(value) - 4, 0) + value[-4:]


def mask_name(value: str | None) -> str:
    """姓名: the first character, one star per other character (``张三`` → ``张*``)."""
    value = (value or "").strip()
    if len(value) <= 1:
        return value
    return value[0] + MASK * (len(value) - 1)


def mask_address(value: str | None, keep: int = 6) -> str:
    """地址: the first ``keep`` characters (province, city, district) and ``****``."""
    value = (value or "").strip()
    if not value:
        return ""
    return value[: min(keep, max(len(value) // 2, 1))] + MASK * 4


def mask_account_number(value: str | None) -> str:
    """银行卡号 / account numbers: the last 4 characters, the rest starred."""
    value = (value or "").replace(" ", "")
    return MASK * max(len(value) - 4, 0) + value[-4:]


def mask_email(value: str | None) -> str:
    value = value or ""
    local, at, domain = value.partition("@")
    if not at:
        return mask_text(value)
    return (local[:1] + MASK * 3) + "@" + domain


def mask_text(value: str) -> str:
    """Every ID number, mobile number and e-mail address inside free text, masked."""
    if not value:
        return value
    value = ID_NUMBER_RE.sub(lambda m: mask_id_number(m.group(0)), value)
    value = PHONE_RE.sub(lambda m: mask_phone(m.group(0)), value)
    return EMAIL_RE.sub(lambda m: mask_email(m.group(0)), value)


# Form field names (lower case, substrings) and the masker for each; the first match wins.
_BY_NAME: tuple[tuple[tuple[str, ...], Any], ...] = (
    (("id_number", "idnumber", "id_card", "idcard", "identity", "身份证", "证件号"), mask_id_number),
    (("bank", "card_number", "account_number", "iban", "卡号", "账号"), mask_account_number),
    (("phone", "mobile", "tel", "电话", "手机"), mask_phone),
    (("email", "e_mail", "邮箱"), mask_email),
    (("address", "addr", "住址", "地址", "住所"), mask_address),
    (
        ("real_name", "person_name", "applicant_name", "contact_name", "contact", "legal_representative",
         "representative", "recipient", "姓名", "联系人", "法定代表人"),
        mask_name,
    ),
)  # fmt: skip


def masker_for(field_name: str) -> Any:
    """The masker for a form field called ``field_name`` (:func:`mask_text` if none fits)."""
    lowered = field_name.lower()
    for needles, masker in _BY_NAME:
        if any(needle in lowered for needle in needles):
            return masker
    return mask_text


def mask_value(field_name: str, value: Any) -> Any:
    """One form value masked by its field's name; lists and nested objects masked inside."""
    if isinstance(value, str):
        return masker_for(field_name)(value)
    if isinstance(value, list):
        return [mask_value(field_name, item) for item in value]
    if isinstance(value, Mapping):
        return mask_form(value)
    return value


def mask_form(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """A form's data (``{"name": value}``) with every value masked (:func:`mask_value`)."""
    return {str(key): mask_value(str(key), value) for key, value in (data or {}).items()}
