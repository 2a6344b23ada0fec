"""Records of the base databases for tests of any app (bases, sharing, opendata), written directly
(the feed service is what the bases tests exercise)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from yiwang.bases.geometry import boundary_for
from yiwang.bases.models import Company, CompanyStatus, CompanyType, Person, PersonStatus, RegionGeometry
from yiwang.core.identifiers import make_credit_code, make_id_number

_serial = itertools.count(1)


def id_number(sequence: int | None = None, birth: date = date(1985, 3, 8), region: str = "340104") -> str:
    return make_id_number(region, birth, next(_serial) * 2 + 1 if sequence is None else sequence)


def person(**overrides: Any) -> Person:
    number = overrides.pop("id_number", None) or id_number()
    values: dict[str, Any] = {
        "name": "张伟",
        "gender": "male" if int(number[16]) % 2 else "female",
        "birth_date": date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
        "household_region": number[:6],
        "address": "安徽省合肥市蜀山区长江西路1号",
        "status": PersonStatus.NORMAL,
    }
    values.update(overrides)
    return Person.objects.create(id_number=number, **values)


def credit_code() -> str:
    return make_credit_code("9", "1", "340104", f"MA{next(_serial):06d}")


def company(representative: Person | None = None, **overrides: Any) -> Company:
    values: dict[str, Any] = {
        "credit_code": credit_code(),
        "name": "合肥测试科技有限公司",
        "type": CompanyType.ENTERPRISE,
        "legal_representative": representative.name if representative else "张伟",
        "legal_representative_id": representative.id_number if representative else id_number(),
        "registered_capital_fen": 100_000_000,
        "established_on": date(2015, 6, 1),
        "status": CompanyStatus.EXISTING,
        "region": "340104",
        "address": "安徽省合肥市蜀山区黄山路8号",
        "industry": "I6510",
        "registration_authority": "合肥市蜀山区市场监督管理局",
    }
    values.update(overrides)
    return Company.objects.create(**values)


def geometry(code: str = "340104", name: str = "蜀山区") -> RegionGeometry:
    centroid = (31.85, 117.26)
    return RegionGeometry.objects.create(
        code=code,
        name=name,
        centroid_lat=centroid[0],
        centroid_lng=centroid[1],
        boundary=boundary_for(code, centroid),
        synthetic=True,
    )
