"""Retention (保留规则) of the material store: what may be deleted when.

An entry may be deleted by its owner (or whoever acts for the owning company) unless a case that
uses it is still undecided: the case it was submitted with or is the result of, and every case it
was reused in (``CaseMaterial.store_reference``).  Deletion is soft and never touches a case's copy.
"""

from __future__ import annotations

from django.db.models import Q

from yiwang.cases.models import TERMINAL_STATUSES, Case, CaseMaterial
from yiwang.space.models import StoredMaterial


def cases_using(entry: StoredMaterial) -> list[Case]:
    """The cases that use ``entry``, newest first (bounded)."""
    reused_in = CaseMaterial.objects.filter(store_reference=entry.public_id).values("case_id")
    condition = Q(pk__in=reused_in)
    if entry.case_id is not None:
        condition |= Q(pk=entry.case_id)
    return list(
        Case.objects.filter(condition)
        .select_related("item")
        .only("public_id", "number", "status", "submitted_at", "item__name", "handling_organisation_id")
        .order_by("-submitted_at")[:50]
    )


def undecided_cases(entry: StoredMaterial) -> list[Case]:
    """The cases using ``entry`` that are not decided yet (they block deletion)."""
    return [case for case in cases_using(entry) if case.status not in TERMINAL_STATUSES]
