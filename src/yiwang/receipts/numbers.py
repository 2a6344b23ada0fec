"""票据号 The number of an electronic fiscal receipt: 票据代码 + 票据号码 + 校验码 (docs/receipts.md).

- 票据代码 (bill code), 8 digits ``PP CC KK YY``: ``PP`` the province (first two digits of the
  collecting department's GB/T 2260 region code), ``CC`` the class ``01`` (非税收入类), ``KK`` the kind
  ``01`` (非税收入统一票据), ``YY`` the year of issue;
- 票据号码 (serial), 10 digits, counted per bill code (normal and red-letter receipts share it);
- 校验码 (check code), 6 characters of Crockford's base-32 alphabet (digits and capitals without
  I, L, O, U), a keyed hash (HMAC with the platform's secret) over the bill code, the serial, the
  amount and the date of issue: it cannot be guessed from a receipt's neighbours.

The *public code* on the QR code and the verification page is the three run together: 24 characters,
``/verify/receipts/<public code>/``.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import date
from hashlib import sha256

from django.conf import settings

CLASS_NON_TAX = "01"  # 非税收入类
KIND_UNIFIED = "01"  # 非税收入统一票据
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SERIAL_DIGITS = 10
MAX_SERIAL = 10**SERIAL_DIGITS - 1
PUBLIC_CODE_RE = re.compile(r"^(\d{8})(\d{10})([0-9A-HJKMNP-TV-Z]{6})$")


def bill_code(region_code: str, year: int) -> str:
    """The 8-digit 票据代码 of a department's region for a year."""
    province = (region_code or "")[:2]
    if len(province) != 2 or not province.isdigit():
        province = "00"
    return f"{province}{CLASS_NON_TAX}{KIND_UNIFIED}{year % 100:02d}"


def check_code(code: str, serial: int, total_fen: int, issued_on: date) -> str:
    """The 6-character 校验码 (keyed: only the platform can compute it)."""
    key = f"yiwang.receipts.check:{settings.SECRET_KEY}".encode()
    message = f"{code}|{serial:010d}|{total_fen}|{issued_on.isoformat()}".encode()
    value = int.from_bytes(hmac.new(key, message, sha256).digest()[:8], "big")
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(5, -1, -1))


@dataclass(frozen=True)
class PublicCode:
    bill_code: str
    serial: int
    check: str

    def __str__(self) -> str:
        return f"{self.bill_code}{self.serial:010d}{self.check}"


def public_code(code: str, serial: int, check: str) -> str:
    if not 0 < serial <= MAX_SERIAL:
        raise ValueError("serial out of range")
    return f"{code}{serial:010d}{check}"


def parse_public_code(text: str) -> PublicCode | None:
    """The parts of a public code (letters read in upper case), or None when it is malformed."""
    match = PUBLIC_CODE_RE.match((text or "").strip().upper())
    if match is None:
        return None
    return PublicCode(match.group(1), int(match.group(2)), match.group(3))
