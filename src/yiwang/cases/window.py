"""窗口登记 Walk-in applications registered by a window clerk.

The clerk checks the applicant's identity document in person, looks the citizen up by ID number and,
when the citizen has no account, creates an *offline applicant record* (线下申请人): a natural-person
account with no password (it cannot log in) and no online assurance level, marked as not verified
against the population base.  The citizen can later register online with the same ID number through
the normal identity checks; the case stays his.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from yiwang.accounts.models import User
from yiwang.accounts.services import staff_roles, walk_in_applicant
from yiwang.cases.documents import case_context, issue_document
from yiwang.cases.errors import CaseErrorCode
from yiwang.cases.models import Case, DocumentKind
from yiwang.cases.services.delivery import validate_choice
from yiwang.cases.services.filing import submit_application
from yiwang.cases.transitions import actor_label
from yiwang.catalog.models import ServiceItem
from yiwang.core.errors import PermissionDenied


def require_window_clerk(clerk: User) -> None:
    if "window_clerk" not in staff_roles(clerk):
        raise PermissionDenied("只有窗口人员可以登记窗口申请", code=CaseErrorCode.ROLE_REQUIRED)


def applicant_for_walk_in(*, clerk: User, name: str, id_number: str, phone: str = "") -> User:
    """The account a walk-in application is filed for: the existing citizen or company, or a new
    offline applicant record (created by the accounts app).  The name must match the one on record
    (the clerk typed the card)."""
    require_window_clerk(clerk)
    return walk_in_applicant(clerk=clerk, name=name, id_number=id_number, phone=phone)


def register_walk_in(
    *,
    clerk: User,
    item: ServiceItem,
    applicant_name: str,
    applicant_id_number: str,
    applicant_phone: str = "",
    form_data: Mapping[str, Any],
    files: Mapping[str, Sequence[UploadedFile]],
    delivery_method: str = "window",
    delivery_address: str = "",
    idempotency_key: str = "",
) -> Case:
    """登记 The whole window registration: applicant, application (channel window, registered_by the
    clerk), delivery choice and the receipt (收件回执)."""
    require_window_clerk(clerk)
    method, address, _ = validate_choice(delivery_method, delivery_address)
    applicant = applicant_for_walk_in(
        clerk=clerk, name=applicant_name, id_number=applicant_id_number, phone=applicant_phone
    )
    with transaction.atomic():
        case = submit_application(
            applicant=applicant,
            item=item,
            form_data=form_data,
            files=files,
            delivery_method=method,
            registered_by=clerk,
            idempotency_key=idempotency_key,
            record_delivery=True,
            delivery_address=address,
        )
        if not case.documents.filter(kind=DocumentKind.RECEIPT).exists():
            issue_document(
                DocumentKind.RECEIPT,
                case_context(
                    case,
                    clerk=actor_label(clerk),
                    material_count=case.materials.count(),
                ),
                organisation=case.handling_organisation,
                number=case.number,
                case=case,
            )
    return case
