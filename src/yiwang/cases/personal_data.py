"""A case's personal data in the staff API: masked by default, in full on a permitted ``?unmask=1``
with a ``purpose``, and every answer recorded in the access log (:mod:`yiwang.core.personal_data`).

The detail body is shared with the applicant's own answer (and stored as a snapshot, ADR 0002), so
masking is applied to the staff answer after it is built: the applicant's name (a person's, not a
company's), the form data (:func:`yiwang.core.masking.mask_form`), the delivery address and the
recipient's name.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.http import HttpResponse

from yiwang.accounts.models import User
from yiwang.accounts.personal_data import record_staff_reads
from yiwang.cases.models import Case
from yiwang.cases.schemas import CaseDetailOut
from yiwang.core import personal_data
from yiwang.core.errors import NotFound
from yiwang.core.masking import mask_address, mask_form, mask_name
from yiwang.core.personal_data import Read

COMPANY_ID_TYPE = "统一社会信用代码"  # accounts.reads.applicant_identity
DETAIL_FIELDS = (personal_data.NAME, personal_data.FORM, personal_data.ADDRESS)


def _masked_fields(data: dict[str, Any], *, natural: bool) -> dict[str, Any]:
    """The personal fields of a detail (as plain data), masked."""
    update: dict[str, Any] = {"form_data": mask_form(data.get("form_data"))}
    if natural:
        update["applicant_name"] = mask_name(data.get("applicant_name"))
    delivery = data.get("delivery")
    if delivery:
        update["delivery"] = {
            **delivery,
            "address": mask_address(delivery.get("address")),
            "recipient_name": mask_name(delivery.get("recipient_name")),
        }
    return update


def masked_detail(out: CaseDetailOut, case: Case) -> CaseDetailOut:
    """An action's answer (the case's detail) with its personal data masked."""
    natural = case.applicant_id_type != COMPANY_ID_TYPE
    update = _masked_fields(
        out.model_dump(include={"applicant_name", "form_data", "delivery"}), natural=natural
    )
    if out.delivery is not None:
        update["delivery"] = out.delivery.model_copy(update=update["delivery"])
    return out.model_copy(update=update)


def staff_detail_response(
    user: User, case_id: UUID, response: HttpResponse, *, purpose: str | None
) -> HttpResponse:
    """The staff answer of ``GET /workbench/cases/{id}``: masked unless ``purpose`` (a permitted
    unmask), and recorded (one read of the case's subject and number, one insert)."""
    row = (
        Case.objects.filter(public_id=case_id)
        .values_list("applicant_id", "number", "applicant_id_type")
        .first()
    )
    if row is None:  # pragma: no cover — the detail was just read
        raise NotFound("未找到该办件")
    applicant_id, number, id_type = row
    record_staff_reads(
        user,
        [Read(applicant_id, "case", str(case_id), number, DETAIL_FIELDS)],
        unmasked=purpose is not None,
        purpose=purpose or "",
    )
    if purpose is not None:
        return response
    data = json.loads(response.content)
    data.update(_masked_fields(data, natural=id_type != COMPANY_ID_TYPE))
    masked = HttpResponse(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        content_type=response.get("Content-Type", "application/json"),
        status=response.status_code,
    )
    return masked
