"""E-licence API (/api/v1/licences): public verification and shared links, the holder's wallet
(licences, shares, authorisations, use log), and staff issuance, look-up, use and lifecycle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from yiwang.accounts.models import User
from yiwang.accounts.services import staff_roles
from yiwang.core.errors import DomainError, NotFound, PermissionDenied
from yiwang.core.models import Organisation
from yiwang.licences import personal_data as personal
from yiwang.licences import representation, services
from yiwang.licences.actions import allowed_actions, may_issue
from yiwang.licences.errors import LicenceErrorCode
from yiwang.licences.models import Licence, LicenceShare, LicenceType, LicenceUseConsent, LicenceUseRecord

router = Router(tags=["licences"])
MAX_PDF_BYTES = 20 * 1024 * 1024


# --- schemas -------------------------------------------------------------------------------------
class LicenceTypeOut(Schema):
    code: str
    name: str
    holder_type: str
    issuing_department_kind: str
    validity_years: int | None
    fields: list[dict[str, Any]]


class LicenceOut(Schema):
    id: UUID
    identifier: str
    type_code: str
    type_name: str
    version: int
    holder_name: str
    holder_code_masked: str
    issuer: str
    issuer_code: str
    issued_on: date
    valid_until: date | None
    status: str
    status_label: str
    trust_level: str = "A"


class LicenceDetailOut(LicenceOut):
    data: dict[str, Any]
    document_sha256: str
    verify_url: str
    allowed_actions: list[str] = Field(
        default_factory=list,
        description="What the caller may do with the licence now (download, share, use, revoke, ...)",
    )


class LicenceSignatureOut(Schema):
    signer: str
    organisation: str
    intact: bool
    valid: bool
    trusted: bool
    revoked: bool
    signed_at: datetime | None


class LicenceVerificationOut(Schema):
    ok: bool
    found: bool
    identifier: str | None
    status: str
    status_label: str
    current: bool
    data_ok: bool
    signature_ok: bool | None
    document_matches: bool | None
    type_name: str
    holder_name: str
    holder_code_masked: str
    issuer: str
    issued_on: date | None
    valid_until: date | None
    signatures: list[LicenceSignatureOut]
    error: str


class ShareIn(Schema):
    expiry: str = Field(pattern="^(1h|1d|7d)$", description="1h, 1d or 7d")


class ShareOut(Schema):
    id: UUID
    expires_at: datetime
    revoked_at: datetime | None
    view_count: int


class ShareCreatedOut(ShareOut):
    url: str


class SharedLicenceOut(Schema):
    licence: LicenceDetailOut
    verification: LicenceVerificationOut


class ConsentIn(Schema):
    organisation_id: UUID
    licence_id: UUID | None = None
    type_code: str | None = None
    valid_until: date


class ConsentOut(Schema):
    id: UUID
    organisation: str
    licence_identifier: str | None
    type_name: str | None
    valid_until: date
    revoked_at: datetime | None


class UseOut(Schema):
    id: UUID
    identifier: str
    type_name: str
    organisation: str
    purpose: str
    legal_basis: str
    by_consent: bool
    case_number: str = ""
    used_at: datetime


class IssueIn(Schema):
    type_code: str = Field(min_length=21, max_length=21)
    holder_name: str = Field(min_length=1, max_length=200)
    holder_code: str = Field(min_length=1, max_length=40)
    holder_code_type: str = "居民身份证"
    data: dict[str, Any]
    issuer_id: UUID | None = None


class UseIn(Schema):
    purpose: str = Field(min_length=1, max_length=300)
    legal_basis: str = Field(default="", max_length=300)


class UseResultOut(Schema):
    use_id: UUID
    trust_level: str
    licence: LicenceDetailOut


class LicenceReasonIn(Schema):
    reason: str = Field(default="", max_length=500)


class ChangeIn(Schema):
    reason: str = Field(min_length=1, max_length=500)
    data: dict[str, Any] = Field(default_factory=dict)
    holder_name: str | None = Field(default=None, max_length=200)


class ImportIn(Schema):
    records: list[dict[str, Any]]
    source: str = Field(default="", max_length=200)


class ImportOut(Schema):
    imported: int
    identifiers: list[str]


# --- helpers -------------------------------------------------------------------------------------
def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _staff(request: HttpRequest) -> User:
    user = _user(request)
    if not staff_roles(user):
        raise PermissionDenied("仅工作人员可以使用此接口", code=LicenceErrorCode.ROLE_REQUIRED)
    return user


def _out(licence: Licence) -> dict[str, Any]:
    return {
        "id": licence.public_id,
        "identifier": licence.identifier,
        "type_code": licence.licence_type.code,
        "type_name": licence.licence_type.name,
        "version": licence.version,
        "holder_name": licence.holder_name,
        "holder_code_masked": services.mask_id_number(licence.holder_code),
        "issuer": licence.issuer_name,
        "issuer_code": licence.issuer_code,
        "issued_on": licence.issued_on,
        "valid_until": licence.valid_until,
        "status": services.effective_status(licence),
        "status_label": services.status_label(services.effective_status(licence)),
    }


def _detail(licence: Licence, user: User | None = None) -> LicenceDetailOut:
    return LicenceDetailOut(
        **_out(licence),
        data=licence.data,
        document_sha256=licence.document_sha256,
        verify_url=services.verify_url(licence.identifier),
        allowed_actions=sorted(allowed_actions(user, licence)) if user is not None else [],
    )


def _verification_out(result: services.LicenceVerification) -> LicenceVerificationOut:
    licence = result.licence
    return LicenceVerificationOut(
        ok=result.ok,
        found=licence is not None,
        identifier=licence.identifier if licence else None,
        status=result.status,
        status_label=result.status_label,
        current=result.current,
        data_ok=result.data_ok,
        signature_ok=result.signature_ok,
        document_matches=result.document_matches,
        type_name=licence.licence_type.name if licence else "",
        holder_name=licence.holder_name if licence else "",
        holder_code_masked=result.masked_holder_code,
        issuer=licence.issuer_name if licence else "",
        issued_on=licence.issued_on if licence else None,
        valid_until=licence.valid_until if licence else None,
        signatures=[
            LicenceSignatureOut(
                signer=s.signer,
                organisation=s.organisation,
                intact=s.intact,
                valid=s.valid,
                trusted=s.trusted,
                revoked=s.revoked,
                signed_at=s.signed_at,
            )
            for s in result.signatures
        ],
        error=result.error,
    )


def _pdf(upload: UploadedFile) -> bytes:
    if (upload.size or 0) > MAX_PDF_BYTES:
        raise DomainError(
            LicenceErrorCode.INVALID_PDF, "文件超过 20 MB 上限", {"file": ["文件过大"]}, status=413
        )
    return upload.read()


def _share_out(share: LicenceShare) -> dict[str, Any]:
    return {
        "id": share.public_id,
        "expires_at": share.expires_at,
        "revoked_at": share.revoked_at,
        "view_count": share.view_count,
    }


# --- public --------------------------------------------------------------------------------------
@router.get(
    "/types", auth=None, response=list[LicenceTypeOut], summary="Licence catalogue (证照目录, public)"
)
def types(request: HttpRequest) -> list[LicenceTypeOut]:
    return [
        LicenceTypeOut(
            code=t.code,
            name=t.name,
            holder_type=t.holder_type,
            issuing_department_kind=t.issuing_department_kind,
            validity_years=t.validity_years,
            fields=t.fields,
        )
        for t in LicenceType.objects.filter(is_active=True).order_by("code")
    ]


@router.get(
    "/verify/{identifier}",
    auth=None,
    response=LicenceVerificationOut,
    summary="Verify a licence by identifier (public)",
)
def verify_by_identifier(
    request: HttpRequest, identifier: str, document: bool = False
) -> LicenceVerificationOut:
    return _verification_out(services.verify_identifier(identifier, check_document=document))


@router.post(
    "/verify", auth=None, response=LicenceVerificationOut, summary="Verify an uploaded licence PDF (public)"
)
def verify_upload(request: HttpRequest, file: UploadedFile = File(...)) -> LicenceVerificationOut:
    return _verification_out(services.verify_document(_pdf(file)))


@router.get(
    "/shared/{token}", auth=None, response=SharedLicenceOut, summary="Open a share link (public, logged)"
)
def shared(request: HttpRequest, token: str) -> SharedLicenceOut:
    share = services.open_share(
        token, ip_address=request.META.get("REMOTE_ADDR"), user_agent=request.META.get("HTTP_USER_AGENT", "")
    )
    return SharedLicenceOut(
        licence=_detail(share.licence),
        verification=_verification_out(services.verify_identifier(share.licence.identifier)),
    )


# --- the holder's wallet -------------------------------------------------------------------------
@router.get("/mine", response=list[LicenceOut], summary="My licences (持证人卡包)")
def mine(request: HttpRequest) -> list[LicenceOut]:
    return [LicenceOut(**_out(licence)) for licence in services.wallet(_user(request))[:500]]


class RepresentedCompanyOut(Schema):
    """一个我代表的单位 A company the user acts for, with the licences of it he may open."""

    company_name: str
    credit_code: str
    role: str = Field(description="legal_representative | agent")
    role_label: str
    licences: list[LicenceOut]


@router.get(
    "/represented",
    response=list[RepresentedCompanyOut],
    summary="Licences of the companies I act for (法定代表人/授权代办人, read only)",
)
def represented(request: HttpRequest) -> list[RepresentedCompanyOut]:
    return [
        RepresentedCompanyOut(
            company_name=entry.company.name,
            credit_code=entry.company.credit_code,
            role=entry.role,
            role_label=entry.role_label,
            licences=[LicenceOut(**_out(licence)) for licence in entry.licences],
        )
        for entry in representation.represented_licences(_user(request))
    ]


@router.get(
    "/mine/{uuid:licence_id}",
    response=LicenceDetailOut,
    summary="One of my licences, or of a company I act for (read only)",
)
def mine_detail(request: HttpRequest, licence_id: UUID) -> LicenceDetailOut:
    licence, _company = representation.licence_for_viewer(_user(request), licence_id)
    return _detail(licence, _user(request))


@router.get("/mine/{uuid:licence_id}/document", summary="Download my licence (stamped PDF)")
def mine_document(request: HttpRequest, licence_id: UUID) -> HttpResponse:
    user = _user(request)
    licence, _company = representation.licence_for_viewer(user, licence_id)
    services.record_download(licence, user)
    response = HttpResponse(services.document_bytes(licence), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="licence-{licence.serial}-{licence.version:03d}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/mine/{uuid:licence_id}/uses", response=list[UseOut], summary="Who used my licence when (用证记录)"
)
def mine_uses(request: HttpRequest, licence_id: UUID) -> list[UseOut]:
    licence = services.licence_for_holder(_user(request), licence_id)
    records = LicenceUseRecord.objects.filter(licence=licence).select_related(
        "organisation", "licence__licence_type", "case"
    )[:500]
    return [_use_out(r) for r in records]


def _use_out(record: LicenceUseRecord) -> UseOut:
    return UseOut(
        id=record.public_id,
        identifier=record.licence.identifier,
        type_name=record.licence.licence_type.name,
        organisation=record.organisation.name,
        purpose=record.purpose,
        legal_basis=record.legal_basis,
        by_consent=record.consent_id is not None,
        case_number=record.case.number if record.case is not None else "",
        used_at=record.used_at,
    )


@router.get("/uses", response=list[UseOut], summary="Every use of my licences")
def my_uses(request: HttpRequest) -> list[UseOut]:
    ids = services.wallet(_user(request)).values("pk")
    records = LicenceUseRecord.objects.filter(licence__in=ids).select_related(
        "organisation", "licence__licence_type", "case"
    )[:500]
    return [_use_out(r) for r in records]


@router.post(
    "/mine/{uuid:licence_id}/shares", response={201: ShareCreatedOut}, summary="Create a share link (亮证)"
)
def create_share(request: HttpRequest, licence_id: UUID, payload: ShareIn) -> Status[ShareCreatedOut]:
    user = _user(request)
    share, token = services.create_share(
        services.licence_for_holder(user, licence_id), user=user, expiry=payload.expiry
    )
    return Status(201, ShareCreatedOut(**_share_out(share), url=services.share_url(token)))


@router.get("/mine/{uuid:licence_id}/shares", response=list[ShareOut], summary="My share links of a licence")
def list_shares(request: HttpRequest, licence_id: UUID) -> list[ShareOut]:
    licence = services.licence_for_holder(_user(request), licence_id)
    return [ShareOut(**_share_out(s)) for s in licence.shares.all()[:200]]


@router.post("/shares/{uuid:share_id}/revoke", response=ShareOut, summary="Revoke a share link")
def revoke_share(request: HttpRequest, share_id: UUID) -> ShareOut:
    user = _user(request)
    share = LicenceShare.objects.select_related("licence").filter(public_id=share_id, created_by=user).first()
    if share is None:
        raise NotFound("分享链接不存在", code=LicenceErrorCode.NOT_FOUND)
    return ShareOut(**_share_out(services.revoke_share(share, user=user)))


def _consent_out(consent: LicenceUseConsent) -> ConsentOut:
    return ConsentOut(
        id=consent.public_id,
        organisation=consent.organisation.name,
        licence_identifier=consent.licence.identifier if consent.licence else None,
        type_name=consent.licence_type.name if consent.licence_type else None,
        valid_until=consent.valid_until,
        revoked_at=consent.revoked_at,
    )


@router.get("/consents", response=list[ConsentOut], summary="My authorisations to departments (用证授权)")
def consents(request: HttpRequest) -> list[ConsentOut]:
    qs = LicenceUseConsent.objects.filter(holder_user=_user(request)).select_related(
        "organisation", "licence", "licence_type"
    )
    return [_consent_out(c) for c in qs[:500]]


@router.post(
    "/consents", response={201: ConsentOut}, summary="Authorise a department to use a licence or type"
)
def grant(request: HttpRequest, payload: ConsentIn) -> Status[ConsentOut]:
    user = _user(request)
    organisation = Organisation.objects.filter(public_id=payload.organisation_id).first()
    if organisation is None:
        raise NotFound("机构不存在")
    licence = services.licence_for_holder(user, payload.licence_id) if payload.licence_id else None
    licence_type = None
    if payload.type_code:
        licence_type = LicenceType.objects.filter(code=payload.type_code.upper()).first()
        if licence_type is None:
            raise NotFound("证照类型不存在", code=LicenceErrorCode.NOT_FOUND)
    consent = services.grant_consent(
        user,
        organisation=organisation,
        valid_until=payload.valid_until,
        licence=licence,
        licence_type=licence_type,
    )
    return Status(201, _consent_out(consent))


@router.post("/consents/{uuid:consent_id}/revoke", response=ConsentOut, summary="Revoke an authorisation")
def revoke_consent(request: HttpRequest, consent_id: UUID) -> ConsentOut:
    user = _user(request)
    consent = (
        LicenceUseConsent.objects.select_related("organisation", "licence", "licence_type")
        .filter(public_id=consent_id, holder_user=user)
        .first()
    )
    if consent is None:
        raise NotFound("授权不存在", code=LicenceErrorCode.NOT_FOUND)
    return _consent_out(services.revoke_consent(consent, user=user))


# --- staff ---------------------------------------------------------------------------------------
@router.post(
    "/issue",
    response={201: LicenceDetailOut},
    summary="Issue a licence (签发, approver/admin of the issuing body)",
)
def issue(request: HttpRequest, payload: IssueIn) -> Status[LicenceDetailOut]:
    user = _staff(request)
    if not may_issue(user):
        raise PermissionDenied("需要审批人或管理员角色", code=LicenceErrorCode.ROLE_REQUIRED)
    licence_type = LicenceType.objects.filter(code=payload.type_code.upper()).first()
    if licence_type is None:
        raise NotFound("证照类型不存在", code=LicenceErrorCode.NOT_FOUND)
    issuer = user.staff_profile.organisation
    if payload.issuer_id is not None:
        found = Organisation.objects.filter(public_id=payload.issuer_id).first()
        if found is None:
            raise NotFound("机构不存在")
        issuer = found
    licence = services.issue_licence(
        licence_type,
        holder_name=payload.holder_name,
        holder_code=payload.holder_code,
        holder_code_type=payload.holder_code_type,
        issuer=issuer,
        data=payload.data,
        actor=user,
    )
    return Status(201, _detail(licence, user))


@router.get(
    "/lookup", response=list[LicenceOut], summary="Look up a holder's licences for use (staff, audited)"
)
def lookup(request: HttpRequest, holder_code: str, type_code: str = "") -> list[LicenceOut]:
    user = _staff(request)
    licence_type = None
    if type_code:
        licence_type = LicenceType.objects.filter(code=type_code.upper()).first()
        if licence_type is None:
            raise NotFound("证照类型不存在", code=LicenceErrorCode.NOT_FOUND)
    found = services.lookup_for_use(user, holder_code=holder_code, licence_type=licence_type)
    personal.record_lookup(user, found)  # the holders' access log; their names are masked (#19)
    return [
        LicenceOut(**{**_out(licence), "holder_name": personal.holder_name_shown(licence)})
        for licence in found
    ]


@router.post(
    "/{uuid:licence_id}/use",
    response=UseResultOut,
    summary="Use a licence (用证: legal basis or holder consent)",
)
def use(request: HttpRequest, licence_id: UUID, payload: UseIn) -> UseResultOut:
    user = _staff(request)
    licence = services.staff_licence(user, licence_id)
    record = services.use_licence(
        licence,
        organisation=user.staff_profile.organisation,
        user=user,
        purpose=payload.purpose,
        legal_basis=payload.legal_basis,
    )
    personal.record_use(user, licence, record.purpose)
    return UseResultOut(
        use_id=record.public_id, trust_level=record.trust_level, licence=_detail(licence, user)
    )


def _status_change(
    request: HttpRequest, licence_id: UUID, payload: LicenceReasonIn, change: Callable[..., Licence]
) -> LicenceOut:
    """注销/暂停/恢复: the issuing body's staff change a licence's status with a reason."""
    user = _staff(request)
    return LicenceOut(
        **_out(change(services.staff_licence(user, licence_id), actor=user, reason=payload.reason))
    )


@router.post("/{uuid:licence_id}/revoke", response=LicenceOut, summary="Revoke (注销)")
def revoke(request: HttpRequest, licence_id: UUID, payload: LicenceReasonIn) -> LicenceOut:
    return _status_change(request, licence_id, payload, services.revoke_licence)


@router.post("/{uuid:licence_id}/suspend", response=LicenceOut, summary="Suspend (暂停)")
def suspend(request: HttpRequest, licence_id: UUID, payload: LicenceReasonIn) -> LicenceOut:
    return _status_change(request, licence_id, payload, services.suspend_licence)


@router.post("/{uuid:licence_id}/resume", response=LicenceOut, summary="Resume (恢复)")
def resume(request: HttpRequest, licence_id: UUID, payload: LicenceReasonIn) -> LicenceOut:
    return _status_change(request, licence_id, payload, services.resume_licence)


@router.post(
    "/{uuid:licence_id}/change", response={201: LicenceDetailOut}, summary="Change (变更): a new version"
)
def change(request: HttpRequest, licence_id: UUID, payload: ChangeIn) -> Status[LicenceDetailOut]:
    user = _staff(request)
    licence = services.staff_licence(user, licence_id)
    new = services.change_licence(
        licence, actor=user, reason=payload.reason, data=payload.data, holder_name=payload.holder_name
    )
    return Status(201, _detail(new, user))


@router.post(
    "/import", response={201: ImportOut}, summary="Import licences issued elsewhere (admin, all or nothing)"
)
def import_(request: HttpRequest, payload: ImportIn) -> Status[ImportOut]:
    user = _staff(request)
    created = services.import_licences(payload.records, actor=user, source=payload.source)
    return Status(201, ImportOut(imported=len(created), identifiers=[c.identifier for c in created]))
