"""缴款码 The payment code: 20 digits that name one payment order (docs/payments.md).

``RRRRRR YY SSSSSSSSSS CC``: the 6-digit region code (GB/T 2260) of the collecting department, the
2-digit year, a 10-digit serial per region and year, and 2 check digits by ISO 7064 MOD 97-10 over
the first 18 digits (the whole code read as a number is ≡ 1 mod 97, as an IBAN), so a mistyped
digit or two swapped digits are always caught.
"""

from __future__ import annotations

from dataclasses import dataclass

LENGTH = 20
MAX_SERIAL = 10**10 - 1


def check_digits(payload: str) -> str:
    """The two MOD 97-10 check digits of an 18-digit payload."""
    return f"{98 - (int(payload) * 100) % 97:02d}"


def make_code(region_code: str, year: int, serial: int) -> str:
    if len(region_code) != 6 or not region_code.isdigit():
        raise ValueError("region code must be 6 digits")
    if not 0 < serial <= MAX_SERIAL:
        raise ValueError("serial out of range")
    payload = f"{region_code}{year % 100:02d}{serial:010d}"
    return payload + check_digits(payload)


@dataclass(frozen=True)
class PaymentCode:
    region_code: str
    year: int  # two digits, as in the code
    serial: int
    check: str

    def __str__(self) -> str:
        return f"{self.region_code}{self.year:02d}{self.serial:010d}{self.check}"


def is_valid(code: str) -> bool:
    return len(code) == LENGTH and code.isascii() and code.isdigit() and int(code) % 97 == 1


def parse_code(code: str) -> PaymentCode:
    """Split a payment code into its parts; ``ValueError`` when it is not a valid code."""
    code = (code or "").strip().replace(" ", "")
    if not is_valid(code):
        raise ValueError("not a valid payment code")
    return PaymentCode(code[:6], int(code[6:8]), int(code[8:18]), code[18:])
