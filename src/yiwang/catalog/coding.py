"""事项编码 The one coding scheme of the catalogue (docs/catalogue-coding.md).

* 基本编码 base code: 1–12 characters, digits and upper-case Latin letters (``[0-9A-Z]``), unique
  across the base catalogue.
* 实施编码 implementation code: exactly 31 characters = the implementing body's 18-character
  统一社会信用代码 (check characters verified, GB 32100) + the 1-digit 行使层级 code (1–7) + the base
  code left-padded with ``0`` to 12 characters.
* Codes are never reused: every code issued is kept in :class:`~yiwang.catalog.models.IssuedCode`
  (rows are never deleted) and a code registered to one owner cannot be taken by another.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import CodeKind, ExerciseLevel, IssuedCode
from yiwang.core.errors import Conflict, DomainError
from yiwang.core.identifiers import validate_credit_code

BASE_CODE_RE = re.compile(r"^[0-9A-Z]{1,12}$")
IMPLEMENTATION_CODE_LENGTH = 31
BASE_CODE_LENGTH = 12
CREDIT_CODE_LENGTH = 18


@dataclass(frozen=True)
class ImplementationCode:
    """实施编码的组成 The parts of a 31-character implementation code."""

    code: str
    credit_code: str
    level: str
    padded_base_code: str


def normalise_base_code(base_code: str) -> str:
    """基本编码: 1–12 letters or digits, upper-cased; anything else is ``invalid_base_code``."""
    code = (base_code or "").strip().upper()
    if not BASE_CODE_RE.match(code):
        raise DomainError(
            CatalogErrorCode.INVALID_BASE_CODE,
            "基本编码应为1至12位字母或数字",
            {"base_code": ["基本编码应为1至12位字母或数字"]},
        )
    return code


def padded_base_code(base_code: str) -> str:
    """The 12-character form used inside the implementation code (and in the code register)."""
    return normalise_base_code(base_code).rjust(BASE_CODE_LENGTH, "0")


def base_code_variants(base_code: str) -> list[str]:
    """Every spelling of a base code that pads to the same 12 characters ("117001", "0117001", …)."""
    stripped = normalise_base_code(base_code).lstrip("0")
    return [stripped.rjust(width, "0") for width in range(max(len(stripped), 1), BASE_CODE_LENGTH + 1)]


def _check_credit_code(credit_code: str) -> str:
    code = (credit_code or "").strip().upper()
    try:
        return validate_credit_code(code).normalized
    except DomainError as exc:
        raise DomainError(
            CatalogErrorCode.INVALID_CREDIT_CODE,
            "实施主体的统一社会信用代码格式不正确",
            {"credit_code": [exc.message]},
        ) from exc


def _check_level(level: str | int) -> str:
    level_code = str(level).strip()
    if level_code not in ExerciseLevel.values:
        raise DomainError(
            CatalogErrorCode.INVALID_LEVEL, "行使层级不正确", {"exercise_level": ["应为1至7之间的层级代码"]}
        )
    return level_code


def make_implementation_code(credit_code: str, level: str | int, base_code: str) -> str:
    """实施编码 (31 chars) = 统一社会信用代码 (18, verified) + 行使层级 (1) + 基本编码 zero-padded to 12.

    e.g. ``11340100MB0000010F`` + ``3`` + ``000000123456``.
    """
    credit = _check_credit_code(credit_code)
    level_code = _check_level(level)
    return f"{credit}{level_code}{normalise_base_code(base_code).rjust(BASE_CODE_LENGTH, '0')}"


def parse_implementation_code(code: str) -> ImplementationCode:
    """Split and validate a 31-character implementation code; ``invalid_implementation_code`` if not."""
    value = (code or "").strip().upper()
    if len(value) != IMPLEMENTATION_CODE_LENGTH:
        raise DomainError(
            CatalogErrorCode.INVALID_IMPLEMENTATION_CODE,
            "实施编码应为31位",
            {"implementation_code": [f"实施编码应为31位，当前为{len(value)}位"]},
        )
    credit, level, padded = (
        value[:CREDIT_CODE_LENGTH],
        value[CREDIT_CODE_LENGTH],
        value[CREDIT_CODE_LENGTH + 1 :],
    )
    try:
        _check_credit_code(credit)
        _check_level(level)
        normalise_base_code(padded)
    except DomainError as exc:
        detail = "；".join(str(m) for messages in exc.fields.values() for m in messages) or exc.message
        raise DomainError(
            CatalogErrorCode.INVALID_IMPLEMENTATION_CODE,
            f"实施编码不正确：{detail}",
            {"implementation_code": [detail]},
        ) from exc
    return ImplementationCode(code=value, credit_code=credit, level=level, padded_base_code=padded)


def implementation_code_matches(code: str, credit_code: str, level: str, base_code: str) -> bool:
    """True when ``code`` is exactly what the scheme gives for these parts (used by quality checks)."""
    try:
        return code == make_implementation_code(credit_code, level, base_code)
    except DomainError:
        return False


# --- the register: codes are never reused ---------------------------------------------------------
def code_owner(kind: str, code: str) -> uuid.UUID | None:
    """The owner a code was issued to, or None when it was never issued."""
    return IssuedCode.objects.filter(kind=kind, code=code).values_list("owner_public_id", flat=True).first()


def ensure_code_available(kind: str, code: str, owner_public_id: uuid.UUID) -> None:
    """Refuse (409 ``code_already_used``) a code that was ever issued to someone else."""
    owner = code_owner(kind, code)
    if owner is not None and owner != owner_public_id:
        label = CodeKind(kind).label
        raise Conflict(
            f"{label} {code} 已被使用过，编码不得重复使用",
            code=CatalogErrorCode.CODE_ALREADY_USED,
            fields={"base_code": [f"{label} {code} 已被使用过"]},
        )


def register_code(kind: str, code: str, owner_public_id: uuid.UUID) -> None:
    """Record ``code`` as issued to the owner (idempotent); a clash with another owner is refused.

    The unique constraint on (kind, code) makes two concurrent registrations of one code fail
    rather than both succeed.
    """
    ensure_code_available(kind, code, owner_public_id)
    try:
        with transaction.atomic():
            IssuedCode.objects.get_or_create(
                kind=kind, code=code, defaults={"owner_public_id": owner_public_id}
            )
    except IntegrityError as exc:  # lost a race with another registration of the same code
        raise Conflict(
            f"编码 {code} 已被使用过，编码不得重复使用", code=CatalogErrorCode.CODE_ALREADY_USED
        ) from exc
    ensure_code_available(kind, code, owner_public_id)
