"""窗口登记 Walk-in applications registered by a window clerk.

The clerk checks the applicant's identity document in person, looks the citizen up by ID number and,
when the citizen has no account, creates an *offline applicant record* (线下申请人): a natural-person
account with no password (it cannot log in) and no online assurance level, marked as not verified
against the population base.  The citizen can later register online with the same ID number through
the normal identity checks; the case stays his.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from yiwang.accounts.models import AccountKind, AssuranceLevel, LegalPerson, NaturalPerson, User
from yiwang.accounts.services import staff_roles
from yiwang.cases.errors import CaseErrorCode
from yiwang.cases.models import Case
from yiwang.catalog.models import ServiceItem
from yiwang.core import audit
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.identifiers import IdentifierError, validate_credit_code, validate_id_number


def require_window_clerk(clerk: User) -> None:
    if "window_clerk" not in staff_roles(clerk):
        raise PermissionDenied("只有窗口人员可以登记窗口申请", code=CaseErrorCode.ROLE_REQUIRED)


def find_applicant(id_number: str) -> User | None:
    """An existing applicant by 公民身份号码 or 统一社会信用代码 (18 characters either way)."""
    value = (id_number or "").strip().upper()
    person = NaturalPerson.objects.select_related("user").filter(id_number=value).first()
    if person is not None:
        return person.user
    company = LegalPerson.objects.select_related("user").filter(credit_code=value).first()
    return company.user if company is not None else None


def applicant_for_walk_in(*, clerk: User, name: str, id_number: str, phone: str = "") -> User:
    """The account a walk-in application is filed for: the existing citizen or company, or a new
    offline applicant record.  The name must match the one on record (the clerk typed the card)."""
    require_window_clerk(clerk)
    name = (name or "").strip()
    if not name:
        raise DomainError(
            CaseErrorCode.APPLICANT_IDENTITY_INVALID, "请填写申请人姓名", {"applicant_name": ["必填"]}
        )
    existing = find_applicant(id_number)
    if existing is not None:
        from yiwang.accounts.services import applicant_identity

        if applicant_identity(existing)[0] != name:
            raise DomainError(
                CaseErrorCode.APPLICANT_IDENTITY_INVALID,
                "申请人姓名与该证件号码登记的姓名不一致，请核对证件",
                {"applicant_name": ["与登记信息不一致"]},
            )
        return existing
    value = (id_number or "").strip().upper()
    try:
        number = validate_id_number(value).normalized
    except IdentifierError as exc:
        try:
            validate_credit_code(value)
        except IdentifierError:
            raise DomainError(
                CaseErrorCode.APPLICANT_IDENTITY_INVALID,
                str(exc),
                {"applicant_id_number": [str(exc)]},
            ) from exc
        raise DomainError(
            CaseErrorCode.APPLICANT_IDENTITY_INVALID,
            "该单位尚未注册法人账户，请引导其先办理法人注册",
            {"applicant_id_number": ["未注册的统一社会信用代码"]},
        ) from exc
    phone = (phone or "").strip()
    if phone and (len(phone) != 11 or not phone.isdigit()):
        raise DomainError(
            CaseErrorCode.APPLICANT_IDENTITY_INVALID, "手机号不正确", {"applicant_phone": [phone[:20]]}
        )
    if phone and User.objects.filter(phone=phone).exclude(kind=AccountKind.STAFF).exists():
        phone = ""  # the number belongs to another account: notify nobody rather than the wrong person
    try:
        with transaction.atomic():
            user = User(
                username=f"offline_{number}_{secrets.token_hex(3)}",
                kind=AccountKind.NATURAL,
                phone=phone,
                display_name=name,
                assurance_level=AssuranceLevel.ANONYMOUS,
            )
            user.set_unusable_password()
            user.save()
            NaturalPerson.objects.create(
                user=user, real_name=name, id_number=number, verified_against_population_base=False
            )
            audit.record(
                "account.offline_applicant_created", actor=clerk, obj=user, detail={"channel": "window"}
            )
    except IntegrityError:  # registered a moment ago by someone else
        existing = find_applicant(number)
        if existing is None:
            raise
        return existing
    return user


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
    from yiwang.cases import delivery, services
    from yiwang.cases.documents import case_context, issue_document
    from yiwang.cases.models import DocumentKind

    require_window_clerk(clerk)
    method, address, _ = delivery.validate_choice(delivery_method, delivery_address)
    applicant = applicant_for_walk_in(
        clerk=clerk, name=applicant_name, id_number=applicant_id_number, phone=applicant_phone
    )
    with transaction.atomic():
        case = services.submit_application(
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
                    clerk=services._actor_label(clerk),
                    material_count=case.materials.count(),
                ),
                organisation=case.handling_organisation,
                number=case.number,
                case=case,
            )
    return case
