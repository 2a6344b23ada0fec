"""Account queries (读取): who an applicant is, the companies a person acts for, staff directory and tree.

The one place for read paths of accounts; nothing here changes state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from yiwang.accounts.models import (
    AccountKind,
    LegalPerson,
    LoginRecord,
    NaturalPerson,
    StaffProfile,
    StaffRole,
    User,
)
from yiwang.accounts.roles import require_role, roles_of
from yiwang.core.models import Organisation, Region


def applicant_identity(user: User) -> tuple[str, str, str]:
    """(name, id type, id number) of the person or company an applicant account belongs to."""
    if user.kind == AccountKind.LEGAL and hasattr(user, "legal_person"):
        return user.legal_person.name, "统一社会信用代码", user.legal_person.credit_code
    if hasattr(user, "natural_person"):
        return user.natural_person.real_name, "居民身份证", user.natural_person.id_number
    return user.display_name or user.username, "", ""


def find_applicant(id_number: str) -> User | None:
    """An existing applicant by 公民身份号码 or 统一社会信用代码 (18 characters either way)."""
    value = (id_number or "").strip().upper()
    person = NaturalPerson.objects.select_related("user").filter(id_number=value).first()
    if person is not None:
        return person.user
    company = LegalPerson.objects.select_related("user").filter(credit_code=value).first()
    return company.user if company is not None else None


def applicant_user_id(kind: str, identifier: str) -> int | None:
    """The account id of a person (``kind`` "person": 公民身份号码) or company ("company":
    统一社会信用代码) — one indexed read; None for no account or another kind."""
    value = (identifier or "").strip().upper()
    if kind == "person":
        return NaturalPerson.objects.filter(id_number=value).values_list("user_id", flat=True).first()
    if kind == "company":
        return LegalPerson.objects.filter(credit_code=value).values_list("user_id", flat=True).first()
    return None


def login_history(user: User, limit: int = 20) -> list[LoginRecord]:
    return list(user.login_records.all()[:limit])


# --- companies (法人) ------------------------------------------------------------------------------
def companies_managed_by(user: User) -> list[LegalPerson]:
    """The companies whose agents the user may manage: his own (legal account) or those he represents."""
    if not getattr(user, "is_authenticated", False):
        return []
    if user.kind == AccountKind.LEGAL and hasattr(user, "legal_person"):
        return [user.legal_person]
    person = getattr(user, "natural_person", None)
    if person is None:
        return []
    return list(LegalPerson.objects.filter(legal_representative=person).select_related("user"))


def companies_for_agent(user: User) -> list[LegalPerson]:
    """The companies a natural person may act for now: as legal representative or as agent."""
    person = getattr(user, "natural_person", None)
    if person is None or user.kind != AccountKind.NATURAL:
        return []
    represented = list(LegalPerson.objects.filter(legal_representative=person))
    authorised = LegalPerson.objects.filter(
        agent_authorisations__agent=person,
        agent_authorisations__revoked_at__isnull=True,
        agent_authorisations__valid_until__gt=timezone.now(),
    ).distinct()
    seen = {c.pk for c in represented}
    return represented + [c for c in authorised if c.pk not in seen]


# --- organisation tree --------------------------------------------------------------------------
@dataclass
class OrgNode:
    organisation: Organisation
    staff_count: int
    children: list[OrgNode] = field(default_factory=list)


@dataclass
class RegionNode:
    region: Region
    organisations: list[OrgNode] = field(default_factory=list)


def organisation_tree() -> list[RegionNode]:
    """组织机构树 Regions (only those with organisations) and their department trees."""
    organisations = list(Organisation.objects.select_related("region").order_by("region__full_code", "name"))
    counts: dict[int, int] = {}
    for org_id in StaffProfile.objects.filter(user__is_active=True).values_list("organisation_id", flat=True):
        counts[org_id] = counts.get(org_id, 0) + 1
    nodes = {org.pk: OrgNode(org, counts.get(org.pk, 0)) for org in organisations}
    regions: dict[int, RegionNode] = {}
    for org in organisations:
        node = nodes[org.pk]
        if org.parent_id and org.parent_id in nodes:
            nodes[org.parent_id].children.append(node)
            continue
        regions.setdefault(org.region_id, RegionNode(org.region)).organisations.append(node)
    return list(regions.values())


def staff_directory(actor: User, organisation: Organisation | None = None) -> QuerySet[StaffProfile]:
    """工作人员名录 for the system and security admins."""
    held = roles_of(actor)
    if not held & {StaffRole.ADMIN, StaffRole.SECURITY_ADMIN}:
        require_role(actor, StaffRole.ADMIN, "staff_directory")
    qs = (
        StaffProfile.objects.select_related("user", "organisation")
        .prefetch_related("roles")
        .order_by("organisation__name", "real_name")
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs
