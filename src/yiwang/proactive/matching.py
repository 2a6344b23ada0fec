"""The SQL that selects a rule's subjects: WHERE fragments over the bases' tables, built from the
rule's validated conditions, shared by the scan (what is pushed today) and the reach (who matches now).

Everything is parameterised; table and column names come from the models' metadata.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection

from yiwang.bases.models import ACTIVE_COMPANY_STATUSES, Company, Person, PersonStatus
from yiwang.proactive.schemas import RuleConditions

PERSON_TABLE = Person._meta.db_table
COMPANY_TABLE = Company._meta.db_table


@dataclass
class Where:
    parts: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, sql: str, *params: Any) -> None:
        self.parts.append(sql)
        self.params.extend(params)

    @property
    def sql(self) -> str:
        return " AND ".join(self.parts) if self.parts else "1=1"


def years_before(day: date, years: int) -> date:
    """The date ``years`` years before ``day`` (29 February → 28 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def conditions_of(raw: dict[str, Any]) -> RuleConditions:
    return RuleConditions.model_validate(raw or {})


def person_where(cond: RuleConditions, day: date, alias: str = "p") -> Where:
    """Living (正常) people of the region, genders and age band on ``day``."""
    where = Where()
    where.add(f"{alias}.status = %s", PersonStatus.NORMAL.value)
    if cond.region_prefix:
        where.add(f"{alias}.household_region LIKE %s", cond.region_prefix + "%")
    if cond.genders:
        where.add(f"{alias}.gender IN ({', '.join(['%s'] * len(cond.genders))})", *cond.genders)
    if cond.min_age is not None:
        where.add(f"{alias}.birth_date <= %s", years_before(day, cond.min_age))
    if cond.max_age is not None:
        where.add(f"{alias}.birth_date > %s", years_before(day, cond.max_age + 1))
    return where


def company_where(cond: RuleConditions, alias: str = "c") -> Where:
    """Active (存续/在业) legal persons of the region, industries, capital band and types."""
    where = Where()
    statuses = sorted(str(s) for s in ACTIVE_COMPANY_STATUSES)
    where.add(f"{alias}.status IN ({', '.join(['%s'] * len(statuses))})", *statuses)
    if cond.region_prefix:
        where.add(f"{alias}.region LIKE %s", cond.region_prefix + "%")
    if cond.industry_prefixes:
        likes = " OR ".join([f"{alias}.industry LIKE %s"] * len(cond.industry_prefixes))
        where.add(f"({likes})", *[p + "%" for p in cond.industry_prefixes])
    if cond.capital_min_fen is not None:
        where.add(f"{alias}.registered_capital_fen >= %s", cond.capital_min_fen)
    if cond.capital_max_fen is not None:
        where.add(f"{alias}.registered_capital_fen <= %s", cond.capital_max_fen)
    if cond.company_types:
        where.add(f"{alias}.type IN ({', '.join(['%s'] * len(cond.company_types))})", *cond.company_types)
    return where


def retirement_dates(cond: RuleConditions, day: date) -> list[tuple[str, date]]:
    """(gender, birth date) pairs of the people who reach the retirement age on ``day``; someone born
    on 29 February reaches it on 1 March of a common year."""
    pairs: list[tuple[str, date]] = []
    for gender, age in (("male", cond.male_age), ("female", cond.female_age)):
        if cond.genders and gender not in cond.genders:
            continue
        pairs.append((gender, years_before(day, age)))
        if day.month == 3 and day.day == 1:
            leap = day.year - age
            if leap % 4 == 0 and (leap % 100 != 0 or leap % 400 == 0):
                pairs.append((gender, date(leap, 2, 29)))
    return pairs


def json_object(pairs: list[tuple[str, str]]) -> str:
    """A JSON object built in SQL from (key, SQL expression) pairs (keys are constants of this module)."""
    args = ", ".join(f"'{key}', {expr}" for key, expr in pairs)
    if connection.vendor == "postgresql":
        return f"jsonb_build_object({args})"
    return f"json_object({args})"


def new_uuid() -> str:
    """A random UUID in SQL, in the form Django stores UUIDField values."""
    if connection.vendor == "postgresql":
        return "gen_random_uuid()"
    return "lower(hex(randomblob(16)))"


def insert_ignoring(table: str, columns: list[str], select_sql: str) -> str:
    """``INSERT … SELECT …`` that leaves rows already there (the unique rule × subject × event) alone."""
    cols = ", ".join(columns)
    if connection.vendor == "postgresql":
        return f"INSERT INTO {table} ({cols}) {select_sql} ON CONFLICT DO NOTHING"
    return f"INSERT OR IGNORE INTO {table} ({cols}) {select_sql}"


def param(pg_type: str) -> str:
    """A placeholder typed for PostgreSQL (a parameter in a SELECT list has no type to infer there)."""
    return f"%s::{pg_type}" if connection.vendor == "postgresql" else "%s"
