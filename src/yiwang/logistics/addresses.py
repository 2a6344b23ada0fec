"""地址校验 Addresses of courier orders, checked against the region tree (GB/T 2260, :mod:`yiwang.core.regions`).

* The region code must be a division the tree has, at county level at least; where the data has the
  townships (街道/乡镇) of that county, a township code is required (a person picks it from the tree).
* The address text (详细地址) is 5–200 characters after trimming, without control characters.
* Names 1–50 characters; phones a mainland mobile number or a landline (``0551-12345678``).

:func:`resolve_region` finds the division an address written as free text lies in (the delivery
address of a case): the deepest division whose name and whose ancestors' names the text contains.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from yiwang.core.errors import DomainError
from yiwang.core.identifiers import IdentifierError, validate_phone
from yiwang.core.models import Region, RegionLevel
from yiwang.core.regions import region_for_code, region_label, region_path
from yiwang.logistics.errors import LogisticsErrorCode

ADDRESS_MIN, ADDRESS_MAX = 5, 200
NAME_MAX = 50
_LANDLINE = re.compile(r"0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?")
_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@dataclass(frozen=True)
class CheckedParty:
    name: str
    phone: str
    region: Region
    address: str


def _has_control(text: str) -> bool:
    return any(unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn"} for char in text)


def _refuse(field: str, message: str) -> DomainError:
    return DomainError(LogisticsErrorCode.INVALID_ADDRESS, message, {field: [message]})


def check_region(
    code: str, *, field: str = "region_code", require_street: bool = True, min_level: int = RegionLevel.COUNTY
) -> Region:
    """The division ``code`` denotes, at county level at least (township where the data has it).

    A department's own side of an order may be at city level (``min_level``): its address is known."""
    code = (code or "").strip()
    if not code.isdigit() or len(code) not in (4, 6, 9, 12):
        raise _refuse(field, "行政区划代码应为 6、9 或 12 位数字")
    region = region_for_code(code)
    if region is None or region.full_code != code.ljust(12, "0"):
        raise _refuse(field, "行政区划代码不存在，无法寄递")
    if region.level < min_level:
        raise _refuse(field, "请选择到区县一级")
    if require_street and region.level == RegionLevel.COUNTY and region.children.exists():
        raise _refuse(field, "请选择到街道（乡镇）一级")
    return region


def check_text(value: str, *, field: str, minimum: int, maximum: int, label: str) -> str:
    text = unicodedata.normalize("NFC", str(value or "")).strip()
    if _has_control(text):
        raise _refuse(field, f"{label}含有不可见的控制字符")
    if len(text) < minimum:
        raise _refuse(field, f"请填写{label}" if not text else f"{label}过短（至少 {minimum} 个字）")
    if len(text) > maximum:
        raise _refuse(field, f"{label}过长（不超过 {maximum} 个字）")
    return text


def check_phone(value: str, *, field: str) -> str:
    raw = str(value or "").strip()
    if _LANDLINE.fullmatch(raw):
        return raw
    try:
        return validate_phone(raw)
    except IdentifierError:
        raise _refuse(field, "电话应为手机号码或固定电话（如 0551-12345678）") from None


def check_party(
    prefix: str,
    *,
    name: str,
    phone: str,
    region_code: str,
    address: str,
    require_street: bool = True,
    min_level: int = RegionLevel.COUNTY,
) -> CheckedParty:
    """Check one side of an order; ``prefix`` (``sender``/``recipient``) names the fields in errors."""
    return CheckedParty(
        name=check_text(name, field=f"{prefix}.name", minimum=1, maximum=NAME_MAX, label="姓名"),
        phone=check_phone(phone, field=f"{prefix}.phone"),
        region=check_region(
            region_code, field=f"{prefix}.region_code", require_street=require_street, min_level=min_level
        ),
        address=check_text(
            address, field=f"{prefix}.address", minimum=ADDRESS_MIN, maximum=ADDRESS_MAX, label="详细地址"
        ),
    )


def full_address(region: Region, address: str) -> str:
    """省市区 + 详细地址, without repeating the divisions the text already starts with."""
    label = region_label(region)
    return address if address.startswith(label) else f"{label}{address}"


def resolve_region(text: str) -> Region | None:
    """The deepest division (county or township) the free-text ``text`` names together with its
    ancestors (e.g. ``安徽省合肥市蜀山区长江西路 1 号`` → 蜀山区); ``None`` when none matches."""
    text = unicodedata.normalize("NFC", text or "")
    if not text:
        return None
    best: Region | None = None
    best_score = 0
    candidates = Region.objects.filter(level__in=(RegionLevel.COUNTY, RegionLevel.TOWNSHIP)).only(
        "code", "full_code", "name", "level"
    )
    for region in candidates.iterator(chunk_size=2000):
        if region.name not in text:
            continue
        path = [r for r in region_path(region) if r.name not in _PLACEHOLDERS]
        if any(ancestor.name not in text for ancestor in path[:-1] if ancestor.level >= RegionLevel.CITY):
            continue
        score = region.level * 10 + len(path)
        if score > best_score:
            best, best_score = region, score
    return best
