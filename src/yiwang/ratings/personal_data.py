"""The applicant's contact on a rectification (for the call back): shown to staff masked, every
read recorded in the access log (``core.personal_data``), as cases do."""

from __future__ import annotations

from yiwang.accounts.models import User
from yiwang.accounts.personal_data import record_staff_reads
from yiwang.core import personal_data
from yiwang.core.masking import mask_phone
from yiwang.core.personal_data import Read
from yiwang.ratings.models import Rectification


def masked_contact(user: User, rect: Rectification) -> str:
    """The masked phone of the rated service's applicant; the read is logged."""
    invitation = rect.invitation
    applicant = invitation.applicant
    phone = invitation.phone or (applicant.phone if applicant is not None else "")
    if not phone:
        return ""
    if applicant is not None:
        record_staff_reads(
            user,
            [
                Read(
                    applicant.pk,
                    "ratings.Rectification",
                    str(rect.public_id),
                    invitation.subject_label,
                    (personal_data.PHONE,),
                )
            ],
        )
    return mask_phone(phone)
