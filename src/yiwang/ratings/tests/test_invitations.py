"""Invitations: every completed case gets one, the invite service is idempotent, the applicant is told."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection, transaction

from yiwang.accounts.models import InboxMessage
from yiwang.core.errors import DomainError
from yiwang.ratings.models import InvitationStatus, RatingInvitation, SubjectKind
from yiwang.ratings.services import invite
from yiwang.testing.ratings import NOW, World, complete_case


def test_case_completion_makes_an_invitation_and_tells_the_applicant(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation = complete_case(world.item, world.citizen)
    assert invitation.status == InvitationStatus.PENDING
    assert invitation.organisation == world.department
    assert invitation.item == world.item
    assert invitation.applicant == world.citizen
    assert invitation.region_code == world.department.region.full_code
    assert len(invitation.token) >= 40
    message = InboxMessage.objects.get(user=world.citizen, link=f"/rate/{invitation.token}/")
    assert f"/rate/{invitation.token}/" in message.body and message.body.startswith("您的")
    invitation.refresh_from_db()
    assert invitation.notified_at is not None


def test_invite_is_idempotent(world: World) -> None:
    subject = uuid.uuid4()
    kwargs = {
        "subject_kind": SubjectKind.TICKET,
        "subject_id": subject,
        "subject_label": "12345 工单",
        "organisation": world.department,
        "item": None,
        "region_code": "340100000000",
        "applicant": None,
        "phone": "13800000001",
        "served_at": NOW,
    }
    with transaction.atomic():
        first = invite(**kwargs)  # type: ignore[arg-type]
        second = invite(**kwargs)  # type: ignore[arg-type]
    assert first.pk == second.pk and first.token == second.token
    assert RatingInvitation.objects.filter(subject_id=subject).count() == 1
    assert RatingInvitation.objects.get(phone="13800000001").pk == first.pk


def test_unknown_subject_kind_is_refused(world: World) -> None:
    with pytest.raises(DomainError) as exc:
        invite(
            subject_kind="parcel",
            subject_id=uuid.uuid4(),
            subject_label="x",
            organisation=world.department,
            item=None,
            region_code="",
            applicant=None,
            served_at=NOW,
        )
    assert exc.value.code == "ratings_invalid_subject"


def test_the_phone_is_encrypted_at_rest(world: World) -> None:
    invitation = invite(
        subject_kind=SubjectKind.TICKET,
        subject_id=uuid.uuid4(),
        subject_label="12345 工单",
        organisation=world.department,
        item=None,
        region_code=world.department.region.full_code,
        applicant=None,
        phone="13912345678",
        served_at=NOW,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM ratings_ratinginvitation WHERE id = %s", [invitation.pk])
        (raw,) = cursor.fetchone()
    assert raw.startswith("yw1$") and "5678" not in raw
    assert RatingInvitation.objects.get(pk=invitation.pk).phone == "13912345678"
