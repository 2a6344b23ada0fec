"""Personal data on workbench pages: masked by default, in full on an explicit, permitted request, and
every showing recorded (:mod:`yiwang.core.personal_data`).

A page asks :func:`unmask_request` whether the request asked for the full data (``?unmask=1`` with
a ``purpose``, sent by the "显示完整信息" form); it refuses (403) without the permission and (400)
without a purpose.  :func:`applicant_shown` gives what the page shows of the applicant;
:func:`record_case_read` writes the one access-log row of the answer.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest

from yiwang.accounts.models import User
from yiwang.accounts.personal_data import record_staff_reads
from yiwang.cases.models import Case
from yiwang.cases.personal_data import COMPANY_ID_TYPE
from yiwang.core import personal_data
from yiwang.core.masking import mask_address, mask_form, mask_id_number, mask_name, mask_phone
from yiwang.core.personal_data import Read

CASE_FIELDS = (
    personal_data.NAME,
    personal_data.ID_NUMBER,
    personal_data.PHONE,
    personal_data.FORM,
    personal_data.ADDRESS,
)


def unmask_request(
    request: HttpRequest, user: User, obj: Any, fields: tuple[str, ...] = CASE_FIELDS
) -> str | None:
    """The purpose of an explicit, permitted request to show ``obj``'s personal data in full, or
    None when the request did not ask (``unmask`` absent).  Refusals raise (and are audited)."""
    params = request.POST if request.method == "POST" else request.GET
    if not personal_data.wants_unmask(params.get("unmask")):
        return None
    return personal_data.check_unmask(user, purpose=params.get("purpose", ""), obj=obj, fields=fields)


def _delivery(case: Case) -> Any:
    try:
        return case.delivery  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None


def applicant_shown(case: Case, *, unmasked: bool = False) -> dict[str, Any]:
    """The applicant's data as the page shows it (masked unless ``unmasked``)."""
    delivery = _delivery(case)
    address = getattr(delivery, "address", "") or ""
    recipient = getattr(delivery, "recipient_name", "") or ""
    if unmasked:
        return {
            "unmasked": True,
            "applicant_name": case.applicant_name,
            "masked_id_number": case.applicant_id_number,
            "masked_phone": case.applicant_phone,
            "delivery_address": address,
            "recipient_name": recipient,
        }
    natural = case.applicant_id_type != COMPANY_ID_TYPE
    return {
        "unmasked": False,
        # A company's name is public (营业执照); a person's is masked to the surname.
        "applicant_name": mask_name(case.applicant_name) if natural else case.applicant_name,
        "masked_id_number": mask_id_number(case.applicant_id_number) if case.applicant_id_number else "",
        "masked_phone": mask_phone(case.applicant_phone),
        "delivery_address": mask_address(address),
        "recipient_name": mask_name(recipient),
    }


def form_values(case: Case, *, unmasked: bool = False) -> dict[str, Any]:
    """The case's form data as the page shows it."""
    return dict(case.form_data or {}) if unmasked else mask_form(case.form_data)


def record_case_read(user: User, case: Case, *, purpose: str | None = None) -> None:
    """One access-log row: ``user`` was shown the applicant's data of ``case``."""
    record_staff_reads(
        user,
        [Read(case.applicant_id, "case", str(case.public_id), case.number, CASE_FIELDS)],
        unmasked=purpose is not None,
        purpose=purpose or "",
    )
