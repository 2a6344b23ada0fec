"""Holders' personal data in the staff look-up and use of e-licences (一证通办), pages and API alike:
a person's name masked on the look-up, every look-up and use recorded in the holder's access log
(:mod:`yiwang.core.personal_data`; the holder sees it under 个人信息查阅记录)."""

from __future__ import annotations

from collections.abc import Iterable

from yiwang.accounts.models import User
from yiwang.accounts.personal_data import record_staff_reads
from yiwang.core.masking import mask_name
from yiwang.core.personal_data import LICENCE, NAME, Read
from yiwang.licences.models import HolderCodeType, Licence


def holder_name_shown(licence: Licence) -> str:
    """A person's name masked to the surname; a company's name (public) as it is."""
    if licence.holder_code_type == HolderCodeType.CREDIT_CODE:
        return licence.holder_name
    return mask_name(licence.holder_name)


def _read(licence: Licence, field: str) -> Read:
    return Read(
        licence.holder_user_id or 0, "licence", str(licence.public_id), licence.licence_type.name, (field,)
    )


def record_lookup(user: User, licences: Iterable[Licence]) -> None:
    """A look-up showed these licences' holders (masked): one insert for all."""
    record_staff_reads(user, [_read(licence, NAME) for licence in licences if licence.holder_user_id])


def record_use(user: User, licence: Licence, purpose: str) -> None:
    """用证: the licence's data was shown in full, for ``purpose``."""
    if licence.holder_user_id:
        record_staff_reads(user, [_read(licence, LICENCE)], unmasked=True, purpose=purpose)
