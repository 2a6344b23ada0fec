"""Hooks ratings connects to in ``RatingsConfig.ready``: every completed case (办结) gets an invitation."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from yiwang.cases.models import Case
from yiwang.core.models import Region
from yiwang.ratings.models import SubjectKind
from yiwang.ratings.services.invitations import invite


def on_case_completed(sender: Any, *, case: Case, actor: Any = None, **_: Any) -> None:
    """Inside the completing transaction: one insert (and an after-commit notification)."""
    organisation = case.handling_organisation
    region_code = Region.objects.filter(pk=organisation.region_id).values_list("full_code", flat=True).first()
    invite(
        subject_kind=SubjectKind.CASE,
        subject_id=case.public_id,
        subject_label=f"{case.item.name}（{case.number}）",
        organisation=organisation,
        item=case.item,
        region_code=region_code or "",
        applicant=case.applicant,
        served_at=case.completed_at or timezone.now(),
    )
