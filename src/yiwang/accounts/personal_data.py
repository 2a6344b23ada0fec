"""Who reads personal data, as its subject sees it (个人信息查阅记录): a staff member's name, roles and
department for :mod:`yiwang.core.personal_data`, and how a reader is shown to the subject.

The name is stored in full (the auditor needs it) and shown to the subject masked to the surname
(``王**``) with the role and the department — enough to ask the department, not to find the person.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from yiwang.accounts.models import AccountKind, StaffRole, User
from yiwang.accounts.roles import assignments_of
from yiwang.core import personal_data
from yiwang.core.masking import mask_name
from yiwang.core.personal_data import Read, Reader


def reader_of(user: User) -> Reader:
    """The staff member (or other account) ``user`` as a reader: name, role labels, department.

    The roles come from :func:`assignments_of` (read once per request); the profile from the user
    object (already loaded by the pages' and the API's staff checks)."""
    profile = getattr(user, "staff_profile", None) if user.kind == AccountKind.STAFF else None
    roles = sorted({str(StaffRole(a.role).label) for a in assignments_of(user) if a.role in StaffRole.values})
    return Reader(
        user=user,
        name=(profile.real_name if profile else "") or user.display_name or user.username,
        role="、".join(roles),
        organisation_id=profile.organisation_id if profile else None,
    )


def record_staff_reads(
    user: User, reads: Iterable[Read], *, unmasked: bool = False, purpose: str = ""
) -> int:
    """Record reads of personal data by ``user`` (:func:`yiwang.core.personal_data.record_reads`)."""
    return personal_data.record_reads(reader_of(user), reads, unmasked=unmasked, purpose=purpose)


def shown_reader_name(name: str) -> str:
    """The reader's name as the data subject sees it: the surname only."""
    return mask_name(name)


def access_rows(accesses: Iterable[Any]) -> list[dict[str, Any]]:
    """The subject's view of access-log rows (department, masked reader, role, time, purpose)."""
    return [
        {
            "id": access.pk,
            "occurred_at": access.occurred_at,
            "department": (access.organisation.short_name or access.organisation.name)
            if access.organisation_id
            else "",
            "reader": shown_reader_name(access.actor_name),
            "role": access.actor_role,
            "object_type": access.object_type,
            "object_label": access.object_label,
            "fields": list(access.fields or []),
            "unmasked": access.unmasked,
            "channel": access.channel,
            "purpose": access.purpose,
        }
        for access in accesses
    ]
