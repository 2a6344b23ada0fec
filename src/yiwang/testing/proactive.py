"""Factories for the proactive-services tests: a manager, rules, base records with change-log rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from yiwang.accounts.models import StaffRole, User
from yiwang.bases.models import BaseChange, BaseKind, Company, Person
from yiwang.core.models import Organisation
from yiwang.core.protected import protected_digest
from yiwang.proactive.models import Rule
from yiwang.proactive.schemas import ProactiveRuleIn
from yiwang.proactive.services import activate_rule, create_rule
from yiwang.testing import bases
from yiwang.testing.accounts import organisation
from yiwang.testing.people import make_citizen, make_staff

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=TZ)  # a Monday
TODAY = NOW.date()


@dataclass
class World:
    department: Organisation
    manager: User
    other_manager: User
    clerk: User


def make_world() -> World:
    department = organisation("合肥市人力资源和社会保障局", "3401")
    other = organisation("芜湖市市场监督管理局", "3402")
    return World(
        department=department,
        manager=make_staff(department, "pmanager", [StaffRole.SERVICE_MANAGER]),
        other_manager=make_staff(other, "pother", [StaffRole.SERVICE_MANAGER]),
        clerk=make_staff(department, "pclerk", [StaffRole.WINDOW_CLERK]),
    )


def rule_body(**overrides: Any) -> ProactiveRuleIn:
    values: dict[str, Any] = {
        "name": "新生儿出生一件事",
        "event": "birth",
        "conditions": {},
        "action": "notify",
        "title": "新生儿出生“一件事”办理提醒",
        "message": "您家有新生儿出生，可一次办理出生医学证明、户口登记、医保参保。",
        "link": "/items/",
    }
    values.update(overrides)
    return ProactiveRuleIn.model_validate(values)


def make_rule(manager: User, *, active: bool = True, **overrides: Any) -> Rule:
    rule = create_rule(manager, rule_body(**overrides))
    return activate_rule(manager, rule) if active else rule


def log_change(base: str, code: str, *, created: bool = True, fields: list[str] | None = None) -> BaseChange:
    """A change-log row as the bases' feed writes it (a few minutes before "now")."""
    return BaseChange.objects.create(
        base=base,
        subject_digest=protected_digest(code, "code"),
        fields=fields or [],
        created=created,
        version=1,
        at=datetime(2026, 12, 7, 8, 0, tzinfo=TZ),
    )


def born(birth: date = date(2026, 12, 1), region: str = "340104", **overrides: Any) -> Person:
    """A newborn registered in the population base (with its change-log row)."""
    person = bases.person(id_number=bases.id_number(birth=birth, region=region), **overrides)
    log_change(BaseKind.POPULATION, person.id_number)
    return person


def established(**overrides: Any) -> Company:
    company = bases.company(**overrides)
    log_change(BaseKind.LEGAL_PERSON, company.credit_code)
    return company


def citizen_for(person: Person, username: str) -> User:
    """A platform account of the base person ``person`` (same ID number)."""
    return make_citizen(username, birth_date=person.birth_date, sequence=int(person.id_number[14:17]))


def licence_expiring_in(days: int, holder_code: str = "11010519491231002X") -> Any:
    """A licence (5-year type) issued so that it expires about ``days`` days after TODAY."""
    from yiwang.proactive.matching import years_before
    from yiwang.testing import licences

    issuer, _seal, _approver = licences.make_issuer(f"合肥市市场监督管理局{days}")
    licence_type = licences.make_type(validity_years=5)
    issued = years_before(TODAY + timedelta(days=days), 5)
    return licences.issue(licence_type, issuer, holder_code=holder_code, issued_on=issued)
