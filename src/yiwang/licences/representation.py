"""单位证照的代表查看 A company's licences seen by the people who act for it.

A licence issued to a company (法人) sits in the company's wallet.  A natural person who acts for
the company may open it (its page, its stamped PDF and the print view), read only:

* the company's legal representative (法定代表人): every licence of the company;
* an authorised agent (代办人) with an authorisation that is neither revoked nor expired: every
  licence when the authorisation covers all items, otherwise the licences issued from cases of the
  items it covers.

Anyone else gets the same 404 as for a licence that does not exist.  Sharing and use authorisations
stay with the holder's own account.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from yiwang.accounts.models import AccountKind, AgentAuthorisation, LegalPerson, User
from yiwang.core.errors import NotFound
from yiwang.licences import services
from yiwang.licences.errors import LicenceErrorCode
from yiwang.licences.models import Licence


@dataclass
class Represented:
    """One company the user acts for and the licences of it he may open."""

    company: LegalPerson
    role: str  # "legal_representative" | "agent"
    licences: list[Licence] = field(default_factory=list)

    @property
    def role_label(self) -> str:
        from django.utils.translation import gettext

        return gettext("法定代表人") if self.role == "legal_representative" else gettext("授权代办人")


def _company_licences(company: LegalPerson) -> QuerySet[Licence]:
    return services.wallet(company.user)


def _scopes(user: User) -> list[tuple[LegalPerson, str, Q | None]]:
    """(company, role, restriction) for every company ``user`` acts for now; ``None``: no restriction."""
    person = getattr(user, "natural_person", None)
    if person is None or user.kind != AccountKind.NATURAL:
        return []
    scopes: dict[int, tuple[LegalPerson, str, Q | None]] = {}
    for company in LegalPerson.objects.filter(legal_representative=person).select_related("user"):
        scopes[company.pk] = (company, "legal_representative", None)
    authorisations = (
        AgentAuthorisation.objects.filter(
            agent=person, revoked_at__isnull=True, valid_until__gt=timezone.now()
        )
        .select_related("company__user")
        .prefetch_related("items")
    )
    for authorisation in authorisations:
        company = authorisation.company
        if company.pk in scopes and scopes[company.pk][2] is None:
            continue
        if authorisation.all_items:
            restriction: Q | None = None
        else:
            items = [item.pk for item in authorisation.items.all()]
            restriction = Q(source_case__item__in=items) | Q(source_case__item__revision_of__in=items)
            if company.pk in scopes:
                restriction = restriction | scopes[company.pk][2]  # type: ignore[operator]
        scopes[company.pk] = (company, "agent", restriction)
    return list(scopes.values())


def _visible(company: LegalPerson, restriction: Q | None) -> QuerySet[Licence]:
    licences = _company_licences(company)
    return licences if restriction is None else licences.filter(restriction)


def represented_licences(user: User, limit: int = 200) -> list[Represented]:
    """The companies ``user`` acts for, each with the licences he may open (for the wallet page)."""
    found = []
    for company, role, restriction in _scopes(user):
        found.append(Represented(company, role, list(_visible(company, restriction)[:limit])))
    return found


def licence_for_viewer(user: User, public_id: uuid.UUID | str) -> tuple[Licence, LegalPerson | None]:
    """The licence ``user`` may open: his own, or (second) a company's he acts for; 404 otherwise."""
    own = services.wallet(user).filter(public_id=public_id).first()
    if own is not None:
        return own, None
    for company, _role, restriction in _scopes(user):
        licence = _visible(company, restriction).filter(public_id=public_id).first()
        if licence is not None:
            return licence, company
    raise NotFound("未找到该电子证照", code=LicenceErrorCode.NOT_FOUND)
