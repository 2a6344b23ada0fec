"""电子证照标识 The GB/T 36904 licence identifier and its ISO 7064 MOD 37,36 check character.

``1.2.156.3005.2.<证照类型代码>.<颁发机构代码>.<流水号>.<版本号>.<校验位>``

* 证照类型代码: the responsible ministry's 统一社会信用代码 (18) + 3 digits;
* 颁发机构代码: the issuing body's 统一社会信用代码 (18);
* 流水号: the serial number of the licence at that body (letters and digits);
* 版本号: 3 digits, ``001`` for the first issue, +1 for every change (变更);
* 校验位: ISO 7064 MOD 37,36 (hybrid system) over the parts without the prefix and the dots,
  alphabet ``0-9A-Z``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from yiwang.core.errors import DomainError
from yiwang.licences.errors import LicenceErrorCode

PREFIX = "1.2.156.3005.2"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MOD = 36
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_RE = re.compile(f"^[{CREDIT_CODE_CHARS}]{{18}}$")
TYPE_RE = re.compile(f"^[{CREDIT_CODE_CHARS}]{{18}}[0-9]{{3}}$")
_SERIAL_RE = re.compile(r"^[0-9A-Z]{1,40}$")
_VERSION_RE = re.compile(r"^[0-9]{3}$")


class IdentifierError(DomainError):
    """An identifier that does not follow GB/T 36904; ``fields`` names the faulty part."""

    def __init__(self, message: str, part: str) -> None:
        super().__init__(LicenceErrorCode.INVALID_IDENTIFIER, message, {part: [message]})


def _value(char: str) -> int:
    index = ALPHABET.find(char)
    if index < 0:
        raise IdentifierError(f"字符“{char}”不在 0-9A-Z 范围内", "identifier")
    return index


def _fold(text: str) -> int:
    """The ISO 7064 hybrid-system state (P) after ``text``."""
    p = _MOD
    for char in text:
        s = (p + _value(char)) % _MOD or _MOD
        p = (s * 2) % (_MOD + 1)
    return p


def check_character(body: str) -> str:
    """ISO 7064 MOD 37,36 check character for ``body`` (upper-case letters and digits)."""
    return ALPHABET[(_MOD + 1 - _fold(body)) % _MOD]


def is_check_valid(body_with_check: str) -> bool:
    """True when the last character is the right check character of the rest."""
    if len(body_with_check) < 2:
        return False
    try:
        return check_character(body_with_check[:-1]) == body_with_check[-1]
    except IdentifierError:
        return False


@dataclass(frozen=True)
class LicenceIdentifier:
    type_code: str
    issuer_code: str
    serial: str
    version: int
    check: str

    @property
    def ministry_code(self) -> str:
        return self.type_code[:18]

    def __str__(self) -> str:
        return f"{PREFIX}.{self.type_code}.{self.issuer_code}.{self.serial}.{self.version:03d}.{self.check}"

    def with_version(self, version: int) -> str:
        return make_identifier(self.type_code, self.issuer_code, self.serial, version)


def _check_parts(type_code: str, issuer_code: str, serial: str, version: str) -> None:
    if not TYPE_RE.match(type_code):
        raise IdentifierError("证照类型代码应为 18 位统一社会信用代码加 3 位数字", "type_code")
    if not CREDIT_RE.match(issuer_code):
        raise IdentifierError("颁发机构代码应为 18 位统一社会信用代码", "issuer_code")
    if not _SERIAL_RE.match(serial):
        raise IdentifierError("流水号应为 1–40 位数字或大写字母", "serial")
    if not _VERSION_RE.match(version) or version == "000":
        raise IdentifierError("版本号应为 3 位数字（001 起）", "version")


def make_identifier(type_code: str, issuer_code: str, serial: str, version: int = 1) -> str:
    """Build an identifier with its check character; refuses malformed parts."""
    if not 1 <= version <= 999:
        raise IdentifierError("版本号应在 001–999 之间", "version")
    version_text = f"{version:03d}"
    _check_parts(type_code, issuer_code, serial, version_text)
    body = type_code + issuer_code + serial + version_text
    return f"{PREFIX}.{type_code}.{issuer_code}.{serial}.{version_text}.{check_character(body)}"


def parse_identifier(value: str) -> LicenceIdentifier:
    """Validate an identifier and split it into its parts; precise errors per part."""
    text = (value or "").strip().upper()
    if not text.startswith(PREFIX + "."):
        raise IdentifierError(f"电子证照标识应以 {PREFIX}. 开头", "prefix")
    parts = text[len(PREFIX) + 1 :].split(".")
    if len(parts) != 5:
        raise IdentifierError(
            "电子证照标识应由类型代码、颁发机构代码、流水号、版本号和校验位五段组成", "identifier"
        )
    type_code, issuer_code, serial, version, check = parts
    _check_parts(type_code, issuer_code, serial, version)
    if len(check) != 1 or check not in ALPHABET:
        raise IdentifierError("校验位应为 1 位数字或大写字母", "check")
    expected = check_character(type_code + issuer_code + serial + version)
    if check != expected:
        raise IdentifierError("校验位不正确，标识可能输错了", "check")
    return LicenceIdentifier(type_code, issuer_code, serial, int(version), check)


def validate_identifier(value: str) -> str:
    """The normalised identifier, or :class:`IdentifierError`."""
    return str(parse_identifier(value))
