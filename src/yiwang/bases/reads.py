"""What the sharing gateway and the real-name checks read from the bases.

Every function returns plain, JSON-safe dicts (dates as ``YYYY-MM-DD``), or ``None`` when there is
no such record; an unknown field name is a 400 ``bases_unknown_field``.  Values are unmasked: the
caller decides, per grant, what a requester may see.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from yiwang.bases.errors import BasesErrorCode
from yiwang.bases.fields import FIELDS, KEYS
from yiwang.bases.models import (
    ACTIVE_COMPANY_STATUSES,
    CLOSED_COMPANY_STATUSES,
    BaseChange,
    BaseKind,
    Company,
    Person,
    PersonStatus,
    RegionGeometry,
)
from yiwang.core.errors import DomainError
from yiwang.core.identifiers import IdentifierError, validate_credit_code, validate_id_number

__all__ = [
    "FIELDS",
    "KEYS",
    "CompanyCheck",
    "CompanyCheckOutcome",
    "PersonCheck",
    "PersonCheckOutcome",
    "changes_after",
    "check_company",
    "check_person",
    "lookup_company",
    "lookup_person",
    "region_geometry",
]


def _fields(base: str, fields: Iterable[str] | None) -> list[str]:
    known = FIELDS[base]
    if fields is None:
        return list(known)
    wanted = list(dict.fromkeys(fields))
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise DomainError(
            BasesErrorCode.UNKNOWN_FIELD,
            f"基础库没有这些字段：{', '.join(str(n)[:40] for n in unknown[:10])}",
            {"fields": [str(n)[:40] for n in unknown[:10]]},
        )
    return wanted


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _person(id_number: str) -> Person | None:
    try:
        number = validate_id_number(id_number).normalized
    except (IdentifierError, TypeError):
        return None
    return Person.objects.filter(id_number=number).first()


def _company(credit_code: str) -> Company | None:
    try:
        code = validate_credit_code(credit_code).normalized
    except (IdentifierError, TypeError):
        return None
    return Company.objects.filter(credit_code=code).first()


def lookup_person(id_number: str, fields: Iterable[str] | None = None) -> dict[str, Any] | None:
    """人口信息 The ``fields`` (all when ``None``) of the citizen with this ID number, or ``None``."""
    names = _fields(BaseKind.POPULATION, fields)
    person = _person(id_number)
    if person is None:
        return None
    return {name: _plain(getattr(person, name)) for name in names}


def lookup_company(credit_code: str, fields: Iterable[str] | None = None) -> dict[str, Any] | None:
    """法人信息 The ``fields`` (all when ``None``) of the legal person with this credit code, or ``None``."""
    names = _fields(BaseKind.LEGAL_PERSON, fields)
    company = _company(credit_code)
    if company is None:
        return None
    return {name: _plain(getattr(company, name)) for name in names}


def _geometry_dict(row: RegionGeometry) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "centroid": {"lat": row.centroid_lat, "lng": row.centroid_lng},
        "boundary": row.boundary,
    }


def region_geometry(code: str, fields: Iterable[str] | None = None) -> dict[str, Any] | None:
    """区划空间数据 ``{code, name, centroid: {lat, lng}, boundary: GeoJSON}`` (or the chosen
    ``fields``) of a GB/T 2260 region, or ``None``.  Demo geometry is synthetic."""
    names = _fields(BaseKind.GEOGRAPHY, fields)
    code = str(code).strip()
    if not code.isascii() or not code.isdigit() or len(code) > 12:
        return None
    row = RegionGeometry.objects.filter(code=code).first()
    if row is None:
        return None
    whole = _geometry_dict(row)
    return {name: whole[name] for name in names}


def changes_after(sequence: int, *, limit: int = 500) -> list[dict[str, Any]]:
    """变更日志 Up to ``limit`` (at most 1000) changes with a sequence above ``sequence``, oldest first:
    ``{sequence, base, subject_digest, fields, created, version, at, source_id, batch_id}``."""
    limit = max(1, min(int(limit), 1000))
    rows = BaseChange.objects.filter(sequence__gt=int(sequence)).order_by("sequence")[:limit]
    return [
        {
            "sequence": row.sequence,
            "base": row.base,
            "subject_digest": row.subject_digest,
            "fields": list(row.fields),
            "created": row.created,
            "version": row.version,
            "at": row.at.isoformat(),
            "source_id": row.source_id,
            "batch_id": row.batch_id,
        }
        for row in rows
    ]


# --- real-name checks (accounts calls these) ------------------------------------------------------
def same_name(a: str, b: str) -> bool:
    """Names compared as people type them: full-width/half-width and blanks do not matter."""

    def norm(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text or "").split())

    return norm(a) == norm(b)


class PersonCheckOutcome(StrEnum):
    VERIFIED = "verified"  # found, same name, alive (正常 or 迁出)
    NOT_FOUND = "not_found"
    NAME_MISMATCH = "name_mismatch"
    DECEASED = "deceased"


@dataclass(frozen=True)
class PersonCheck:
    outcome: PersonCheckOutcome
    status: str = ""  # the person's status when found


def check_person(name: str, id_number: str) -> PersonCheck:
    """人口库比对 Does the population base know a living citizen of this name and ID number?"""
    person = _person(id_number)
    if person is None:
        return PersonCheck(PersonCheckOutcome.NOT_FOUND)
    if not same_name(person.name, name):
        return PersonCheck(PersonCheckOutcome.NAME_MISMATCH, person.status)
    if person.status == PersonStatus.DECEASED:
        return PersonCheck(PersonCheckOutcome.DECEASED, person.status)
    return PersonCheck(PersonCheckOutcome.VERIFIED, person.status)


class CompanyCheckOutcome(StrEnum):
    VERIFIED = "verified"  # found, 存续/在业, same name, the representative is this person
    NOT_FOUND = "not_found"
    CLOSED = "closed"  # 吊销 or 注销
    INACTIVE = "inactive"  # 迁出: registered elsewhere now, nothing to confirm here
    NAME_MISMATCH = "name_mismatch"
    NOT_REPRESENTATIVE = "not_representative"


@dataclass(frozen=True)
class CompanyCheck:
    outcome: CompanyCheckOutcome
    status: str = ""
    registered_name: str = ""


def check_company(
    credit_code: str, name: str, *, representative_name: str, representative_id_number: str
) -> CompanyCheck:
    """法人库比对 Is this an active legal person of this name, represented by this person?"""
    company = _company(credit_code)
    if company is None:
        return CompanyCheck(CompanyCheckOutcome.NOT_FOUND)
    if company.status in CLOSED_COMPANY_STATUSES:
        return CompanyCheck(CompanyCheckOutcome.CLOSED, company.status, company.name)
    if not same_name(company.name, name):
        return CompanyCheck(CompanyCheckOutcome.NAME_MISMATCH, company.status, company.name)
    if company.status not in ACTIVE_COMPANY_STATUSES:
        return CompanyCheck(CompanyCheckOutcome.INACTIVE, company.status, company.name)
    try:
        representative_id = validate_id_number(representative_id_number).normalized
    except IdentifierError:
        representative_id = ""
    if representative_id != (company.legal_representative_id or "").upper() or not same_name(
        company.legal_representative, representative_name
    ):
        return CompanyCheck(CompanyCheckOutcome.NOT_REPRESENTATIVE, company.status, company.name)
    return CompanyCheck(CompanyCheckOutcome.VERIFIED, company.status, company.name)
