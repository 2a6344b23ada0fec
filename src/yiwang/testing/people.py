"""People for tests: the one ``make_citizen`` and ``make_staff`` of the suite.

Each app's test modules used to define their own with different defaults; those defaults are now
explicit keyword arguments (see the presets in :mod:`yiwang.testing.cases`, ``.catalog``, ``.portal``
and ``.accounts``), so every test keeps the people it had.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from yiwang.accounts.models import (
    AccountKind,
    AssuranceLevel,
    NaturalPerson,
    StaffProfile,
    StaffRoleAssignment,
    User,
)
from yiwang.accounts.services import create_natural_person_account, create_staff_account
from yiwang.core.identifiers import make_id_number
from yiwang.core.models import Organisation

PASSWORD = "Yiwang@2026"  # noqa: S105 - the password of every test account
_serial = itertools.count()


def make_user(username: str, kind: str = AccountKind.NATURAL, **extra: Any) -> User:
    """A bare account written directly (no services, no audit): for tests of what happens around it."""
    user: User = User.objects.create_user(username=username, password=PASSWORD, kind=kind, **extra)
    return user


def make_citizen(
    username: str = "citizen",
    *,
    level: int = AssuranceLevel.PRIMARY,
    real_name: str = "张伟",
    phone: str | None = None,
    phone_prefix: str = "139",
    birth_date: date = date(1990, 5, 12),
    sequence: int | None = None,
    serial: Iterator[int] | None = None,
    sequence_offset: int = 100,
    through_services: bool = True,
) -> User:
    """A natural person (自然人) with a valid ID number.

    ``through_services`` creates it as registration does (audited, phone verified); ``False`` writes
    the rows directly.  ``serial`` is the counter the ID numbers and phones are drawn from.
    """
    n = next(serial if serial is not None else _serial)
    number = make_id_number("340104", birth_date, sequence if sequence is not None else sequence_offset + n)
    phone = phone or f"{phone_prefix}{n:08d}"
    if through_services:
        return create_natural_person_account(
            username=username,
            password=PASSWORD,
            real_name=real_name,
            id_number=number,
            phone=phone,
            assurance_level=level,
        )
    user = make_user(
        username, AccountKind.NATURAL, assurance_level=level, phone=phone, display_name=real_name
    )
    NaturalPerson.objects.create(user=user, real_name=real_name, id_number=number)
    return user


def make_staff(
    organisation: Organisation,
    username: str,
    roles: Sequence[str] = (),
    real_name: str = "",
    *,
    through_services: bool = True,
    **kwargs: Any,
) -> User:
    """A staff member (工作人员) of ``organisation`` with ``roles`` (department data scope)."""
    if through_services:
        return create_staff_account(
            username=username,
            password=PASSWORD,
            real_name=real_name or username,
            organisation=organisation,
            roles=list(roles),
            **kwargs,
        )
    user = make_user(
        username, AccountKind.STAFF, assurance_level=AssuranceLevel.INTERMEDIATE, display_name=username
    )
    profile = StaffProfile.objects.create(
        user=user, organisation=organisation, real_name=real_name or username
    )
    StaffRoleAssignment.objects.bulk_create([StaffRoleAssignment(staff=profile, role=role) for role in roles])
    return user
