"""What each base holds: its key, its fields and how to read and check a value of each.

:data:`FIELDS` is what the sharing gateway publishes and checks requests against; the parsers are
what :func:`yiwang.bases.services.apply_updates` checks a department's feed with.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from yiwang.bases.models import BaseKind, CompanyStatus, CompanyType, Gender, PersonStatus
from yiwang.core.identifiers import IdentifierError, validate_credit_code, validate_id_number


class FieldValueError(ValueError):
    """A value a feed sent does not fit its field; the message says why (in Chinese)."""


def _text(limit: int, *, required: bool = False) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if not isinstance(value, str):
            raise FieldValueError("应为文本")
        value = value.strip()
        if required and not value:
            raise FieldValueError("不能为空")
        if len(value) > limit:
            raise FieldValueError(f"不得超过 {limit} 个字符")
        return value

    return parse


def _choice(choices: Any) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if value not in choices.values:
            raise FieldValueError(f"应为 {', '.join(choices.values)} 之一")
        return str(value)

    return parse


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise FieldValueError("应为 YYYY-MM-DD 格式的日期") from None


def _digits(lengths: tuple[int, ...]) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip()
        if not text.isascii() or not text.isdigit() or len(text) not in lengths:
            raise FieldValueError(f"应为 {'/'.join(map(str, lengths))} 位数字代码")
        return text

    return parse


def _id_number(value: Any) -> str:
    try:
        return validate_id_number(str(value)).normalized
    except IdentifierError as exc:
        raise FieldValueError(exc.message) from exc


def _optional_id_number(value: Any) -> str:
    return "" if value in ("", None) else _id_number(value)


def _credit_code(value: Any) -> str:
    try:
        return validate_credit_code(str(value)).normalized
    except IdentifierError as exc:
        raise FieldValueError(exc.message) from exc


def _fen(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**17:
        raise FieldValueError("应为非负整数（分）")
    return value


def _industry(value: Any) -> str:
    text = str(value).strip().upper()
    if text and not re.fullmatch(r"[A-T][0-9]{0,4}", text):
        raise FieldValueError("应为 GB/T 4754 行业代码，如 I6510")
    return text


def _centroid(value: Any) -> tuple[float, float]:
    if isinstance(value, dict):
        value = (value.get("lat"), value.get("lng"))
    try:
        lat, lng = (float(part) for part in value)
    except (TypeError, ValueError):
        raise FieldValueError("应为 {lat, lng}") from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise FieldValueError("经纬度超出范围")
    return (lat, lng)


def _boundary(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or value.get("type") not in {"Polygon", "MultiPolygon"}:
        raise FieldValueError("应为 GeoJSON Polygon 或 MultiPolygon")
    if not isinstance(value.get("coordinates"), list):
        raise FieldValueError("GeoJSON 缺少 coordinates")
    return value


def _spec(label: str, kind: str, parse: Callable[[Any], Any], *, personal: bool = False) -> dict[str, Any]:
    return {"label": label, "type": kind, "personal": personal, "parse": parse}


_SPECS: dict[str, dict[str, dict[str, Any]]] = {
    BaseKind.POPULATION: {
        "id_number": _spec("公民身份号码", "string", _id_number, personal=True),
        "name": _spec("姓名", "string", _text(100, required=True), personal=True),
        "gender": _spec("性别", "string", _choice(Gender)),
        "birth_date": _spec("出生日期", "date", _date, personal=True),
        "ethnicity": _spec("民族（GB/T 3304）", "string", _digits((2,))),
        "household_region": _spec("户籍地区划（GB/T 2260）", "string", _digits((6, 9, 12))),
        "address": _spec("住址", "string", _text(300), personal=True),
        "status": _spec("人口状态", "string", _choice(PersonStatus)),
    },
    BaseKind.LEGAL_PERSON: {
        "credit_code": _spec("统一社会信用代码", "string", _credit_code),
        "name": _spec("名称", "string", _text(200, required=True)),
        "type": _spec("法人类型", "string", _choice(CompanyType)),
        "legal_representative": _spec("法定代表人", "string", _text(100), personal=True),
        "legal_representative_id": _spec("法定代表人身份证号", "string", _optional_id_number, personal=True),
        "registered_capital_fen": _spec("注册资本（分）", "integer", _fen),
        "established_on": _spec("成立日期", "date", _date),
        "status": _spec("登记状态", "string", _choice(CompanyStatus)),
        "region": _spec("住所区划（GB/T 2260）", "string", _digits((6, 9, 12))),
        "address": _spec("住所", "string", _text(300)),
        "business_scope": _spec("经营范围", "string", _text(4000)),
        "industry": _spec("行业（GB/T 4754）", "string", _industry),
        "registration_authority": _spec("登记机关", "string", _text(100)),
    },
    BaseKind.GEOGRAPHY: {
        "code": _spec("区划代码（GB/T 2260）", "string", _digits((2, 4, 6, 9, 12))),
        "name": _spec("区划名称", "string", _text(100, required=True)),
        "centroid": _spec("中心点 {lat, lng}", "object", _centroid),
        "boundary": _spec("边界（GeoJSON）", "object", _boundary),
    },
}

KEYS: dict[str, str] = {
    BaseKind.POPULATION: "id_number",
    BaseKind.LEGAL_PERSON: "credit_code",
    BaseKind.GEOGRAPHY: "code",
}

# The public description: {base: {field: {"label", "type", "personal"}}} — plain, JSON-safe.
FIELDS: dict[str, dict[str, dict[str, Any]]] = {
    base: {name: {k: v for k, v in spec.items() if k != "parse"} for name, spec in specs.items()}
    for base, specs in _SPECS.items()
}


def parser(base: str, field: str) -> Callable[[Any], Any]:
    return _SPECS[base][field]["parse"]  # type: ignore[no-any-return]
