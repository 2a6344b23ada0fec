"""Reads of personal data (个人信息访问记录) and unmasking (查看完整信息).

Staff see personal data masked (:mod:`yiwang.core.masking`).  Two rules hold for every page and API
answer that shows it to anyone but its subject:

* **Every read is recorded** — :func:`record_reads`: who (account, name, role, department), when,
  whose data (the subject's account), which object and fields, masked or in full, the channel and
  IP of the request, the purpose when one was given.  One insert per answer (a list: one bulk insert
  for all its rows).  The subject sees his rows (我的空间 → 个人信息查阅记录, ``GET
  /api/v1/accounts/me/data-access-log``).
* **Full values need a permission and a reason** — :func:`check_unmask`: the Django permission
  ``core.view_personal_data_unmasked`` (:data:`UNMASK_PERMISSION`, granted to a user or a group by
  the security administrator), asked for explicitly (``?unmask=1`` on the API, the "显示完整信息"
  button on a page) with a purpose; refusals and grants both leave an audit entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone

from yiwang.core import audit, request_context
from yiwang.core.errors import CoreErrorCode, DomainError, PermissionDenied
from yiwang.core.models import PersonalDataAccess

UNMASK_PERMISSION = "core.view_personal_data_unmasked"
PURPOSE_MAX = 300

# Field names recorded in ``PersonalDataAccess.fields`` (what a screen showed).
NAME = "name"
ID_NUMBER = "id_number"
PHONE = "phone"
ADDRESS = "address"
FORM = "form_data"
LICENCE = "licence_data"


@dataclass(frozen=True)
class Read:
    """One object whose personal data an answer showed, and whose data it is."""

    subject_id: int
    object_type: str
    object_id: str
    object_label: str = ""
    fields: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class Reader:
    """Who read: the account and, as the subject will see it, the name, role and department."""

    user: Any
    name: str = ""
    role: str = ""
    organisation_id: int | None = None


def may_unmask(user: Any) -> bool:
    """Whether ``user`` holds the permission to see personal data in full."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(UNMASK_PERMISSION))


def wants_unmask(value: Any) -> bool:
    """Whether a query or form value asks for the full data (``1``, ``true``, ``yes``, ``on``)."""
    return str(value or "").strip().lower() in {"1", "true", "yes", "on"}


def check_unmask(
    user: Any,
    *,
    purpose: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    fields: Sequence[str] = (),
) -> str:
    """Allow an explicit request to see ``obj``'s personal data in full, or refuse it.

    Refuses without the permission (403) or without a purpose (400); both refusals and the grant
    are audited.  Answers the cleaned purpose."""
    purpose = " ".join((purpose or "").split())[:PURPOSE_MAX]
    if not may_unmask(user):
        audit.record(
            "personal_data.unmask_refused",
            actor=user,
            obj=obj,
            object_type=object_type,
            object_id=object_id,
            detail={"fields": list(fields)},
        )
        raise PermissionDenied("您没有查看完整个人信息的权限")
    if not purpose:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR,
            "查看完整个人信息须填写事由",
            {"purpose": ["请填写查看事由"]},
        )
    audit.record(
        "personal_data.unmasked",
        actor=user,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        detail={"fields": list(fields), "purpose": purpose},
    )
    return purpose


def record_reads(reader: Reader, reads: Iterable[Read], *, unmasked: bool = False, purpose: str = "") -> int:
    """Record that ``reader`` was shown the personal data of ``reads`` (one insert for all).

    Reads of the reader's own data are not recorded (the subject seeing himself).  Answers how many
    rows were written."""
    ctx = request_context.current()
    now = timezone.now()
    ip = audit.normalise_ip(ctx.ip_address)
    actor_id = reader.user.pk
    rows = [
        PersonalDataAccess(
            occurred_at=now,
            subject_id=read.subject_id,
            actor_id=actor_id,
            actor_name=reader.name[:200],
            actor_role=reader.role[:200],
            organisation_id=reader.organisation_id,
            object_type=read.object_type[:100],
            object_id=str(read.object_id)[:100],
            object_label=read.object_label[:200],
            fields=list(read.fields),
            unmasked=unmasked,
            channel=ctx.channel,
            ip_address=ip,
            purpose=purpose[:PURPOSE_MAX],
        )
        for read in reads
        if read.subject_id and read.subject_id != actor_id
    ]
    if len(rows) == 1:
        rows[0].save(force_insert=True)
    elif rows:
        PersonalDataAccess.objects.bulk_create(rows)
    return len(rows)


def reads_of(subject: Any) -> models.QuerySet[PersonalDataAccess]:
    """The reads of ``subject``'s data, newest first, with the reader's department (one query)."""
    return (
        PersonalDataAccess.objects.filter(subject_id=subject.pk)
        .select_related("organisation")
        .only(
            "id",
            "occurred_at",
            "actor_name",
            "actor_role",
            "object_type",
            "object_label",
            "fields",
            "unmasked",
            "channel",
            "purpose",
            "organisation__name",
            "organisation__short_name",
        )
    )


ORDERING = ("-occurred_at", "-id")
