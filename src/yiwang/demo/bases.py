"""演示基础库 A few thousand citizens and legal persons, the synthetic geometry of 合肥市 and its
standard addresses — including the demo accounts' people and companies, so that the real-name
checks and the sharing gateway agree with the accounts: 张伟 (``citizen``) is in the population
base under his ID number, 合肥徽创科技有限公司 (``company``) in the legal-person base with 张伟 as its
legal representative, and every demo department is there as a 机关 legal person.

Idempotent: records already there are left alone (their version too).  Run it before the demo
accounts are created, so that registering the demo company is checked against the base.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings

from yiwang.bases.generate import CompanySpec, PersonSpec, SeedReport, seed_bases
from yiwang.bases.geometry import generate_addresses, generate_region_geometry
from yiwang.bases.models import CompanyStatus, CompanyType, PersonStatus
from yiwang.core.identifiers import make_credit_code, make_id_number
from yiwang.core.models import Organisation
from yiwang.demo.content import AREA_CODE, ORGANISATIONS
from yiwang.demo.content.people import CITIZEN_BIRTH, CITIZEN_REGION_CODE, CITIZEN_SEQUENCE, COMPANY_CREDIT

DEMO_PERSONS = 3000
DEMO_COMPANIES = 800
DEMO_SEED = 2026
CITIZEN_NAME = "张伟"
COMPANY_NAME = "合肥徽创科技有限公司"
# The heads of the demo departments (made-up people, valid ID numbers): representatives of the 机关.
_HEAD_NAMES = (
    "周建国",
    "吴志明",
    "郑海峰",
    "孙丽华",
    "钱文博",
    "冯晓梅",
    "陈立新",
    "褚国强",
    "卫春燕",
    "蒋永辉",
)


@dataclass
class BasesDemoReport:
    seeded: SeedReport
    regions: int
    addresses: int

    def __str__(self) -> str:
        return f"基础库：{self.seeded}；区划空间数据（合成）{self.regions}；标准地址 {self.addresses}"


def demo_citizen() -> PersonSpec:
    id_number = make_id_number(CITIZEN_REGION_CODE, CITIZEN_BIRTH, CITIZEN_SEQUENCE)
    return PersonSpec(
        id_number=id_number,
        name=CITIZEN_NAME,
        gender="male",
        birth_date=CITIZEN_BIRTH,
        ethnicity="01",
        household_region=CITIZEN_REGION_CODE,
        address="安徽省合肥市蜀山区长江西路368号12栋1502室",
        status=PersonStatus.NORMAL,
    )


def demo_company(representative: PersonSpec) -> CompanySpec:
    return CompanySpec(
        credit_code=make_credit_code(
            COMPANY_CREDIT["registration_department"],
            COMPANY_CREDIT["entity_type"],
            COMPANY_CREDIT["area_code"],
            COMPANY_CREDIT["org_body"],
        ),
        name=COMPANY_NAME,
        type=CompanyType.ENTERPRISE,
        legal_representative=representative.name,
        legal_representative_id=representative.id_number,
        registered_capital_fen=5_000_000_00,
        established_on=date(2018, 3, 15),
        status=CompanyStatus.EXISTING,
        region="340104",
        address="安徽省合肥市蜀山区黄山路599号时代数码港8楼",
        business_scope="软件开发；信息技术咨询服务；信息系统集成服务；数据处理和存储支持服务",
        industry="I6510",
        registration_authority="合肥市市场监督管理局",
    )


def _heads() -> list[PersonSpec]:
    heads = []
    for index, name in enumerate(_HEAD_NAMES):
        birth = date(1968 + index, 1 + index, 10 + index)
        gender = "female" if name in {"孙丽华", "冯晓梅", "卫春燕"} else "male"
        sequence = 300 + index * 2 + (1 if gender == "male" else 0)
        heads.append(
            PersonSpec(
                id_number=make_id_number("340103", birth, sequence),
                name=name,
                gender=gender,
                birth_date=birth,
                ethnicity="01",
                household_region="340103",
                address=f"安徽省合肥市庐阳区长江中路{100 + index}号",
            )
        )
    return heads


def _departments(heads: list[PersonSpec]) -> list[CompanySpec]:
    return [
        CompanySpec(
            credit_code=make_credit_code("1", spec["entity_type"], AREA_CODE, spec["org_body"]),
            name=spec["name"],
            type=CompanyType.ORGAN,
            legal_representative=heads[index % len(heads)].name,
            legal_representative_id=heads[index % len(heads)].id_number,
            registered_capital_fen=0,
            established_on=date(2000, 1, 1),
            status=CompanyStatus.EXISTING,
            region=AREA_CODE,
            address=spec.get("address", ""),
            business_scope="行政管理",
            industry="S9221",
            registration_authority="中共合肥市委机构编制委员会办公室",
        )
        for index, spec in enumerate(ORGANISATIONS)
    ]


def load_bases_demo(
    *, persons: int | None = None, companies: int | None = None, seed: int = DEMO_SEED
) -> BasesDemoReport:
    """载入演示基础库 (idempotent); needs the regions of 合肥市 loaded for the geometry.  How many
    generated people and companies besides the demo accounts' own: ``YIWANG_DEMO_BASE_PERSONS`` /
    ``_COMPANIES`` (3,000 / 800; the test profile loads 300 / 80 so that every loaddemo in the suite
    stays quick)."""
    if persons is None:
        persons = int(getattr(settings, "YIWANG_DEMO_BASE_PERSONS", DEMO_PERSONS))
    if companies is None:
        companies = int(getattr(settings, "YIWANG_DEMO_BASE_COMPANIES", DEMO_COMPANIES))
    citizen = demo_citizen()
    heads = _heads()
    seeded = seed_bases(
        persons=persons,
        companies=companies,
        seed=seed,
        extra_persons=[citizen, *heads],
        extra_companies=[demo_company(citizen), *_departments(heads)],
        source=Organisation.objects.filter(name="合肥市公安局").first(),
        company_source=Organisation.objects.filter(name="合肥市市场监督管理局").first(),
    )
    return BasesDemoReport(seeded=seeded, regions=generate_region_geometry(), addresses=generate_addresses())
