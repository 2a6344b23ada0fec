"""Deterministic, realistic demo and benchmark data for the bases (``yiwang seed_bases``).

Every ID number is valid (GB 11643 check digit) and agrees with the person's birth date, gender and
household region; every credit code is valid (GB 11714 and GB 32100 checks) and agrees with the
company's type and region.  The same ``seed`` and counts always give the same records.  Uniqueness is
structural (a counter per region and birth date for ID numbers, a bijective scramble for credit-code
bodies), so a million records need no set of used numbers.  Seeding is an initial load: it writes no
change log (feeds go through :func:`yiwang.bases.services.apply_updates`).
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from yiwang.bases.models import Company, CompanyStatus, CompanyType, Person, PersonStatus
from yiwang.bases.places import CITY_NAME, DISTRICTS, District, district_full_address
from yiwang.core.identifiers import CREDIT_CODE_ALPHABET, make_credit_code, make_id_number
from yiwang.core.models import Organisation

BATCH_SIZE = 2000
EARLIEST_BIRTH = date(1940, 1, 1)
LATEST_BIRTH = date(2020, 12, 31)  # fixed, so the data never depends on today's date
_BIRTH_DAYS = (LATEST_BIRTH - EARLIEST_BIRTH).days

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
# Heavier weights for the most common surnames (王李张刘陈 ≈ 30% of the population).
_SURNAME_WEIGHTS = [8, 8, 7, 6, 5, 3, 2, 2, 2, 2] + [1] * (len(SURNAMES) - 10)
MALE_GIVEN = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国文博志成海峰亮晨轩然睿哲"
FEMALE_GIVEN = "芳娜敏静丽艳娟霞秀英慧巧美淑惠珠翠雅芝玉萍红月彩春菊兰凤洁梅琳素云莲真环雪荣爱妹婷琪悦欣怡晴"
# GB/T 3304 codes with rough shares in Anhui (汉族 almost everyone, 回族 the largest minority).
ETHNICITIES = (("01", 96), ("03", 2), ("08", 1), ("02", 1))
PERSON_STATUSES = ((PersonStatus.NORMAL, 970), (PersonStatus.DECEASED, 20), (PersonStatus.MOVED_OUT, 10))
COMPANY_STATUSES = (
    (CompanyStatus.EXISTING, 60),
    (CompanyStatus.OPERATING, 25),
    (CompanyStatus.CANCELLED, 8),
    (CompanyStatus.REVOKED, 5),
    (CompanyStatus.MOVED_OUT, 2),
)
BRAND_CHARS = "徽创华瑞恒信达金鑫鼎盛泰安新宏远东方博智科云天宇合众联力美佳丰源正通昌隆兴汇嘉庐巢包淝"


@dataclass(frozen=True)
class Industry:
    code: str  # GB/T 4754-2017
    word: str  # as it appears in a name
    scope: str


INDUSTRIES = (
    Industry("I6510", "科技", "软件开发；信息技术咨询服务；信息系统集成服务"),
    Industry("M7320", "技术", "工程和技术研究和试验发展；技术服务、技术开发、技术咨询"),
    Industry("F5211", "商贸", "日用百货销售；食品销售（仅销售预包装食品）"),
    Industry("F5137", "电器", "家用电器销售；五金产品批发"),
    Industry("H6210", "餐饮管理", "餐饮服务；食品经营；餐饮管理"),
    Industry("H6110", "酒店管理", "住宿服务；餐饮服务；酒店管理"),
    Industry("E4710", "建筑工程", "房屋建筑工程施工；建筑装饰装修"),
    Industry("G5430", "物流", "道路货物运输（不含危险货物）；仓储服务"),
    Industry("C3670", "汽车部件", "汽车零部件及配件制造；汽车零配件批发"),
    Industry("C3982", "电子", "电子元器件制造；电子产品销售"),
    Industry("L7212", "投资管理", "以自有资金从事投资活动；资产管理服务"),
    Industry("O8010", "家政服务", "家政服务；保洁服务"),
)
_INSTITUTION_INDUSTRY = Industry("Q8411", "医院", "医疗服务；健康咨询")
_SOCIAL_INDUSTRY = Industry("S9522", "协会", "行业自律；行业交流；业务培训")
_ORGAN_INDUSTRY = Industry("S9221", "局", "行政管理")
_PRIVATE_NON_ENTERPRISE_INDUSTRY = Industry("P8391", "培训学校", "职业技能培训")


@dataclass(frozen=True)
class CompanyKind:
    type: str
    registration_department: str  # GB 32100 first character
    entity_type: str  # GB 32100 second character
    weight: int


COMPANY_KINDS = (
    CompanyKind(CompanyType.ENTERPRISE, "9", "1", 80),
    CompanyKind(CompanyType.INDIVIDUAL_BUSINESS, "9", "2", 8),
    CompanyKind(CompanyType.FARMERS_COOPERATIVE, "9", "3", 2),
    CompanyKind(CompanyType.PUBLIC_INSTITUTION, "1", "2", 4),
    CompanyKind(CompanyType.SOCIAL_ORGANISATION, "5", "1", 3),
    CompanyKind(CompanyType.PRIVATE_NON_ENTERPRISE, "5", "2", 2),
    CompanyKind(CompanyType.ORGAN, "1", "1", 1),
)
CAPITALS_YUAN = (100_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 50_000_000)


@dataclass(frozen=True)
class PersonSpec:
    id_number: str
    name: str
    gender: str
    birth_date: date
    ethnicity: str
    household_region: str
    address: str
    status: str = PersonStatus.NORMAL


@dataclass(frozen=True)
class CompanySpec:
    credit_code: str
    name: str
    type: str
    legal_representative: str
    legal_representative_id: str
    registered_capital_fen: int
    established_on: date
    status: str
    region: str
    address: str
    business_scope: str
    industry: str
    registration_authority: str


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


def chinese_name(rng: random.Random, gender: str) -> str:
    """A Chinese name: a common surname and one or two given-name characters fitting the gender."""
    pool = MALE_GIVEN if gender == "male" else FEMALE_GIVEN
    surname = rng.choices(SURNAMES, weights=_SURNAME_WEIGHTS)[0]
    given = "".join(rng.choice(pool) for _ in range(1 if rng.random() < 0.3 else 2))
    return surname + given


def _home_address(rng: random.Random, district: District) -> str:
    road = rng.choice(district.roads)
    return (
        f"{district_full_address(district, road, rng.randint(1, 999))}"
        f"{rng.randint(1, 30)}栋{rng.randint(1, 33)}{rng.randint(1, 4):02d}室"
    )


def generate_persons(count: int, *, seed: int = 0, reserved: Iterable[str] = ()) -> Iterator[PersonSpec]:
    """``count`` citizens of the demo city; ID numbers in ``reserved`` are never produced."""
    rng = random.Random(f"persons:{seed}")  # noqa: S311 - demo data, must be reproducible
    skip = set(reserved)
    counters: dict[tuple[str, int], int] = {}
    produced = 0
    while produced < count:
        district = rng.choice(DISTRICTS)
        offset = rng.randrange(_BIRTH_DAYS + 1)
        gender = "male" if rng.random() < 0.51 else "female"
        key = (district.code, offset)
        # Sequence codes 0–997, odd for men and even for women; 998/999 stay free (the simulated
        # identity provider gives them a meaning).
        slot = counters.get(key, (offset * 7 + int(district.code)) % 40)
        counters[key] = slot + 1
        sequence = slot * 2 + (1 if gender == "male" else 0)
        if sequence > 997:
            continue
        birth = EARLIEST_BIRTH + timedelta(days=offset)
        id_number = make_id_number(district.code, birth, sequence)
        if id_number in skip:
            continue
        produced += 1
        yield PersonSpec(
            id_number=id_number,
            name=chinese_name(rng, gender),
            gender=gender,
            birth_date=birth,
            ethnicity=_weighted(rng, ETHNICITIES),
            household_region=district.code,
            address=_home_address(rng, district),
            status=_weighted(rng, PERSON_STATUSES),
        )


_BODY_SPACE = 31**6
_BODY_STEP = 387_420_489  # 9**9: coprime to 31, so i -> i*step mod 31**6 is a bijection


def credit_body(index: int, seed: int = 0) -> str:
    """The 8-character organisation-code body of the ``index``-th generated company: ``MA`` and six
    characters, distinct for every index below 31**6."""
    value = (index * _BODY_STEP + seed * 7919) % _BODY_SPACE
    chars = []
    for _ in range(6):
        value, digit = divmod(value, 31)
        chars.append(CREDIT_CODE_ALPHABET[digit])
    return "MA" + "".join(reversed(chars))


def _company_name(rng: random.Random, kind: CompanyKind, district: District, industry: Industry) -> str:
    brand = "".join(rng.sample(BRAND_CHARS, 2))
    if kind.type == CompanyType.ENTERPRISE:
        suffix = rng.choice(("有限公司", "有限公司", "有限责任公司", "股份有限公司"))
        return f"{CITY_NAME[:2]}{brand}{industry.word}{suffix}"
    if kind.type == CompanyType.INDIVIDUAL_BUSINESS:
        return f"{CITY_NAME}{district.name}{brand}{rng.choice(('便利店', '小吃店', '五金店', '理发店'))}"
    if kind.type == CompanyType.FARMERS_COOPERATIVE:
        return f"{district.name}{brand}{rng.choice(('种植', '养殖', '农机'))}专业合作社"
    if kind.type == CompanyType.PUBLIC_INSTITUTION:
        return f"{CITY_NAME}{district.name}{brand}{rng.choice(('医院', '检验检测中心', '档案馆', '图书馆'))}"
    if kind.type == CompanyType.SOCIAL_ORGANISATION:
        return f"{CITY_NAME}{brand}{industry.word.removesuffix('管理')}行业协会"
    if kind.type == CompanyType.PRIVATE_NON_ENTERPRISE:
        return f"{CITY_NAME}{district.name}{brand}{rng.choice(('培训学校', '养老院', '幼儿园'))}"
    return f"{CITY_NAME}{district.name}{rng.choice(('城市管理局', '文化旅游局', '统计局', '审计局'))}"


def _authority(kind: CompanyKind, district: District) -> str:
    if kind.registration_department == "9":
        return f"{CITY_NAME}{district.name}市场监督管理局"
    if kind.registration_department == "5":
        return f"{CITY_NAME}民政局"
    return f"中共{CITY_NAME}委机构编制委员会办公室"


def _industry_for(rng: random.Random, kind: CompanyKind) -> Industry:
    special: dict[str, Industry] = {
        CompanyType.PUBLIC_INSTITUTION: _INSTITUTION_INDUSTRY,
        CompanyType.SOCIAL_ORGANISATION: _SOCIAL_INDUSTRY,
        CompanyType.PRIVATE_NON_ENTERPRISE: _PRIVATE_NON_ENTERPRISE_INDUSTRY,
        CompanyType.ORGAN: _ORGAN_INDUSTRY,
    }
    return special.get(kind.type) or rng.choice(INDUSTRIES)


def generate_companies(
    count: int,
    *,
    seed: int = 0,
    representatives: Sequence[PersonSpec],
    reserved: Iterable[str] = (),
) -> Iterator[CompanySpec]:
    """``count`` legal persons of the demo city, each represented by one of ``representatives``
    (adults in the normal state are preferred; a person may represent several companies)."""
    if not representatives:
        raise ValueError("generate_companies needs at least one representative")
    adults = [p for p in representatives if p.status == PersonStatus.NORMAL and p.birth_date.year <= 2002]
    pool = adults or list(representatives)
    rng = random.Random(f"companies:{seed}")  # noqa: S311 - demo data, must be reproducible
    skip = set(reserved)
    kinds = [(kind, kind.weight) for kind in COMPANY_KINDS]
    index = produced = 0
    while produced < count:
        body = credit_body(index, seed)
        index += 1
        kind: CompanyKind = _weighted(rng, kinds)
        district = rng.choice(DISTRICTS)
        code = make_credit_code(kind.registration_department, kind.entity_type, district.code, body)
        if code in skip:
            continue
        produced += 1
        industry = _industry_for(rng, kind)
        representative = rng.choice(pool)
        capital = 0 if kind.type == CompanyType.ORGAN else rng.choice(CAPITALS_YUAN) * 100
        if kind.type == CompanyType.INDIVIDUAL_BUSINESS:
            capital = rng.choice((10_000, 50_000, 100_000)) * 100
        yield CompanySpec(
            credit_code=code,
            name=_company_name(rng, kind, district, industry),
            type=kind.type,
            legal_representative=representative.name,
            legal_representative_id=representative.id_number,
            registered_capital_fen=capital,
            established_on=date(1995, 1, 1) + timedelta(days=rng.randrange(11_000)),
            status=_weighted(rng, COMPANY_STATUSES),
            region=district.code,
            address=district_full_address(district, rng.choice(district.roads), rng.randint(1, 999)),
            business_scope=industry.scope,
            industry=industry.code,
            registration_authority=_authority(kind, district),
        )


# --- bulk insert ---------------------------------------------------------------------------------
def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(model: Any, build: Callable[[Any], Any], specs: Iterable[Any], batch_size: int) -> int:
    """Insert in batches of ``batch_size``, one transaction each; rows already there are left alone."""
    written = 0
    for batch in _batched(specs, batch_size):
        with transaction.atomic():
            model.objects.bulk_create([build(spec) for spec in batch], ignore_conflicts=True)
        written += len(batch)
    return written


def insert_persons(
    specs: Iterable[PersonSpec], *, source: Organisation | None = None, batch_size: int = BATCH_SIZE
) -> int:
    """Bulk-insert people (encrypting name, ID number and address); returns how many were offered."""
    return _insert(Person, lambda spec: Person(**vars(spec), source=source), specs, batch_size)


def insert_companies(
    specs: Iterable[CompanySpec], *, source: Organisation | None = None, batch_size: int = BATCH_SIZE
) -> int:
    """Bulk-insert legal persons (encrypting the representative's name and ID number)."""
    return _insert(Company, lambda spec: Company(**vars(spec), source=source), specs, batch_size)


@dataclass
class SeedReport:
    persons: int = 0
    companies: int = 0
    person_seconds: float = 0.0
    company_seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        person_rate = self.persons / self.person_seconds if self.person_seconds else 0
        company_rate = self.companies / self.company_seconds if self.company_seconds else 0
        return (
            f"人口 {self.persons} 条（{self.person_seconds:.1f} 秒，{person_rate:.0f} 条/秒）；"
            f"法人 {self.companies} 条（{self.company_seconds:.1f} 秒，{company_rate:.0f} 条/秒）"
        )


REPRESENTATIVE_POOL = 50_000


def seed_bases(
    *,
    persons: int,
    companies: int,
    seed: int = 0,
    extra_persons: Sequence[PersonSpec] = (),
    extra_companies: Sequence[CompanySpec] = (),
    source: Organisation | None = None,
    company_source: Organisation | None = None,
    batch_size: int = BATCH_SIZE,
) -> SeedReport:
    """Generate and insert ``persons`` people and ``companies`` legal persons (plus the given extra
    records, whose numbers the generators then avoid).  Representatives are drawn from the extra and
    the first generated people, so every representative is in the population base.  ``source`` is
    the providing department of the people, ``company_source`` of the legal persons."""
    report = SeedReport()
    reserved_ids = {spec.id_number for spec in extra_persons}
    pool: list[PersonSpec] = list(extra_persons)

    def people() -> Iterator[PersonSpec]:
        yield from extra_persons
        for spec in generate_persons(persons, seed=seed, reserved=reserved_ids):
            if len(pool) < REPRESENTATIVE_POOL:
                pool.append(spec)
            yield spec

    started = time.monotonic()
    report.persons = insert_persons(people(), source=source, batch_size=batch_size)
    report.person_seconds = time.monotonic() - started
    if companies or extra_companies:
        if not pool:  # no people seeded: representatives that are not in the base
            pool.extend(generate_persons(min(companies, REPRESENTATIVE_POOL) or 1, seed=seed))
        reserved_codes = {spec.credit_code for spec in extra_companies}
        started = time.monotonic()
        report.companies = insert_companies(
            itertools.chain(
                extra_companies,
                generate_companies(companies, seed=seed, representatives=pool, reserved=reserved_codes),
            ),
            source=company_source,
            batch_size=batch_size,
        )
        report.company_seconds = time.monotonic() - started
    return report


__all__ = [
    "COMPANY_KINDS",
    "CompanySpec",
    "PersonSpec",
    "SeedReport",
    "chinese_name",
    "credit_body",
    "generate_companies",
    "generate_persons",
    "insert_companies",
    "insert_persons",
    "seed_bases",
]
