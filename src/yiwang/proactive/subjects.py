"""Who a platform account is in the bases: the digests its pushes and grants are keyed by.

A natural person is its ID number's digest (``NaturalPerson.id_number_digest``: the same canonical
form and digest as the population base and the bases' change log); a company account is its credit
code's digest; a staff account is nobody.
"""

from __future__ import annotations

from typing import Any

from yiwang.accounts.models import AccountKind, LegalPerson, NaturalPerson
from yiwang.core.protected import protected_digest


def subject_digest(user: Any) -> str:
    """The subject digest of an applicant account (``""`` for staff or an account without identity)."""
    if not getattr(user, "is_authenticated", False) or user.kind == AccountKind.STAFF:
        return ""
    cached = getattr(user, "_proactive_subject", None)
    if cached is not None:
        return str(cached)
    digest = ""
    if user.kind == AccountKind.LEGAL:
        code = LegalPerson.objects.filter(user=user).values_list("credit_code", flat=True).first()
        digest = protected_digest(code, "code") if code else ""
    else:
        found = NaturalPerson.objects.filter(user=user).values_list("id_number_digest", flat=True).first()
        digest = found or ""
    user._proactive_subject = digest
    return digest


def company_digest(credit_code: str) -> str:
    return protected_digest(credit_code, "code")


def users_by_digest(person_digests: list[str], company_codes: dict[str, str]) -> dict[str, int]:
    """Accounts of these subjects: person digests → user id, and companies (digest → credit code)."""
    found: dict[str, int] = {}
    for start in range(0, len(person_digests), 500):
        chunk = person_digests[start : start + 500]
        for digest, user_id in NaturalPerson.objects.filter(id_number_digest__in=chunk).values_list(
            "id_number_digest", "user_id"
        ):
            found[str(digest)] = user_id
    by_code = {code: digest for digest, code in company_codes.items()}
    codes = list(by_code)
    for start in range(0, len(codes), 500):
        for code, user_id in LegalPerson.objects.filter(
            credit_code__in=codes[start : start + 500]
        ).values_list("credit_code", "user_id"):
            found[by_code[code]] = user_id
    return found
