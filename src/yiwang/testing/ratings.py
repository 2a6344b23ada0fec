"""Test data of ratings (shared with the browser tests): the supervision world plus completed cases
with their invitations, rectification rules and reasons."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from yiwang.accounts.models import User
from yiwang.cases.models import Case, CaseStatus
from yiwang.cases.signals import case_completed
from yiwang.catalog.models import ServiceItem
from yiwang.ratings.models import RatingInvitation, SubjectKind
from yiwang.testing.supervision import NOW, World, make_case, make_world

__all__ = ["NOW", "World", "complete_case", "make_world"]


def complete_case(item: ServiceItem, applicant: User, *, completed_at: datetime = NOW) -> RatingInvitation:
    """A case completed at ``completed_at`` (the ``case_completed`` signal sent as the decision
    service sends it) and the invitation ratings made for it."""
    with transaction.atomic():
        case: Case = make_case(
            item, applicant, status=CaseStatus.COMPLETED, submitted_at=completed_at, completed_at=completed_at
        )
        case_completed.send(sender=Case, case=case, actor=None)
    return RatingInvitation.objects.get(subject_kind=SubjectKind.CASE, subject_id=case.public_id)
